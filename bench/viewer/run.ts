/**
 * viewer benchmark: how smoothly the page draws a live plant in Chromium,
 * and what it costs the network, at the flagship's size and at the issue's
 * size (200 cobots, 500 machines).
 *
 *   npm run bench:viewer               # 15 s measured per case
 *   npm run bench:viewer -- --quick    # 5 s
 *
 * Each case runs the plant live (scaled real time) with the socket.io server
 * in this process and one page in headless Chromium (Debian's, through
 * playwright-core) on the same 2-core machine. After a warm-up it measures,
 * over the window: the browser's animation frames per second
 * (requestAnimationFrame callbacks, what "smooth" means; the page draws the
 * floor on every one, interpolating cobots) and the longest gap between two;
 * the data frames the server sent per second (at most 10: one per 100 ms
 * period, and only after the page acknowledged the previous one, so the rate
 * adapts to the page); bytes per second
 * sent to the client (socket.io packets); the server's time to build a
 * frame; and the simulated speed the page saw (simulated seconds shown per
 * wall second). Writes
 * bench/results/viewer.json and prints a Markdown table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { projectRoot } from '../../runtime/paths.js';
import { loadScenario } from '../../scenarios/load.js';
import type { Scenario } from '../../scenarios/schema.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { ViewerServer } from '../../bridges/viewer/server.js';
import { launchChromium } from '../../test/support/chromium.js';
import { largePlant } from './large-plant.js';

const quick = process.argv.includes('--quick');
const windowSeconds = quick ? 5 : 15;
const warmupSeconds = 4;
const root = projectRoot();

interface Case {
  name: string;
  scenario: Scenario;
  speed: number;
}

const cases: Case[] = [
  { name: 'flagship (6 cobots, 6 machines)', scenario: loadScenario(join(root, 'scenarios/turbine-failure.yaml')), speed: 60 },
  { name: 'large (200 cobots, 500 machines)', scenario: largePlant(200, 500), speed: 10 },
  { name: 'large (200 cobots, 500 machines)', scenario: largePlant(200, 500), speed: 60 },
];

interface Row {
  case: string;
  speed: number;
  cobots: number;
  machines: number;
  animationFps: number;
  longestGapMs: number;
  dataFramesPerSecond: number;
  bytesPerSecond: number;
  snapshotBytes: number;
  frameBuildMsMean: number;
  frameBuildMsP99: number;
  achievedSpeed: number;
}

async function measure(c: Case): Promise<Row> {
  const plant = new LivePlant(c.scenario, { speed: c.speed });
  // Time the server's frame building (the source's part of each period).
  const builds: number[] = [];
  const frame = plant.frame.bind(plant);
  plant.frame = () => {
    const t0 = performance.now();
    const f = frame();
    builds.push(performance.now() - t0);
    return f;
  };
  const server = await ViewerServer.start(plant, { port: 0, staticDir: join(root, 'viewer', 'dist'), operatorToken: 'bench' });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(`${server.url}?token=bench`);
    await page.waitForFunction('window.__viewer && window.__viewer.frames > 2', undefined, { timeout: 60000 });
    await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
    await page.evaluate(`(() => {
      const m = window.__bench = { raf: 0, longest: 0, last: performance.now() };
      const loop = (now) => { m.raf++; m.longest = Math.max(m.longest, now - m.last); m.last = now; requestAnimationFrame(loop); };
      requestAnimationFrame(loop);
    })()`);
    const frames0 = server.stats.framesSent;
    const bytes0 = server.stats.bytesSent;
    const sim0 = (await page.evaluate('window.__viewer.t')) as number;
    builds.length = 0;
    const wall0 = performance.now();
    await new Promise((r) => setTimeout(r, windowSeconds * 1000));
    const wall = (performance.now() - wall0) / 1000;
    const bench = (await page.evaluate('({ raf: window.__bench.raf, longest: window.__bench.longest })')) as { raf: number; longest: number };
    const frames = server.stats.framesSent - frames0;
    const bytes = server.stats.bytesSent - bytes0;
    const sim = ((await page.evaluate('window.__viewer.t')) as number) - sim0;
    const sorted = [...builds].sort((a, b) => a - b);
    const snapshot = Buffer.byteLength(JSON.stringify(frame()));
    return {
      case: c.name,
      speed: c.speed,
      cobots: c.scenario.cobots?.count ?? 0,
      machines: plant.frame().machines.length,
      animationFps: bench.raf / wall,
      longestGapMs: bench.longest,
      dataFramesPerSecond: frames / wall,
      bytesPerSecond: bytes / wall,
      snapshotBytes: snapshot,
      frameBuildMsMean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
      frameBuildMsP99: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0,
      achievedSpeed: sim / wall,
    };
  } finally {
    await browser.close();
    await server.close();
    await plant.close();
  }
}

const rows: Row[] = [];
for (const c of cases) {
  process.stderr.write(`${c.name} at ×${c.speed} …\n`);
  rows.push(await measure(c));
}

const f = (x: number, d = 1) => x.toFixed(d);
const table = [
  '| case | speed | animation fps | longest gap (ms) | data frames/s | KB/s per client | snapshot KB | frame build ms (mean / p99) | achieved speed |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.case} | ×${r.speed} | ${f(r.animationFps)} | ${f(r.longestGapMs, 0)} | ${f(r.dataFramesPerSecond)} | ${f(r.bytesPerSecond / 1024)} | ${f(r.snapshotBytes / 1024)} | ${f(r.frameBuildMsMean, 2)} / ${f(r.frameBuildMsP99, 2)} | ×${f(r.achievedSpeed)} |`,
  ),
].join('\n');
const out = {
  benchmark: 'viewer',
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, kernel: release(), node: process.version },
  windowSeconds,
  rows,
};
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'viewer.json'), JSON.stringify(out, null, 2) + '\n');
process.stdout.write(table + '\n');
