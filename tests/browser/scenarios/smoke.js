// The pages' infrastructure in a real browser: a dead link's state page in Chinese and English,
// the CSP and caching headers, hashed assets, and an axe-core pass.
"use strict";

module.exports = async function smoke(h, browser, input) {
  const out = {};
  for (const size of ["phone", "desktop"]) {
    const { ctx, errors } = await h.context(browser, size);
    const page = await ctx.newPage();
    const response = await page.goto(input.deadUrl);
    const headers = response.headers();
    const css = await page.locator('link[rel="stylesheet"]').getAttribute("href");
    const cssResponse = await page.request.get(new URL(css, page.url()).href);
    const zh = { status: response.status(), lang: await page.getAttribute("html", "lang"),
      text: await page.locator(".state-message").innerText() };
    await h.shot(page, `smoke-expired-${size}`);
    const violations = await h.axe(page);
    await page.click(".lang-switch");
    await page.waitForLoadState();
    const en = { lang: await page.getAttribute("html", "lang"), text: await page.locator(".state-message").innerText() };
    // The switch is remembered: a plain reload stays in English.
    await page.goto(input.deadUrl);
    const remembered = await page.getAttribute("html", "lang");
    const short = await page.goto(input.shortUrl);
    out[size] = {
      zh, en, remembered, violations, errors,
      csp: headers["content-security-policy"] || "",
      referrer: headers["referrer-policy"] || "",
      cssCache: cssResponse.headers()["cache-control"] || "",
      shortFinalUrl: short.url(),
    };
    await ctx.close();
  }
  return out;
};
