// The signing page: zoom, willingness code, seal choice or drawn signature, placement by drag
// (pointer events) or keyboard, sign and reject. Also runs the done page's redirect countdown.
// Placement maths: a placed seal's centre in CSS pixels of a page image, divided by the image's
// CSS size, times the page's visible size in points (y flipped: PDF origin is bottom-left).
(function () {
  "use strict";
  var S = window.Signet;
  var $ = function (id) { return document.getElementById(id); };

  function donePage() {
    var done = $("done");
    if (!done || !done.dataset.redirect) { return; }
    var left = parseInt(done.dataset.delay || "3", 10);
    var note = $("redirect-note");
    var tick = function () {
      note.textContent = S.t("redirect_in", { s: left });
      if (left <= 0) { window.location.href = done.dataset.redirect; return; }
      left -= 1;
      setTimeout(tick, 1000);
    };
    tick();
  }

  function signPage() {
    var data = S.data("page-data");
    if (!data) { return; }
    var state = { verified: data.verified, sealId: null, strokes: null, image: null, sizePt: null, placed: [] };

    // --- fixed boxes and zoom -------------------------------------------------------------------
    document.querySelectorAll(".field-box").forEach(function (box) {
      var f = box.dataset.box.split(",").map(Number);
      box.style.left = (f[0] * 100) + "%"; box.style.top = (f[1] * 100) + "%";
      box.style.width = (f[2] * 100) + "%"; box.style.height = (f[3] * 100) + "%";
    });
    var zoom = 1;
    function applyZoom() {
      document.querySelectorAll(".page").forEach(function (p) {
        p.style.width = zoom === 1 ? "" : (Math.round(zoom * 100)) + "%";
        p.style.maxWidth = zoom === 1 ? "" : "none";
      });
      $("zoom-level").textContent = Math.round(zoom * 100) + "%";
    }
    $("zoom-in").addEventListener("click", function () { zoom = Math.min(3, zoom + 0.25); applyZoom(); });
    $("zoom-out").addEventListener("click", function () { zoom = Math.max(0.5, zoom - 0.25); applyZoom(); });

    // --- willingness code -----------------------------------------------------------------------
    if (data.needsCode) {
      var sendButton = $("send-code");
      var countdown = function (seconds) {
        sendButton.disabled = true;
        var tick = function () {
          if (seconds <= 0) { sendButton.disabled = false; sendButton.textContent = S.t("send_code"); return; }
          sendButton.textContent = S.t("resend_in", { s: seconds });
          seconds -= 1;
          setTimeout(tick, 1000);
        };
        tick();
      };
      sendButton.addEventListener("click", function () {
        S.post(data.base + "/code").then(function (r) {
          if (!r.ok) { S.say(r.body.message, true); return; }
          $("code-sent").textContent = S.t("code_sent_to", { to: r.body.recipient });
          S.say("");
          countdown(r.body.resendAfterSeconds || 60);
          $("code").focus();
        });
      });
      var verify = function () {
        S.post(data.base + "/verify", { code: $("code").value.trim() }).then(function (r) {
          if (!r.ok) { S.say(r.body.message, true); $("code").select(); return; }
          state.verified = true;
          $("verify-form").classList.add("hidden");
          $("verified").classList.remove("hidden");
          S.say(S.t("verified"));
        });
      };
      $("verify").addEventListener("click", verify);
      $("code").addEventListener("keydown", function (e) { if (e.key === "Enter") { verify(); } });
    }

    // --- seal choice ----------------------------------------------------------------------------
    function chooseImage(url, widthPt, heightPt) {
      state.image = url; state.sizePt = [widthPt, heightPt];
      var drag = $("drag-image");
      if (drag) {
        drag.src = url; $("drag-source").classList.remove("hidden"); $("add-seal").disabled = false;
      }
      state.placed.forEach(function (p) { p.el.querySelector("img").src = url; sizePlaced(p); });
    }
    document.querySelectorAll(".seal-option").forEach(function (button) {
      button.addEventListener("click", function () {
        document.querySelectorAll(".seal-option").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
        button.setAttribute("aria-pressed", "true");
        var seal = data.seals.filter(function (s) { return s.id === button.dataset.seal; })[0];
        state.sealId = seal.id; state.strokes = null;
        chooseImage(seal.url, seal.widthPt, seal.heightPt);
      });
    });

    // --- drawing pad (pointer events, pressure, undo/clear) --------------------------------------
    var pad = $("pad");
    if (pad) {
      var ctx = pad.getContext("2d");
      var strokes = [], current = null, started = 0;
      var fit = function () {
        var r = pad.getBoundingClientRect(), dpr = window.devicePixelRatio || 1;
        pad.width = Math.round(r.width * dpr); pad.height = Math.round(r.height * dpr);
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0); redraw();
      };
      var redraw = function () {
        ctx.clearRect(0, 0, pad.width, pad.height);
        ctx.strokeStyle = "#111"; ctx.lineCap = "round"; ctx.lineJoin = "round";
        strokes.forEach(function (s) {
          for (var i = 1; i < s.points.length; i++) {
            var a = s.points[i - 1], b = s.points[i];
            ctx.lineWidth = 1.5 + 3 * (b.pressure == null ? 0.5 : b.pressure);
            ctx.beginPath(); ctx.moveTo(a.x, a.y); ctx.lineTo(b.x, b.y); ctx.stroke();
          }
        });
      };
      var point = function (e) {
        var r = pad.getBoundingClientRect();
        var p = { x: e.clientX - r.left, y: e.clientY - r.top, tMs: performance.now() - started };
        if (e.pointerType === "pen" || (e.pressure > 0 && e.pressure !== 0.5)) { p.pressure = e.pressure; }
        return p;
      };
      pad.addEventListener("pointerdown", function (e) {
        if (!strokes.length) { started = performance.now(); }
        pad.setPointerCapture(e.pointerId);
        current = { points: [point(e)] }; strokes.push(current);
      });
      pad.addEventListener("pointermove", function (e) {
        if (!current) { return; }
        current.points.push(point(e)); redraw();
      });
      var end = function () { current = null; };
      pad.addEventListener("pointerup", end); pad.addEventListener("pointercancel", end);
      $("pad-undo").addEventListener("click", function () { strokes.pop(); redraw(); });
      $("pad-clear").addEventListener("click", function () { strokes = []; redraw(); });
      $("pad-use").addEventListener("click", function () {
        var usable = strokes.filter(function (s) { return s.points.length > 1; });
        if (!usable.length) { S.say(S.t("draw_hint"), true); return; }
        document.querySelectorAll(".seal-option").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
        state.sealId = null;
        state.strokes = usable.map(function (s) {
          return { points: s.points.map(function (p) {
            var q = { x: p.x, y: p.y, t_ms: p.tMs }; if (p.pressure != null) { q.pressure = p.pressure; } return q;
          }) };
        });
        // Preview size: the server renders the signature 15 mm high; the width follows the drawing.
        var xs = [], ys = [];
        usable.forEach(function (s) { s.points.forEach(function (p) { xs.push(p.x); ys.push(p.y); }); });
        var w = Math.max(10, Math.max.apply(null, xs) - Math.min.apply(null, xs));
        var h = Math.max(10, Math.max.apply(null, ys) - Math.min.apply(null, ys));
        var heightPt = 15 * 72 / 25.4;
        chooseImage(pad.toDataURL("image/png"), heightPt * w / h, heightPt);
        S.say(S.t("use_signature"));
      });
      new ResizeObserver(fit).observe(pad);
    }

    // --- placement ------------------------------------------------------------------------------
    function pageOf(el) { return el.closest(".page"); }
    function sizePlaced(p) {
      var page = p.page, scale = page.clientWidth / Number(page.dataset.width);
      p.el.style.width = (state.sizePt[0] * scale) + "px";
      p.el.style.height = (state.sizePt[1] * scale) + "px";
      position(p);
    }
    function position(p) {
      var page = p.page, scale = page.clientWidth / Number(page.dataset.width);
      p.el.style.left = (p.xPt * scale - state.sizePt[0] * scale / 2) + "px";
      p.el.style.top = ((Number(page.dataset.height) - p.yPt) * scale - state.sizePt[1] * scale / 2) + "px";
    }
    // Screen point → visible-page points of the page under it.
    function toPoints(page, clientX, clientY) {
      var r = page.querySelector("img.render").getBoundingClientRect();
      var wPt = Number(page.dataset.width), hPt = Number(page.dataset.height);
      var x = (clientX - r.left) / r.width * wPt, y = hPt - (clientY - r.top) / r.height * hPt;
      return [Math.min(wPt, Math.max(0, x)), Math.min(hPt, Math.max(0, y))];
    }
    function place(page, xPt, yPt) {
      var el = document.createElement("button");
      el.type = "button"; el.className = "placed";
      el.setAttribute("aria-label", S.t("placed_seal") + " · " + S.t("page_of", { n: page.dataset.page }));
      var img = document.createElement("img"); img.alt = ""; img.src = state.image; el.appendChild(img);
      var remove = document.createElement("span");
      remove.className = "remove"; remove.textContent = "×"; remove.setAttribute("aria-hidden", "true");
      el.appendChild(remove);
      page.appendChild(el);
      var p = { el: el, page: page, xPt: xPt, yPt: yPt };
      state.placed.push(p); sizePlaced(p);
      var drop = function () { el.remove(); state.placed.splice(state.placed.indexOf(p), 1); };
      remove.addEventListener("click", function (e) { e.stopPropagation(); drop(); });
      el.addEventListener("keydown", function (e) {
        var step = e.shiftKey ? 20 : 5, moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
        if (moves[e.key]) {
          e.preventDefault();
          p.xPt = Math.min(Number(page.dataset.width), Math.max(0, p.xPt + moves[e.key][0]));
          p.yPt = Math.min(Number(page.dataset.height), Math.max(0, p.yPt + moves[e.key][1]));
          position(p);
        } else if (e.key === "Delete" || e.key === "Backspace") { e.preventDefault(); drop(); }
      });
      dragMove(el, function (x, y) {
        var target = document.elementsFromPoint(x, y).map(pageOrNull).filter(Boolean)[0];
        if (target && target !== p.page) { target.appendChild(el); p.page = target; }
        var pt = toPoints(p.page, x, y); p.xPt = pt[0]; p.yPt = pt[1]; position(p);
      });
      return el;
    }
    function pageOrNull(el) { return el.classList && el.classList.contains("page") ? el : (el.closest ? el.closest(".page") : null); }
    // Pointer drag: calls move(clientX, clientY) while the pointer is down.
    function dragMove(el, move, onEnd) {
      el.addEventListener("pointerdown", function (e) {
        e.preventDefault(); el.setPointerCapture(e.pointerId); el.classList.add("active");
        var moveHandler = function (ev) { move(ev.clientX, ev.clientY); };
        var up = function (ev) {
          el.releasePointerCapture(e.pointerId); el.classList.remove("active");
          el.removeEventListener("pointermove", moveHandler); el.removeEventListener("pointerup", up);
          if (onEnd) { onEnd(ev.clientX, ev.clientY); }
        };
        el.addEventListener("pointermove", moveHandler); el.addEventListener("pointerup", up);
      });
    }
    var source = $("drag-source");
    if (source) {
      var ghost = null;
      dragMove(source, function (x, y) {
        if (!ghost) { ghost = source.cloneNode(true); ghost.removeAttribute("id"); ghost.className = "drag-source"; ghost.style.position = "fixed"; ghost.style.pointerEvents = "none"; ghost.style.zIndex = 50; document.body.appendChild(ghost); }
        ghost.style.left = (x - ghost.offsetWidth / 2) + "px"; ghost.style.top = (y - ghost.offsetHeight / 2) + "px";
      }, function (x, y) {
        if (ghost) { ghost.remove(); ghost = null; }
        var page = document.elementsFromPoint(x, y).map(pageOrNull).filter(Boolean)[0];
        if (page) { var pt = toPoints(page, x, y); place(page, pt[0], pt[1]).focus(); }
      });
      $("add-seal").addEventListener("click", function () {
        // The page nearest the middle of the viewport gets the seal at its centre.
        var pages = Array.prototype.slice.call(document.querySelectorAll(".page"));
        var mid = window.innerHeight / 2;
        pages.sort(function (a, b) {
          var ra = a.getBoundingClientRect(), rb = b.getBoundingClientRect();
          return Math.abs(ra.top + ra.height / 2 - mid) - Math.abs(rb.top + rb.height / 2 - mid);
        });
        var page = pages[0];
        place(page, Number(page.dataset.width) / 2, Number(page.dataset.height) / 2).focus();
      });
      window.addEventListener("resize", function () { state.placed.forEach(sizePlaced); });
    }

    // --- sign and reject ------------------------------------------------------------------------
    $("sign").addEventListener("click", function () {
      if (data.needsCode && !state.verified) { S.say(S.t("need_verify"), true); $("send-code").focus(); return; }
      if (!state.sealId && !state.strokes) { S.say(S.t("need_seal"), true); return; }
      if (data.freePlacement && !state.placed.length) { S.say(S.t("need_place"), true); return; }
      var body = { placements: state.placed.map(function (p) {
        return { document: Number(p.page.dataset.document), page: Number(p.page.dataset.page), x: p.xPt, y: p.yPt };
      }) };
      if (state.sealId) { body.sealId = state.sealId; } else { body.signature = { strokes: state.strokes }; }
      if (data.needsDocumentPassword) {
        var password = $("document-password").value;
        if (!password) { S.say(S.t("need_password"), true); $("document-password").focus(); return; }
        body.documentPassword = password;
      }
      var button = $("sign"); button.disabled = true; button.textContent = S.t("signing");
      S.post(data.base + "/sign", body).then(function (r) {
        if (!r.ok) { button.disabled = false; button.textContent = S.t("sign"); S.say(r.body.message, true); return; }
        window.location.reload();
      });
    });
    var dialog = $("reject-dialog");
    $("reject-open").addEventListener("click", function () { dialog.showModal(); $("reject-reason").focus(); });
    $("reject-cancel").addEventListener("click", function () { dialog.close(); });
    $("reject-confirm").addEventListener("click", function () {
      var reason = $("reject-reason").value.trim();
      if (!reason) { $("reject-reason").focus(); return; }
      S.post(data.base + "/reject", { reason: reason }).then(function (r) {
        if (!r.ok) { dialog.close(); S.say(r.body.message, true); return; }
        window.location.reload();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { signPage(); donePage(); });
})();
