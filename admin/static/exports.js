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
})();
