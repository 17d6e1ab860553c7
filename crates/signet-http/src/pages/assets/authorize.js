// The silent-sign authorization page: send the SMS code, then grant with it; or start a face
// check, which leaves for the provider and comes back granted (the done view below).
(function () {
  "use strict";
  var S = window.Signet;
  var done = document.getElementById("authorized");
  if (done) {
    // Granted after a face check: follow the app's redirect after its delay.
    document.body.setAttribute("data-authorization-id", done.getAttribute("data-authorization-id"));
    var target = done.getAttribute("data-redirect");
    if (target) {
      var wait = parseInt(done.getAttribute("data-delay") || "0", 10) || 0;
      setTimeout(function () { window.location.assign(target); }, wait * 1000);
    }
    return;
  }
  var data = S.data("authorize-data");
  var texts = data.texts;
  function fill(text, values) {
    Object.keys(values).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }
  var send = document.getElementById("send-code");
  var grant = document.getElementById("grant");
  var codeInput = document.getElementById("code");
  function countdown(seconds) {
    if (!send) { return; }
    send.disabled = true;
    var left = seconds;
    var timer = setInterval(function () {
      left -= 1;
      if (left <= 0) {
        clearInterval(timer);
        send.disabled = false;
        send.textContent = texts.sendCode;
      } else {
        send.textContent = fill(texts.resendIn, { s: left });
      }
    }, 1000);
    send.textContent = fill(texts.resendIn, { s: left });
  }
  if (send) {
    send.addEventListener("click", function () {
      send.disabled = true;
      S.post(data.codePath, {}).then(function (r) {
        if (r.ok) {
          S.say(fill(texts.codeSentTo, { to: r.body.recipient }), false);
          countdown(r.body.resendAfterSecs || 60);
          if (codeInput) { codeInput.focus(); }
        } else {
          send.disabled = false;
          S.say(r.body.message, true);
        }
      });
    });
  }
  var face = document.getElementById("face-start");
  if (face) {
    face.addEventListener("click", function () {
      face.disabled = true;
      face.textContent = texts.faceStarting;
      S.post(data.facePath, {}).then(function (r) {
        if (r.ok && r.body.url) {
          window.location.assign(r.body.url);
          return;
        }
        face.disabled = false;
        face.textContent = texts.faceStart;
        S.say(r.body.message, true);
      });
    });
  }
  if (!grant) { return; }
  grant.addEventListener("click", function () {
    var code = codeInput ? codeInput.value.trim() : "";
    if (!code) { S.say(texts.codeNotSent, true); return; }
    grant.disabled = true;
    grant.textContent = texts.granting;
    S.post(data.grantPath, { code: code }).then(function (r) {
      if (!r.ok) {
        grant.disabled = false;
        grant.textContent = texts.grant;
        S.say(r.body.message, true);
        return;
      }
      grant.textContent = texts.grant;
      if (send) { send.disabled = true; }
      document.body.setAttribute("data-authorization-id", r.body.authorizationId);
      var message = texts.granted;
      if (r.body.redirectUrl) {
        var delay = r.body.redirectDelaySecs || 0;
        message += " " + fill(texts.redirectIn, { s: delay });
        setTimeout(function () { window.location.assign(r.body.redirectUrl); }, delay * 1000);
      }
      S.say(message, false);
    });
  });
})();
