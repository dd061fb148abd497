// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  var KEY = "waishi-font-scale";
  function apply(scale) {
    document.documentElement.style.setProperty("--waishi-font-scale", String(scale));
  }
  var saved = parseFloat(window.localStorage.getItem(KEY) || "1");
  if (saved >= 0.8 && saved <= 1.6) apply(saved);
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-font-step]");
    if (button) {
      var current = parseFloat(window.localStorage.getItem(KEY) || "1");
      var next = Math.min(1.6, Math.max(0.8, current + 0.1 * Number(button.dataset.fontStep)));
      next = Math.round(next * 10) / 10;
      window.localStorage.setItem(KEY, String(next));
      apply(next);
    }
  });
})();
