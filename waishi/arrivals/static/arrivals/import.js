// The progress of an arrival list's check or import, while its form's request runs: the
// request reports the rows done to the server, this polls them once a second. The form
// is an ordinary form: without this script the page just waits for the answer.
(function () {
  "use strict";
  function show(box, data) {
    var bar = box.querySelector("progress");
    var text = box.querySelector("[role=status]");
    if (!data || !data.phase) return;
    var message;
    if (data.phase === "import") {
      message = box.dataset.msgImport;
    } else {
      message = data.total ? box.dataset.msgCheckTotal : box.dataset.msgCheck;
    }
    if (data.total) {
      bar.max = data.total;
      bar.value = Math.min(data.done, data.total);
    }
    text.textContent = message
      .replace("{done}", data.done.toLocaleString())
      .replace("{total}", data.total ? data.total.toLocaleString() : "");
  }
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-import-progress]");
    if (!form || event.defaultPrevented) return;
    var box = document.getElementById(form.dataset.progressBox);
    if (!box) return;
    box.hidden = false;
    var url = form.dataset.importProgress;
    var buttons = form.querySelectorAll("button[type=submit]");
    // Disabled after the form's data were taken: a second click would send it twice.
    window.setTimeout(function () {
      buttons.forEach(function (button) { button.disabled = true; });
    }, 0);
    window.setInterval(function () {
      window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { show(box, data); })
        .catch(function () {});
    }, 1000);
  });
})();
