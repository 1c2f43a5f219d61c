// The questionnaire editor: check the YAML a moment after typing stops, and say what the
// linter found in the status region under the text. Nothing is saved here; the buttons
// save (and check) without this script, which only spares a round trip.
(function () {
  "use strict";
  var form = document.querySelector("form.editor[data-kontroll]");
  if (!form || !window.fetch) {
    return;
  }
  var text = form.querySelector("textarea");
  var region = document.getElementById("live-kontroll");
  var token = form.querySelector("input[name=csrf_token]");
  var timer = null;
  var sent = 0;
  var MAX_SHOWN = 10;

  function show(heading, lines) {
    region.textContent = "";
    var p = document.createElement("p");
    p.textContent = heading;
    region.appendChild(p);
    if (lines.length) {
      var list = document.createElement("ul");
      lines.forEach(function (line) {
        var item = document.createElement("li");
        item.textContent = line;
        list.appendChild(item);
      });
      region.appendChild(list);
    }
  }

  function check() {
    var mine = ++sent;
    var body = new URLSearchParams();
    body.append("csrf_token", token ? token.value : "");
    body.append("text", text.value);
    fetch(form.getAttribute("data-kontroll"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (answer) {
        if (mine !== sent) {
          return; // a newer check is on its way
        }
        if (answer.error) {
          show(answer.error, []);
          return;
        }
        var heading = "Kontroll mens du skriver (ikke lagret): " + answer.errors + " feil, " +
          answer.warnings + (answer.warnings === 1 ? " advarsel." : " advarsler.");
        var lines = answer.problems.slice(0, MAX_SHOWN).map(function (problem) {
          return "Linje " + problem.line + ", kolonne " + problem.column + ": " +
            problem.severity + ": " + problem.message;
        });
        if (answer.problems.length > MAX_SHOWN) {
          lines.push("… og " + (answer.problems.length - MAX_SHOWN) + " til.");
        }
        show(heading, lines);
      })
      .catch(function () {
        /* the buttons still check the text */
      });
  }

  text.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 1000);
  });
})();
