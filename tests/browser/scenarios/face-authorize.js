// PSN_FACE on the silent-sign authorization page: choose face verification, go through the
// provider's face page (a stand-in that sends the browser straight back with its BizToken),
// and report what the page shows on return: granted, or the failure with a retry and SMS.
"use strict";

// Signet's return URL (/p/{token}/authorize/face/{key}) and the failure page it redirects to.
const BACK = /\/authorize\/face(\/[^/?]+|-failed)$/;

async function count(page, selector) {
  return page.locator(selector).count();
}

// What the page shows after the browser came back from the provider.
async function returnedView(page) {
  const authorized = (await count(page, "#authorized")) > 0;
  const failed = (await count(page, "#face-failed")) > 0;
  return {
    title: await page.locator("h1").innerText(),
    authorizationId: authorized ? await page.getAttribute("#authorized", "data-authorization-id") : null,
    faceFailed: failed ? await page.locator("#face-failed").innerText() : null,
    faceButton: await count(page, "#face-start"),
    smsOffered: await count(page, "#code"),
  };
}

// Clicks "start face verification" and waits until the browser is back from the provider on a
// new document (a previous failure notice is removed first, so only a fresh page has one).
// Generous timeouts: the round trip crosses two servers on a busy machine.
async function viaFace(page) {
  await page.evaluate(() => document.querySelectorAll("#face-failed").forEach((e) => e.remove()));
  let status = null;
  const onResponse = (r) => {
    if (BACK.test(new URL(r.url()).pathname) && r.request().isNavigationRequest()) { status = r.status(); }
  };
  page.on("response", onResponse);
  try {
    await page.click("#face-start");
    await page.waitForSelector("#face-failed, #authorized", { timeout: 60000 });
    await page.waitForLoadState("load");
  } catch (err) {
    const notice = await page.locator("#notice").innerText().catch(() => "");
    throw new Error(`no return from the face check (page notice: ${JSON.stringify(notice)}): ${err}`);
  } finally {
    page.off("response", onResponse);
  }
  return Object.assign({ status, path: new URL(page.url()).pathname.replace(/^\/p\/[^/]+/, "") }, await returnedView(page));
}

module.exports = async function faceAuthorize(h, browser, input) {
  const { ctx, errors } = await h.context(browser, "phone");
  const page = await ctx.newPage();
  const opened = await page.goto(input.url);
  const seen = {
    status: opened.status(),
    faceButton: await count(page, "#face-start"),
    faceUnavailable: await count(page, "#face-unavailable"),
    smsOffered: await count(page, "#code"),
  };
  const violations = await h.axe(page);
  await h.shot(page, "face-authorize-open");
  const returned = await viaFace(page);
  violations.push(...(await h.axe(page)));
  await h.shot(page, returned.authorizationId ? "face-authorize-granted" : "face-authorize-failed");
  let retried = null;
  if (input.retry && returned.faceButton > 0) {
    retried = await viaFace(page);
  }
  await ctx.close();
  return { seen, returned, retried, violations, errors };
};
