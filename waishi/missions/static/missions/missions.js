// The trip application form (progressive enhancement; every page works without it):
// - keep every form's version equal to the one the server last answered with
//   (X-Mission-Version), so an autosave does not make the next save look stale;
// - let a button press wait for an autosave still on its way, for the same reason;
// - warn before leaving a page whose changes were not saved yet.
(function () {
  "use strict";
  var dirty = false;
  var pending = 0;
  var waiting = null; // {form, submitter} pressed while an autosave was on its way
  function formOf(el) { return el && el.closest ? el.closest("[data-mission-form]") : null; }
  document.addEventListener("input", function (e) { if (formOf(e.target)) dirty = true; });
  document.addEventListener("change", function (e) { if (formOf(e.target)) dirty = true; });
  document.addEventListener("submit", function (e) {
    if (formOf(e.target) && pending > 0) {
      e.preventDefault();
      waiting = { form: e.target, submitter: e.submitter || null };
      return;
    }
    dirty = false;
  });
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (formOf(e.detail.elt)) pending += 1;
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var xhr = e.detail && e.detail.xhr;
    if (formOf(e.detail.elt)) pending = Math.max(0, pending - 1);
    if (xhr) {
      var version = xhr.getResponseHeader("X-Mission-Version");
      if (version) {
        document.querySelectorAll("[data-mission-version]").forEach(function (input) {
          input.value = version;
        });
      }
      if (e.detail.successful && formOf(e.detail.elt) &&
          xhr.responseText.indexOf('data-testid="autosaved"') !== -1) {
        dirty = false;
      }
    }
    if (pending === 0 && waiting) {
      var next = waiting;
      waiting = null;
      dirty = false;
      if (next.form.requestSubmit) next.form.requestSubmit(next.submitter || undefined);
      else next.form.submit();
    }
  });
  window.addEventListener("beforeunload", function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
  });
})();
