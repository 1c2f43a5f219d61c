// The "Rapporten lages" page: ask whether the PDF is done, and say so in the page's live
// region when it is, with the link to it. The page never reloads itself (a screen reader
// would be thrown back to the top every time); without this script its button asks again.
(function () {
  "use strict";
  var box = document.getElementById("rapportstatus");
  if (!box || !window.fetch) {
    return;
  }
  var message = box.querySelector("[data-message]");
  var ready = box.querySelector("[data-ready]");
  var check = document.querySelector("form[data-check]");
  var asked = 0;
  var LIMIT = 450; // about 15 minutes: then the button is the way to ask

  function later(seconds) {
    asked += 1;
    if (asked < LIMIT) {
      window.setTimeout(ask, seconds * 1000);
    }
  }

  function show(state, said) {
    if (state === "ready") {
      message.textContent = "Rapporten er klar.";
      ready.hidden = false;
      if (check) {
        check.hidden = true;
      }
    } else if (state === "failed") {
      message.textContent = "Rapporten kunne ikke lages.";
      ready.querySelector("a").textContent = "Se hva som gikk galt og prøv igjen";
      ready.hidden = false;
    } else {
      if (said && said !== message.textContent) {
        message.textContent = said; // how far it is: "står i kø", "Lager PDF-filen (steg 3 av 3)"
      }
      later(asked < 30 ? 2 : 10);
    }
  }

  function ask() {
    window
      .fetch(box.dataset.status, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        return response.ok ? response.json() : { state: "running" };
      })
      .then(function (answer) {
        show(answer.state, answer.message);
      })
      .catch(function () {
        later(10);
      });
  }

  message.textContent =
    message.textContent + " Dette tar vanligvis noen sekunder. Siden sier fra her når rapporten er klar.";
  later(2);
})();
