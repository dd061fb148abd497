// Searchable selects (lib/forms.py SearchableSelect): a <select data-picker> becomes a
// field one types into, matching an option's label and its data- keys (a country's
// pinyin "meiguo", initials "mg", code "US"). Progressive: without
// script, or before the library has loaded, it is the ordinary select, and the select
// stays the form's field (the library keeps it in step), so forms post as before.
// Each picker names this script; it runs its work once and loads the library once.
(function () {
  "use strict";
  var me = document.currentScript;
  if (window.waishiPicker) return;
  window.waishiPicker = true;
  var library = me && me.dataset.library;
  var styles = me && me.dataset.styles;

  var SEARCH = [
    { field: "text", weight: 3 },
    { field: "initials", weight: 2 },
    { field: "pinyin", weight: 2 },
    { field: "code", weight: 1 }
  ];

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value || "";
    return span.innerHTML;
  }

  function enhance(select) {
    if (select.tomselect || typeof window.TomSelect === "undefined") return;
    var multiple = select.multiple;
    var settings = {
      searchField: SEARCH,
      maxOptions: null,
      create: false,
      allowEmptyOption: !multiple,
      openOnFocus: true,
      selectOnTab: true,
      render: {
        no_results: function () {
          return '<div class="no-results">' + text(select.dataset.noResults) + "</div>";
        }
      }
    };
    if (multiple) {
      settings.plugins = { remove_button: { title: select.dataset.removeLabel || "" } };
    }
    // The library moves the field's <label for> to its own search box; the select it
    // keeps (hidden, still the form's field) keeps the label's words as its name.
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    var name = select.getAttribute("aria-label") || (label && label.textContent.trim());
    new window.TomSelect(select, settings);
    if (name) select.setAttribute("aria-label", name);
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("select[data-picker]").forEach(enhance);
  }

  function load() {
    if (styles && !document.querySelector('link[href="' + styles + '"]')) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = styles;
      document.head.appendChild(link);
    }
    if (typeof window.TomSelect !== "undefined" || !library) {
      enhanceAll();
      return;
    }
    var script = document.createElement("script");
    script.src = library;
    script.onload = function () { enhanceAll(); };
    document.head.appendChild(script);
  }

  // Parts of a page htmx puts in later (a new row) get their pickers too.
  document.addEventListener("htmx:afterSettle", function (event) {
    enhanceAll(event.detail && event.detail.elt);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load);
  else load();
})();
