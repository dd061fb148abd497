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

// Wide tables: a table wider than its column scrolls sideways inside its .table-responsive
// box (the page itself never scrolls sideways). A keyboard user can scroll such a box only
// if it takes focus, so while it overflows it is a focusable region named after its table
// (WCAG 2.1.1; axe's "scrollable-region-focusable"). A box that fits gets no tab stop and no
// landmark. Labels come from the table's caption or the heading before it, so no template
// has to name its tables twice. Templates wrap their tables in .table-responsive; a table
// left unwrapped is wrapped here.
(function () {
  "use strict";
  var MARK = "data-scroll-region";
  var HEADINGS = "h1, h2, h3, h4, h5, h6, legend";

  function nearestHeading(box) {
    for (var node = box; node && node !== document.body; node = node.parentElement) {
      for (var prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (prev.matches(HEADINGS)) return prev;
        var inner = prev.querySelectorAll(HEADINGS);
        if (inner.length) return inner[inner.length - 1];
      }
    }
    return null;
  }

  function name(box) {
    var table = box.querySelector("table");
    if (!table) return ["aria-label", document.title.split(" · ")[0]];
    if (table.caption && table.caption.textContent.trim()) {
      return ["aria-label", table.caption.textContent.trim()];
    }
    if (table.getAttribute("aria-labelledby")) {
      return ["aria-labelledby", table.getAttribute("aria-labelledby")];
    }
    if (table.getAttribute("aria-label")) return ["aria-label", table.getAttribute("aria-label")];
    var heading = nearestHeading(box);
    return ["aria-label", heading ? heading.textContent.trim() : document.title.split(" · ")[0]];
  }

  // Sets only what the template did not; remembers what it set, to take it back.
  function update(box) {
    var overflows = box.scrollWidth > box.clientWidth + 1;
    if (overflows && !box.hasAttribute(MARK)) {
      var wanted = [["tabindex", "0"], ["role", "region"]];
      if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
        wanted.push(name(box));
      }
      var added = wanted.filter(function (pair) { return !box.hasAttribute(pair[0]) && pair[1]; });
      added.forEach(function (pair) { box.setAttribute(pair[0], pair[1]); });
      box.setAttribute(MARK, added.map(function (pair) { return pair[0]; }).join(" "));
    } else if (!overflows && box.hasAttribute(MARK)) {
      box.getAttribute(MARK).split(" ").forEach(function (attr) {
        if (attr) box.removeAttribute(attr);
      });
      box.removeAttribute(MARK);
    }
  }

  // The box keeps its width when a row grows wider, so both the box and its table are
  // watched; either names the box.
  var observer = "ResizeObserver" in window ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var box = entry.target.closest(".table-responsive");
      if (box) update(box);
    });
  }) : null;

  // A table a template left unwrapped gets its box here, so that it cannot widen the page.
  function wrap(root) {
    var tables = root.querySelectorAll ? root.querySelectorAll("main table") : [];
    [].forEach.call(tables, function (table) {
      if (table.closest(".table-responsive")) return;
      var box = document.createElement("div");
      box.className = "table-responsive";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
  }

  function scan(root) {
    wrap(root);
    var boxes = root.querySelectorAll ? root.querySelectorAll(".table-responsive") : [];
    if (root.matches && root.matches(".table-responsive")) boxes = [root].concat([].slice.call(boxes));
    [].forEach.call(boxes, function (box) {
      update(box);
      if (observer) {
        observer.observe(box);
        var table = box.querySelector("table");
        if (table) observer.observe(table);
      }
    });
  }

  scan(document);
  // Lists filtered with htmx swap in new tables.
  document.addEventListener("htmx:load", function (event) { scan(event.detail.elt); });
})();
