// Shared page helpers (no framework, no build step). Loaded by base.html on every page.
// window.Signet.post(path, body) sends JSON with the page's CSRF token and resolves to
// {ok, status, body}; window.Signet.t(key) reads texts the page put in #page-texts.
(function () {
  "use strict";
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  function post(path, body) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf() },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.text().then(function (text) {
        var parsed = {};
        try { parsed = text ? JSON.parse(text) : {}; } catch (e) { parsed = { message: text }; }
        return { ok: response.ok, status: response.status, body: parsed };
      });
    });
  }
  var texts = null;
  function t(key, values) {
    if (texts === null) {
      var node = document.getElementById("page-texts");
      texts = node ? JSON.parse(node.textContent) : {};
    }
    var text = texts[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.replace("{" + name + "}", values[name]);
    });
    return text;
  }
  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  // Announces a message in the page's live region (screen readers) and shows it.
  function say(text, isError) {
    var box = document.getElementById("notice");
    if (!box) { return; }
    box.textContent = text || "";
    box.className = "notice" + (isError ? " error" : "") + (text ? "" : " hidden");
  }
  window.Signet = { post: post, t: t, data: data, say: say, csrf: csrf };
})();
