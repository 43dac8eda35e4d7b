// The sending progress of a notice, polled until complete (notices_detail.html).
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box || box.getAttribute("data-complete") === "1") { return; }
  var bar = box.querySelector(".bar span");
  var meter = box.querySelector(".bar");
  function poll() {
    fetch(box.getAttribute("data-url"), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) { setTimeout(poll, 3000); return; }
        bar.style.width = p.percent + "%";
        meter.setAttribute("aria-valuenow", p.percent);
        ["sent", "waiting", "failed"].forEach(function (k) {
          var el = box.querySelector('[data-k="' + k + '"]');
          if (el) { el.textContent = p[k]; }
        });
        if (p.complete) { window.location.reload(); } else { setTimeout(poll, 1500); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
