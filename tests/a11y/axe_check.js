// Usage: node axe_check.js FILE.html  -> prints one JSON object to stdout.
// WCAG 2.1 A/AA + best-practice rules at laptop and phone width, and a reflow check
// (no horizontal scrolling of the page at 420 and 320 CSS px, WCAG 1.4.10).
const path = require('path');
const { chromium } = require('playwright-core');

(async () => {
  const file = path.resolve(process.argv[2]);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  const page = await browser.newPage();
  await page.goto('file://' + file, { waitUntil: 'load' });
  await page.addScriptTag({ path: require.resolve('axe-core') });
  const out = { violations: {}, reflow: {} };
  for (const width of [1366, 420]) {
    await page.setViewportSize({ width, height: 900 });
    const res = await page.evaluate(() => axe.run(document, {
      runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
    out.violations[width] = res.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }));
  }
  for (const width of [420, 320]) {
    await page.setViewportSize({ width, height: 800 });
    out.reflow[width] = await page.evaluate(() => document.documentElement.scrollWidth);
  }
  await browser.close();
  console.log(JSON.stringify(out));
})().catch(e => { console.error(e); process.exit(1); });
