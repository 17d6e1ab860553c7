// The drag-positioning page: a box per field, labelled with its signer; drag with the pointer or
// move with the arrow keys (Delete removes); save sends each box's centre in visible-page points.
(function () {
  "use strict";
  var S = window.Signet;
  var $ = function (id) { return document.getElementById(id); };
  var BOX_PT = 120; // a typical round company seal, 42 mm
  document.addEventListener("DOMContentLoaded", function () {
    var data = S.data("page-data");
    if (!data) { return; }
    var fields = [];
    function scale(page) { return page.clientWidth / Number(page.dataset.width); }
    function position(f) {
      var s = scale(f.page);
      f.el.style.width = (BOX_PT * s) + "px"; f.el.style.height = (BOX_PT * s) + "px";
      f.el.style.left = ((f.x - BOX_PT / 2) * s) + "px";
      f.el.style.top = ((Number(f.page.dataset.height) - f.y - BOX_PT / 2) * s) + "px";
    }
    function toPoints(page, cx, cy) {
      var r = page.querySelector("img.render").getBoundingClientRect();
      var w = Number(page.dataset.width), h = Number(page.dataset.height);
      return [Math.min(w, Math.max(0, (cx - r.left) / r.width * w)), Math.min(h, Math.max(0, h - (cy - r.top) / r.height * h))];
    }
    function add(page, x, y) {
      var select = $("signer");
      var el = document.createElement("button");
      el.type = "button"; el.className = "placed field-placed";
      el.textContent = select.options[select.selectedIndex].text;
      el.setAttribute("aria-label", S.t("add_field") + ": " + el.textContent + " · " + S.t("page_of", { n: page.dataset.page }));
      page.appendChild(el);
      var f = { el: el, page: page, x: x, y: y, accountId: select.value };
      fields.push(f); position(f);
      el.addEventListener("keydown", function (e) {
        var step = e.shiftKey ? 20 : 5, m = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] }[e.key];
        if (m) { e.preventDefault(); f.x += m[0]; f.y += m[1]; position(f); }
        if (e.key === "Delete" || e.key === "Backspace") { e.preventDefault(); el.remove(); fields.splice(fields.indexOf(f), 1); }
      });
      el.addEventListener("pointerdown", function (e) {
        e.preventDefault(); el.setPointerCapture(e.pointerId);
        var move = function (ev) {
          var target = document.elementsFromPoint(ev.clientX, ev.clientY).map(function (n) { return n.closest ? n.closest(".page") : null; }).filter(Boolean)[0];
          if (target && target !== f.page) { target.appendChild(el); f.page = target; }
          var pt = toPoints(f.page, ev.clientX, ev.clientY); f.x = pt[0]; f.y = pt[1]; position(f);
        };
        var up = function () { el.removeEventListener("pointermove", move); el.removeEventListener("pointerup", up); };
        el.addEventListener("pointermove", move); el.addEventListener("pointerup", up);
      });
      return el;
    }
    $("add-field").addEventListener("click", function () {
      var page = document.querySelector(".page");
      add(page, Number(page.dataset.width) / 2, Number(page.dataset.height) / 2).focus();
    });
    $("save").addEventListener("click", function () {
      var body = { fields: fields.map(function (f) {
        return { accountId: f.accountId, document: Number(f.page.dataset.document), page: Number(f.page.dataset.page), x: f.x, y: f.y };
      }) };
      S.post(data.base + "/fields", body).then(function (r) {
        S.say(r.ok ? S.t("saved") : r.body.message, !r.ok);
      });
    });
    window.addEventListener("resize", function () { fields.forEach(position); });
  });
})();
