#!/usr/bin/env node
// Runs axe-core (WCAG 2.2 AA tags) on appendix HTML files in headless Chromium.
//
// Usage: node scripts/axe-check.cjs MODULES_DIR PAGE.html [PAGE.html ...]
//
// MODULES_DIR is a folder with node_modules/axe-core and node_modules/playwright-core
// (e.g. `npm install --prefix target/axe axe-core playwright-core`). Chromium is taken
// from $CHROMIUM or /usr/bin/chromium. axe is injected into the page for the test only;
// the appendix itself has no script. Exit 0 = no violation, 1 = violations, 2 = usage.
const path = require("path");
const fs = require("fs");

async function main() {
  const [dir, ...pages] = process.argv.slice(2);
  if (!dir || pages.length === 0) {
    console.error("usage: node scripts/axe-check.cjs MODULES_DIR PAGE.html [PAGE.html ...]");
    process.exit(2);
  }
  const req = require("module").createRequire(path.resolve(dir, "node_modules") + "/");
  const { chromium } = req("playwright-core");
  const axeSource = fs.readFileSync(req.resolve("axe-core/axe.min.js"), "utf8");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu"],
  });
  let total = 0;
  try {
    for (const p of pages) {
      const page = await browser.newPage({ viewport: { width: 1240, height: 1754 } });
      await page.goto("file://" + path.resolve(p));
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(async () =>
        // eslint-disable-next-line no-undef
        await axe.run(document, {
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
          resultTypes: ["violations"],
        })
      );
      const v = result.violations;
      console.log(`${v.length === 0 ? "ok  " : "FAIL"} ${p}: ${v.length} axe-core violation(s) of WCAG 2.2 AA (axe ${result.testEngine.version}), ${result.passes.length} rules passed`);
      for (const x of v) {
        console.log(`     ${x.id} (${x.impact}): ${x.help} — ${x.nodes.length} node(s)`);
        for (const n of x.nodes.slice(0, 3)) console.log(`       ${n.target.join(" ")}: ${n.failureSummary.replace(/\n/g, " ")}`);
      }
      total += v.length;
      await page.close();
    }
  } finally {
    await browser.close();
  }
  process.exit(total === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error("axe-check: " + (e && e.stack ? e.stack : e));
  process.exit(2);
});
