// The print button (templates/includes/print_button.html): shown once scripts run, it
// opens the browser's print dialog; the page's print stylesheet (app.css) does the rest.
(function () {
  "use strict";
  if (window.waishiPrint) return;
  window.waishiPrint = true;
  function ready() {
    document.querySelectorAll("[data-print-button]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
