import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { loadScenario } from '../../scenarios/load.js';
import { projectRoot } from '../../runtime/paths.js';
import { runPlant } from '../../runtime/plant.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { ReplayPlant } from '../../runtime/view/replay-plant.js';
import type { ViewSource } from '../../runtime/view/view-source.js';
import { ViewerServer } from '../../bridges/viewer/server.js';
import { launchChromium } from '../support/chromium.js';

/**
 * The viewer page in real headless Chromium (Debian's `chromium`, driven by
 * playwright-core), against the real socket.io server and a live plant.
 */
const root = projectRoot();
const staticDir = join(root, 'viewer', 'dist');
const scenario = loadScenario(join(root, 'scenarios/turbine-failure.yaml'));
const TOKEN = 'e2e-operator';

let browser: Browser;
const servers: { server: ViewerServer; source: ViewSource }[] = [];

async function serve(source: ViewSource): Promise<ViewerServer> {
  const server = await ViewerServer.start(source, { port: 0, operatorToken: TOKEN, staticDir });
  servers.push({ server, source });
  return server;
}

/** Opens the page and collects console errors and uncaught exceptions. */
async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction('window.__viewer && window.__viewer.connected && window.__viewer.frames > 3', undefined, { timeout: 20000 });
  return { page, errors };
}

const cobotPositions = (page: Page) => page.evaluate('JSON.stringify([...(window.__viewer.state.cobots.values?.() ?? Object.values(window.__viewer.state.cobots))].map(c => [c.id, c.x, c.y]))') as Promise<string>;

beforeAll(async () => {
  expect(existsSync(join(staticDir, 'index.html')), 'the page is built by npm run build').toBe(true);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const { server, source } of servers) {
    await server.close();
    await source.close();
  }
});

describe('viewer page in Chromium, live', () => {
  it('loads without console errors, shows the run, and cobots move', async () => {
    const server = await serve(new LivePlant(scenario, { speed: 120 }));
    const { page, errors } = await open(`${server.url}?token=${TOKEN}`);
    await expect.poll(() => page.getByTestId('header').textContent()).toMatch(/turbine-failure/);
    await expect.poll(() => page.getByTestId('machine-row').count()).toBe(6);
    const before = await cobotPositions(page);
    await expect.poll(() => cobotPositions(page), { timeout: 15000 }).not.toBe(before);
    const t0 = (await page.evaluate('window.__viewer.t')) as number;
    await expect.poll(() => page.evaluate('window.__viewer.t'), { timeout: 10000 }).toBeGreaterThan(t0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('an operator injects a fault: an alert appears and the machine changes colour', async () => {
    const server = await serve(new LivePlant(scenario, { speed: 60 }));
    const { page, errors } = await open(`${server.url}?token=${TOKEN}`);
    await page.locator('[data-testid="machine-row"][data-id="press-1"]').click();
    await expect.poll(() => page.getByTestId('machine-panel').textContent()).toMatch(/press-1/);
    const colourBefore = await page.evaluate('window.__viewer.machineColour("press-1")');
    await page.getByTestId('inject-fault').click();
    await expect.poll(() => page.getByTestId('alerts').textContent(), { timeout: 10000 }).toMatch(/press-1 broke down/);
    await expect.poll(() => page.evaluate('window.__viewer.machineColour("press-1")'), { timeout: 10000 }).not.toBe(colourBefore);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('is read-only without the token: controls are not usable', async () => {
    const server = await serve(new LivePlant(scenario, { speed: 60 }));
    const { page, errors } = await open(server.url);
    await expect.poll(() => page.getByTestId('header').textContent()).toMatch(/read-only/i);
    const usable = await page.evaluate(
      `['pause', 'reset', 'command-send'].map(id => { const e = document.querySelector('[data-testid="' + id + '"]'); return !!e && e.offsetParent !== null && !e.disabled; })`,
    );
    expect(usable).toEqual([false, false, false]);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('viewer page in Chromium, replay', () => {
  it('moves time with the replay slider', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'hf-page-')), 'run.ndjson');
    runPlant(scenario, { until: 5 * 86400, logPath: log });
    const server = await serve(new ReplayPlant(scenario, log, { speed: 60 }));
    const { page, errors } = await open(server.url);
    const slider = page.getByTestId('replay-slider');
    await expect.poll(() => slider.isVisible()).toBe(true);
    const target = 3 * 86400;
    await slider.evaluate((el, t) => {
      const input = el as unknown as { value: string; dispatchEvent(e: unknown): boolean };
      input.value = String(t);
      input.dispatchEvent(new (globalThis as unknown as { Event: new (type: string, init: object) => unknown }).Event('input', { bubbles: true }));
      input.dispatchEvent(new (globalThis as unknown as { Event: new (type: string, init: object) => unknown }).Event('change', { bubbles: true }));
    }, target);
    await expect.poll(() => page.evaluate('window.__viewer.t'), { timeout: 10000 }).toBeGreaterThanOrEqual(target);
    await expect.poll(() => page.getByTestId('sim-time').textContent()).toMatch(/day 4/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
