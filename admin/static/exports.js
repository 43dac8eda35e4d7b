// The export form: only the chosen list's statuses can be picked.
(function () {
  var list = document.getElementById("export-list");
  var status = document.getElementById("export-status");
  if (!list || !status) return;
  function sync() {
    var groups = status.querySelectorAll("optgroup");
    for (var i = 0; i < groups.length; i++) {
      var mine = groups[i].getAttribute("data-list") === list.value;
      groups[i].hidden = !mine;
      groups[i].disabled = !mine;
    }
    var chosen = status.options[status.selectedIndex];
    if (chosen && chosen.parentNode.disabled) status.value = "";
  }
  list.addEventListener("change", sync);
  sync();
  // A download leaves the page where it is: the buttons come back for the next export
  // (console.js disables submit buttons against double submissions).
  var form = document.getElementById("export-form");
  form.addEventListener("submit", function () {
    setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    }, 1500);
  });
})();
