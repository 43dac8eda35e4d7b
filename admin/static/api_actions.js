// Buttons and forms that post JSON to the console API (see _api_actions.html).
(function () {
  "use strict";
  function fail(text) {
    var box = document.getElementById("api-error");
    box.textContent = text || "操作失败，请稍后再试";
    box.hidden = false;
    window.scrollTo(0, 0);
  }
  function send(url, body) {
    return window.consoleFetch(url, { method: "POST", body: JSON.stringify(body) })
      .then(function (r) {
        if (r.ok) { window.location.reload(); return; }
        return r.json().then(function (data) {
          var d = data && data.detail;
          fail(typeof d === "string" ? d : "填写的内容不完整或格式不对");
        }, function () { fail(); });
      }, function () { fail("网络错误，请稍后再试"); });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-api]");
    if (!button) { return; }
    event.preventDefault();
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) { return; }
    var body = button.dataset.body ? JSON.parse(button.dataset.body) : {};
    if (button.dataset.ask) {
      var parts = button.dataset.ask.split(":");
      var answer = window.prompt(parts[1] || "");
      if (answer === null) { return; }
      body[parts[0]] = answer;
    }
    send(button.dataset.api, body);
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset.api) { return; }
    event.preventDefault();
    var lists = (form.dataset.list || "").split(",");
    var numbers = (form.dataset.number || "").split(",");
    var body = {};
    new FormData(form).forEach(function (value, key) {
      if (key === "csrf_token") { return; }
      if (lists.indexOf(key) >= 0) {
        body[key] = String(value).split(/[,，、\s]+/).filter(Boolean);
      } else if (numbers.indexOf(key) >= 0) {
        body[key] = Number(value);
      } else {
        body[key] = value;
      }
    });
    send(form.dataset.api, body).then(function () {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
    });
  }, true);
})();
