// The initiator's drag-positioning page: a field for the first signer dropped by pointer drag,
// one for the second signer moved with the arrow keys, saved; axe-core on the page.
"use strict";

module.exports = async function position(h, browser, input) {
  const out = {};
  {
    const { ctx, errors } = await h.context(browser, "desktop");
    const page = await ctx.newPage();
    out.status = (await page.goto(input.url)).status();
    await page.waitForSelector(".page img.render");
    await h.shot(page, "desktop-position-01-open");
    out.violations = await h.axe(page);
    // Signer 1: add, then drag to (fx, fy) of page 1.
    await page.selectOption("#signer", input.first);
    await page.click("#add-field");
    const box = await page.locator(".field-placed").first().boundingBox();
    const img = await page.locator('.page[data-page="1"] img.render').boundingBox();
    const to = { x: img.x + input.fx * img.width, y: img.y + input.fy * img.height };
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 10 });
    await page.mouse.up();
    out.drop = { x: (to.x - img.x) / img.width * 595.276, y: 841.89 - (to.y - img.y) / img.height * 841.89 };
    // Signer 2: add at the page centre and move 60 pt right, 100 pt down with the keyboard.
    await page.selectOption("#signer", input.second);
    await page.click("#add-field");
    for (let i = 0; i < 3; i++) { await page.keyboard.press("Shift+ArrowRight"); }
    for (let i = 0; i < 5; i++) { await page.keyboard.press("Shift+ArrowDown"); }
    await page.click("#save");
    await page.waitForFunction(() => document.getElementById("notice").textContent);
    out.notice = await page.locator("#notice").innerText();
    await h.shot(page, "desktop-position-02-saved");
    out.errors = errors;
    await ctx.close();
  }
  {
    const { ctx } = await h.context(browser, "phone");
    const page = await ctx.newPage();
    await page.goto(input.url);
    await page.waitForSelector(".page img.render");
    await h.shot(page, "phone-position-01-open");
    out.phoneViolations = await h.axe(page);
    await ctx.close();
  }
  return out;
};
