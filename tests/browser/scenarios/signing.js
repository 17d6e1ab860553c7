// The signing page end to end: open the link, send and read the SMS code from the outbox, enter
// it, draw a signature with synthetic pointer moves (or, keyboard-only, pick a seal), place it by
// drag (or arrow keys), sign, download. Then the refusals: reject with a reason, an expired link,
// a second signer before the first, a wrong code three times. axe-core runs on every form.
"use strict";
const fs = require("fs");

async function tabTo(page, selector, max) {
  for (let i = 0; i < (max || 60); i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) { return; }
  }
  throw new Error(`keyboard focus never reached ${selector}`);
}

async function enterCode(h, page, input, run, keyboard) {
  const before = h.outboxLines(input.outbox);
  if (keyboard) { await tabTo(page, "#send-code"); await page.keyboard.press("Enter"); } else { await page.click("#send-code"); }
  await page.waitForSelector("#code-sent:not(:empty)");
  const code = await h.outboxCode(input.outbox, run.recipient, before);
  if (keyboard) { await tabTo(page, "#code"); await page.keyboard.type(code); await page.keyboard.press("Enter"); } else {
    await page.fill("#code", code); await page.click("#verify");
  }
  await page.waitForSelector("#verified:not(.hidden)");
  return code;
}

async function drawSignature(page) {
  if (!(await page.locator("#draw").evaluate((d) => d.open))) { await page.locator("#draw summary").click(); }
  await page.locator("#pad").scrollIntoViewIfNeeded();
  const pad = await page.locator("#pad").boundingBox();
  // Two strokes of a "signature": a zigzag and an underline.
  const strokes = [
    [[0.15, 0.6], [0.25, 0.25], [0.35, 0.7], [0.45, 0.3], [0.55, 0.65], [0.65, 0.3]],
    [[0.2, 0.8], [0.5, 0.82], [0.8, 0.78]],
  ];
  for (const stroke of strokes) {
    const [x0, y0] = stroke[0];
    await page.mouse.move(pad.x + x0 * pad.width, pad.y + y0 * pad.height);
    await page.mouse.down();
    for (const [x, y] of stroke.slice(1)) {
      await page.mouse.move(pad.x + x * pad.width, pad.y + y * pad.height, { steps: 6 });
    }
    await page.mouse.up();
  }
  await page.click("#pad-use");
}

async function signRun(h, browser, input, run) {
  const { ctx, errors } = await h.context(browser, run.size);
  const page = await ctx.newPage();
  const shot = (step) => h.shot(page, `${run.size}${run.mode === "pointer" ? "" : "-" + run.mode}-${step}`);
  const result = { size: run.size, mode: run.mode };
  const response = await page.goto(run.url);
  result.status = response.status();
  await page.waitForSelector(".page img.render");
  result.title = await page.locator("h1").innerText();
  result.identity = await page.locator("#who + dl").innerText();
  await shot("01-open");
  result.violations = await h.axe(page);
  const keyboard = run.mode === "keyboard";
  await enterCode(h, page, input, run, keyboard);
  await shot("02-verified");
  const target = await page.locator('.page[data-page="1"]');
  await target.scrollIntoViewIfNeeded();
  if (keyboard) {
    await tabTo(page, ".seal-option");
    await page.keyboard.press("Enter");
    await tabTo(page, "#add-seal");
    await page.keyboard.press("Enter");
    // The placed seal has focus: move it 40 pt right and 100 pt down with the arrow keys.
    for (let i = 0; i < 2; i++) { await page.keyboard.press("Shift+ArrowRight"); }
    for (let i = 0; i < 5; i++) { await page.keyboard.press("Shift+ArrowDown"); }
  } else if (run.mode === "org") {
    // The agent signs with the company seal at the field the flow fixed.
    await page.click(".seal-option");
    result.fixedBoxes = await page.locator(".field-box").count();
  } else {
    await drawSignature(page);
    await shot("03-drawn");
    // Drag the signature from the panel onto page 1 at (fx, fy) of the page image.
    await page.locator("#drag-source").scrollIntoViewIfNeeded();
    const from = await page.locator("#drag-source").boundingBox();
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await target.scrollIntoViewIfNeeded();
    const img = await page.locator('.page[data-page="1"] img.render').boundingBox();
    const to = { x: img.x + run.fx * img.width, y: img.y + run.fy * img.height };
    await page.mouse.move(to.x, to.y, { steps: 12 });
    await page.mouse.up();
    result.dropScreen = to;
    if (!(await page.locator(".placed").count())) {
      const hit = await page.evaluate((p) => document.elementsFromPoint(p.x, p.y).map((e) => e.tagName + "." + e.className).join(" > "), to);
      throw new Error(`drop at ${JSON.stringify(to)} placed nothing; under it: ${hit}; from ${JSON.stringify(from)}`);
    }
    result.pageBox = img;
  }
  // Where the page thinks the seal is, re-measured from the placed element's screen centre.
  const placed = await page.evaluate(() => {
    const el = document.querySelector(".placed");
    if (!el) { return null; }
    const img = el.closest(".page").querySelector("img.render").getBoundingClientRect();
    const r = el.getBoundingClientRect();
    const page = el.closest(".page");
    const w = Number(page.dataset.width), hh = Number(page.dataset.height);
    return { page: Number(page.dataset.page), x: (r.left + r.width / 2 - img.left) / img.width * w,
      y: hh - (r.top + r.height / 2 - img.top) / img.height * hh };
  });
  result.placed = placed;
  await shot("04-placed");
  result.violationsBeforeSign = await h.axe(page);
  if (keyboard) { await tabTo(page, "#sign"); await page.keyboard.press("Enter"); } else { await page.click("#sign"); }
  await page.waitForSelector("#done", { timeout: 60000 });
  await shot("05-done");
  result.doneViolations = await h.axe(page);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#done a.button")]);
  await download.saveAs(run.download);
  result.downloaded = fs.existsSync(run.download);
  if (run.redirect) {
    await page.waitForURL((u) => u.href.startsWith(run.redirect), { timeout: 15000 });
    result.redirectedTo = page.url();
  }
  result.errors = errors;
  await ctx.close();
  return result;
}

