// The silent-sign authorization page: what the signer sees (seals, duration, the face-check
// notice), an SMS code from the outbox, the grant; then the used link and an expired one.
"use strict";

module.exports = async function authorize(h, browser, input) {
  const { ctx, errors } = await h.context(browser, "phone");
  const page = await ctx.newPage();
  const opened = await page.goto(input.url);
  const seen = {
    status: opened.status(),
    title: await page.locator("h1").innerText(),
    account: await page.locator("#account-name").innerText(),
    valid: await page.locator("#authorization-valid").innerText(),
    seals: await page.locator("#seal-list img.seal-preview").count(),
    allSeals: await page.locator("#all-seals").count(),
    faceNotice: (await page.locator("#face-unavailable").count()) > 0,
  };
  const violations = await h.axe(page);
  await h.shot(page, "authorize-open");

  // Granting without a code is refused on the page.
  await page.click("#grant");
  const noCode = await page.locator("#notice").innerText();

  const before = h.outboxLines(input.outbox);
  await page.click("#send-code");
  // The error notice of the refused grant is replaced by the confirmation of the sent code.
  await page.waitForFunction(() => {
    const n = document.querySelector("#notice");
    return !n.classList.contains("hidden") && !n.classList.contains("error");
  });
  const sentNotice = await page.locator("#notice").innerText();
  const code = await h.outboxCode(input.outbox, input.mobile, before);

  // A wrong code first: the page says so and nothing is granted.
  const wrong = code === "000000" ? "111111" : "000000";
  await page.fill("#code", wrong);
  await page.click("#grant");
  await page.waitForFunction(() => document.querySelector("#notice").classList.contains("error"));
  const wrongNotice = await page.locator("#notice").innerText();

  await page.fill("#code", code);
  await page.click("#grant");
  await page.waitForSelector("body[data-authorization-id]", { timeout: 15000 });
  const authorizationId = await page.getAttribute("body", "data-authorization-id");
  const grantedNotice = await page.locator("#notice").innerText();
  await h.shot(page, "authorize-granted");

  // The link is used up.
  const again = await page.goto(input.url);
  const used = { status: again.status(), text: await page.locator(".state-message").innerText() };

  // An expired link opens nothing.
  const expired = await page.goto(input.expiredUrl);
  const expiredState = { status: expired.status(), text: await page.locator(".state-message").innerText() };

  await ctx.close();
  return { seen, violations, noCode, sentNotice, wrongNotice, authorizationId, grantedNotice, used,
    expired: expiredState, errors };
};
