// The data-entry page: Enter in a field moves to the next one, as on a paper pile typed
// in by keyboard alone; Enter in the last field saves the form. Without this script Tab
// moves on and Enter saves, which works too.
(function () {
  "use strict";
  var form = document.querySelector("form[data-entry]");
  if (!form) {
    return;
  }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[type=text]"));
  inputs.forEach(function (input, index) {
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || index === inputs.length - 1) {
        return;
      }
      event.preventDefault();
      inputs[index + 1].focus();
    });
  });
})();
