// Usage: node run.js <scenario> <input.json>
// Runs tests/browser/scenarios/<scenario>.js with the parsed input and prints its result as
// one JSON line on stdout. Any failure prints {"error": ...} and exits 1, so the Rust test
// fails with the reason (a missing chromium included).
"use strict";
const fs = require("fs");
const path = require("path");

async function main() {
  const [name, inputFile] = process.argv.slice(2);
  if (!/^[a-z0-9-]+$/.test(name || "")) { throw new Error("usage: node run.js <scenario> <input.json>"); }
  const input = JSON.parse(fs.readFileSync(inputFile, "utf8"));
  const scenario = require(path.join(__dirname, "scenarios", `${name}.js`));
  const harness = require("./lib/harness");
  const browser = await harness.launch();
  try {
    const result = await scenario(harness, browser, input);
    process.stdout.write(JSON.stringify(result) + "\n");
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ error: String(err && err.stack || err) }) + "\n");
  process.exit(1);
});
