// Browser harness for Signet's pages: Debian's chromium driven by playwright-core, axe-core for
// accessibility, screenshots on demand. Scenarios get (ctx, input) and return a JSON-able result;
// run.js prints it as one line for the Rust test to assert on.
"use strict";
const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");

const CHROMIUM = process.env.SIGNET_CHROMIUM || "/usr/bin/chromium";
const VIEWPORTS = {
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, isMobile: false, hasTouch: false },
};

async function launch() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`chromium not found at ${CHROMIUM}: install Debian's chromium package (scripts/test.sh does)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update",
      "--no-first-run", "--disable-dev-shm-usage"],
  });
}

// A fresh browser context (cookies, storage) at one of the named sizes.
async function context(browser, size, extra) {
  const options = Object.assign({ locale: "zh-CN", acceptDownloads: true }, VIEWPORTS[size], extra || {});
  const ctx = await browser.newContext(options);
  const errors = [];
  ctx.on("page", (page) => {
    page.on("pageerror", (e) => errors.push(String(e)));
    // HTTP statuses are asserted by the scenarios themselves (a 410 state page is expected);
    // everything else logged as an error (CSP refusals included) is a failure.
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) { errors.push(m.text()); }
    });
  });
  return { ctx, errors };
}

// Runs axe-core in the page and returns serious and critical violations (id, impact, targets).
async function axe(page) {
  const source = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  // Evaluated through the DevTools protocol, so the page's CSP (no inline script) does not apply.
  await page.evaluate(source);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) }));
}

// Saves a full-page screenshot when SIGNET_SCREENSHOTS names a directory.
async function shot(page, name) {
  const dir = process.env.SIGNET_SCREENSHOTS;
  if (!dir) { return null; }
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Waits for the newest outbox message to `recipient` after `count` lines and returns its code.
async function outboxCode(outboxPath, recipient, after, timeoutMs) {
  const deadline = Date.now() + (timeoutMs || 10000);
  for (;;) {
    const lines = fs.existsSync(outboxPath) ? fs.readFileSync(outboxPath, "utf8").split("\n").filter(Boolean) : [];
    const fresh = lines.slice(after).map((l) => JSON.parse(l)).filter((m) => JSON.stringify(m).includes(recipient));
    if (fresh.length > 0) {
      const text = JSON.stringify(fresh[fresh.length - 1]);
      const match = text.match(/(\d{6})/);
      if (match) { return match[1]; }
    }
    if (Date.now() > deadline) { throw new Error(`no code for ${recipient} in ${outboxPath}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function outboxLines(outboxPath) {
  return fs.existsSync(outboxPath) ? fs.readFileSync(outboxPath, "utf8").split("\n").filter(Boolean).length : 0;
}

module.exports = { launch, context, axe, shot, outboxCode, outboxLines, VIEWPORTS };
