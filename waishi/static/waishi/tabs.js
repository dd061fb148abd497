// Tabs over the sections of a long record (progressive enhancement). Without script the
// tab list is a list of links to the sections, all of them shown; with it, one section
// shows at a time, the address (#record-members) opens and keeps the one chosen, and the
// keyboard works as the ARIA tabs pattern says: arrows and Home/End move between tabs,
// Tab goes into the panel. Printing shows every section (app.css: .record-part).
(function () {
  "use strict";
  function setUp(root) {
    var list = root.querySelector("[data-tablist]");
    var tabs = Array.prototype.slice.call(root.querySelectorAll("[data-tab]"));
    var panels = tabs.map(function (tab) {
      return document.getElementById(tab.getAttribute("href").slice(1));
    });
    if (!list || !tabs.length || panels.indexOf(null) !== -1) return;
    list.setAttribute("role", "tablist");
    tabs.forEach(function (tab, i) {
      tab.parentNode.setAttribute("role", "presentation");
      tab.setAttribute("role", "tab");
      tab.id = tab.id || panels[i].id + "-tab";
      tab.setAttribute("aria-controls", panels[i].id);
      panels[i].setAttribute("role", "tabpanel");
      panels[i].setAttribute("aria-labelledby", tab.id);
      panels[i].setAttribute("tabindex", "0");
    });
    function show(index, focus) {
      tabs.forEach(function (tab, i) {
        var on = i === index;
        tab.classList.toggle("active", on);
        tab.setAttribute("aria-selected", on ? "true" : "false");
        tab.setAttribute("tabindex", on ? "0" : "-1");
        panels[i].hidden = !on;
      });
      if (focus) tabs[index].focus();
    }
    function indexOf(hash) {
      for (var i = 0; i < panels.length; i++) {
        if ("#" + panels[i].id === hash || (hash && panels[i].querySelector(hash))) return i;
      }
      return -1;
    }
    function fromAddress() {
      try { return indexOf(window.location.hash); } catch (e) { return -1; }
    }
    var start = fromAddress();
    show(start === -1 ? 0 : start, false);
    // A link elsewhere on the page to a part (or to something inside one) opens it.
    window.addEventListener("hashchange", function () {
      var index = fromAddress();
      if (index !== -1) show(index, false);
    });
    list.addEventListener("click", function (event) {
      var tab = event.target.closest("[data-tab]");
      if (!tab) return;
      event.preventDefault();
      var index = tabs.indexOf(tab);
      show(index, true);
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", "#" + panels[index].id);
      }
    });
    list.addEventListener("keydown", function (event) {
      var index = tabs.indexOf(document.activeElement);
      if (index === -1) return;
      var next = {
        ArrowRight: (index + 1) % tabs.length,
        ArrowLeft: (index - 1 + tabs.length) % tabs.length,
        Home: 0,
        End: tabs.length - 1
      }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      tabs[next].click();
    });
  }
  function init() {
    document.querySelectorAll("[data-tabs]").forEach(setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
