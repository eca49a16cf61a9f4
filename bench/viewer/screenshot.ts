/**
 * The README's picture of the live page: the flagship scenario run fast to
 * the day its turbine is being serviced, then at ×60 with the turbine's
 * panel open, in headless Chromium.
 *
 *   npm run build && node dist/bench/viewer/screenshot.js [OUT.png]
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectRoot } from '../../runtime/paths.js';
import { loadScenario } from '../../scenarios/load.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { ViewerServer } from '../../bridges/viewer/server.js';
import { launchChromium } from '../../test/support/chromium.js';

const root = projectRoot();
const out = process.argv[2] ?? join(root, 'docs', 'images', 'viewer.png');
const stopAt = Number(process.env.AT_DAYS ?? 16.6) * 86400;
const plant = new LivePlant(loadScenario(join(root, 'scenarios/turbine-failure.yaml')), { speed: 200000 });
const server = await ViewerServer.start(plant, { port: 0, staticDir: join(root, 'viewer', 'dist'), operatorToken: 'shot' });
const browser = await launchChromium();
try {
  // Fast to half a day before, then slower so the stop lands close to the asked time.
  while ((plant.context?.kernel.now ?? 0) < stopAt - 43200) await new Promise((r) => setTimeout(r, 50));
  await plant.control({ action: 'speed', speed: 3600 });
  while ((plant.context?.kernel.now ?? 0) < stopAt) await new Promise((r) => setTimeout(r, 20));
  await plant.control({ action: 'speed', speed: 60 });
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.goto(`${server.url}?token=shot`);
  await page.waitForFunction('window.__viewer && window.__viewer.frames > 5');
  await page.locator('[data-testid="machine-row"][data-id="turbine-1"]').click();
  await new Promise((r) => setTimeout(r, 4000));
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: true });
  process.stdout.write(`${out}\n`);
} finally {
  await browser.close();
  await server.close();
  await plant.close();
}
