// The sending progress of a notice, polled until complete (notices_detail.html).
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box || box.getAttribute("data-complete") === "1") { return; }
  var sent = box.querySelector(".bar span.sent");
  var failed = box.querySelector(".bar span.failed");
  var meter = box.querySelector(".bar");
  var outcome = document.getElementById("progress-outcome");
  function poll() {
    fetch(box.getAttribute("data-url"), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) { setTimeout(poll, 3000); return; }
        sent.style.width = p.sent_percent + "%";
        failed.style.width = p.failed_percent + "%";
        meter.setAttribute("aria-valuenow", p.percent);
        meter.setAttribute("aria-valuetext", p.outcome);
        if (outcome) { outcome.firstChild.textContent = p.outcome; }
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
