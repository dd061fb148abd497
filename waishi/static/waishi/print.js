// The print button (templates/includes/print_button.html): shown once scripts run, it
// opens the browser's print dialog; the page's print stylesheet (app.css) does the rest.
(function () {
  "use strict";
  if (window.waishiPrint) return;
  window.waishiPrint = true;
  function show() {
    document.querySelectorAll("[data-print-button]").forEach(function (button) {
      button.hidden = false;
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print-button]");
    if (!button) return;
    event.preventDefault();
    window.print();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
  else show();
})();
