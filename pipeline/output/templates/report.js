/* The evaluation report's error filters: by kind, label and document name (rows only hide). */
(function () {
  "use strict";
  var kind = document.getElementById("e-kind");
  if (!kind) return;
  var label = document.getElementById("e-label"), doc = document.getElementById("e-doc"), count = document.getElementById("e-count");
  function apply() {
    var shown = 0, q = doc.value.trim().toLowerCase();
    document.querySelectorAll("details.doc").forEach(function (d) {
      var docOk = !q || d.dataset.doc.toLowerCase().indexOf(q) >= 0, inDoc = 0;
      d.querySelectorAll("tr.error-row").forEach(function (tr) {
        var ok = docOk && (!kind.value || tr.dataset.kind === kind.value) && (!label.value || tr.dataset.label === label.value);
        tr.hidden = !ok;
        if (ok) inDoc += 1;
      });
      d.hidden = inDoc === 0;
      shown += inDoc;
    });
    count.textContent = "errors shown: " + shown;
    count.dataset.shown = String(shown);
  }
  kind.addEventListener("change", apply);
  label.addEventListener("change", apply);
  doc.addEventListener("input", apply);
  document.getElementById("error-filters").addEventListener("submit", function (ev) { ev.preventDefault(); });
  apply();
  document.body.dataset.ready = "1";
})();
