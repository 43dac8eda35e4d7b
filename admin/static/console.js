// A little help for the console; every page also works without JavaScript.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');
  // For fetch() calls to /admin/api: the same CSRF token as the forms carry.
  window.consoleFetch = function (url, options) {
    options = options || {};
    options.headers = Object.assign({}, options.headers, {
      "X-CSRF-Token": token ? token.content : "",
      "Content-Type": "application/json"
    });
    options.credentials = "same-origin";
    return fetch(url, options);
  };
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = form.querySelector("button[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    // No double submissions from an impatient tap on a slow phone connection.
    form.querySelectorAll("button[type=submit]").forEach(function (b) {
      setTimeout(function () { b.disabled = true; }, 0);
    });
  });
  // Phones: the menu sits behind a button (without JavaScript it stays open).
  var menuButton = document.getElementById("menu-button");
  if (menuButton) {
    document.documentElement.classList.add("js");
    menuButton.addEventListener("click", function () {
      var open = menuButton.getAttribute("aria-expanded") !== "true";
      menuButton.setAttribute("aria-expanded", open ? "true" : "false");
      menuButton.parentNode.classList.toggle("menu-open", open);
    });
  }
  document.querySelectorAll("a[data-back]").forEach(function (a) {
    if (window.history.length > 1) {
      a.addEventListener("click", function (event) {
        event.preventDefault();
        window.history.back();
      });
    }
  });
})();