async function stateOf(h, browser, size, url, name) {
  const { ctx } = await h.context(browser, size);
  const page = await ctx.newPage();
  const response = await page.goto(url);
  const text = await page.locator("main").innerText();
  await h.shot(page, `${size}-${name}`);
  const hasForm = (await page.locator("#sign").count()) > 0;
  await ctx.close();
  return { status: response.status(), text, hasForm };
}

module.exports = async function signing(h, browser, input) {
  const out = { runs: [] };
  for (const run of input.runs) { out.runs.push(await signRun(h, browser, input, run)); }

  // Reject with a reason.
  {
    const { ctx } = await h.context(browser, "phone");
    const page = await ctx.newPage();
    await page.goto(input.reject.url);
    await page.click("#reject-open");
    await page.fill("#reject-reason", "金额有误，请修改后重新发起");
    await h.shot(page, "phone-06-reject");
    await page.click("#reject-confirm");
    await page.waitForSelector(".state-message");
    out.reject = { text: await page.locator(".state-message").innerText() };
    await h.shot(page, "phone-07-rejected");
    await ctx.close();
  }
  out.expired = await stateOf(h, browser, "phone", input.expired.url, "08-expired");
  out.expiredDesktop = await stateOf(h, browser, "desktop", input.expired.url, "08-expired");
  out.notYourTurn = await stateOf(h, browser, "desktop", input.second.url, "09-not-your-turn");
  out.notYourTurnPhone = await stateOf(h, browser, "phone", input.second.url, "09-not-your-turn");

  // A wrong code three times: wrong, wrong, then the code is dead.
  {
    const { ctx } = await h.context(browser, "desktop");
    const page = await ctx.newPage();
    await page.goto(input.wrongCode.url);
    const before = h.outboxLines(input.outbox);
    await page.click("#send-code");
    await page.waitForSelector("#code-sent:not(:empty)");
    const real = await h.outboxCode(input.outbox, input.wrongCode.recipient, before);
    const wrong = real === "000000" ? "111111" : "000000";
    const messages = [];
    for (let i = 0; i < 3; i++) {
      await page.fill("#code", wrong);
      await page.click("#verify");
      await page.waitForFunction((n) => document.getElementById("notice").textContent && window.__n !== n, i);
      messages.push(await page.locator("#notice").innerText());
      await page.evaluate((n) => { window.__n = n; document.getElementById("notice").textContent = ""; }, i);
    }
    await page.fill("#code", real);
    await page.click("#verify");
    await page.waitForFunction(() => document.getElementById("notice").textContent);
    messages.push(await page.locator("#notice").innerText());
    await h.shot(page, "desktop-10-wrong-code");
    // The reject dialog at this size too (cancelled: the flow stays open).
    await page.click("#reject-open");
    await page.fill("#reject-reason", "金额有误，请修改后重新发起");
    await h.shot(page, "desktop-06-reject");
    await page.click("#reject-cancel");
    out.wrongCode = { messages, verified: await page.locator("#verified:not(.hidden)").count() };
    await ctx.close();
  }
  return out;
};
