/**
 * factory-des benchmark: HyperFactory's actor system against SimPy, on the
 * same machine in one run (shared/bench/factory-des.md §7, §8).
 *
 *   npm run bench:factory-des            # speed at M = 10, 100, 1000; memory; equivalence
 *   npm run bench:factory-des -- --quick # one timing run per case, 3 seeds for equivalence
 *
 * Writes bench/results/factory-des.json and prints a Markdown report.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../runtime/paths.js';
import { mean, sampleSd } from '../../sim/stats/summary.js';

type Line = Record<string, number | string>;

const root = projectRoot();
const quick = process.argv.includes('--quick');
// The shared folder sits beside the project's folder (as in CI's clone).
const simpyScript = join(root, '..', 'shared', 'bench', 'peers', 'simpy_factory.py');
if (!existsSync(simpyScript)) throw new Error(`SimPy peer not found at ${simpyScript}`);
const cli = join(root, 'bin', 'hyperfactory.js');

/** Runs a command, returns its JSON line and the peak RSS of the child (kB), via getrusage(RUSAGE_CHILDREN). */
function measure(cmd: string[]): { out: Line; maxRssKb: number } {
  const wrapper =
    'import json,resource,subprocess,sys\n' +
    'p=subprocess.run(sys.argv[1:],capture_output=True,text=True)\n' +
    'sys.stderr.write(p.stderr)\n' +
    'print(json.dumps({"rc":p.returncode,"out":p.stdout,"rss":resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))';
  const res = JSON.parse(execFileSync('/usr/bin/python3', ['-c', wrapper, ...cmd], { encoding: 'utf8', maxBuffer: 1 << 26 }));
  if (res.rc !== 0) throw new Error(`${cmd.join(' ')} failed with code ${res.rc}`);
  return { out: JSON.parse(res.out.trim().split('\n').at(-1)), maxRssKb: res.rss };
}

const impls = {
  simpy: (m: number, d: number, s: number, k?: number) =>
    ['/usr/bin/python3', simpyScript, '--machines', `${m}`, '--days', `${d}`, '--seed', `${s}`, ...(k ? ['--technicians', `${k}`] : []), '--json'],
  hyperfactory: (m: number, d: number, s: number, k?: number) =>
    [process.execPath, cli, 'bench', 'factory-des', '--machines', `${m}`, '--days', `${d}`, '--seed', `${s}`, ...(k ? ['--technicians', `${k}`] : []), '--json'],
};
type Impl = keyof typeof impls;

const cases = [
  { name: 'small', machines: 10, days: 365 },
  { name: 'medium', machines: 100, days: 365 },
  { name: 'large', machines: 1000, days: 30 },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const repeats = quick ? 1 : 3;
const speed: Record<string, Record<Impl, { wall_s: number; events: number; events_per_s: number; maxRssMb: number; runs: number[] }>> = {};
for (const c of cases) {
  speed[c.name] = {} as never;
  // Interleave the engines so drifts in machine load hit both alike.
  const walls: Record<Impl, number[]> = { simpy: [], hyperfactory: [] };
  const rss: Record<Impl, number[]> = { simpy: [], hyperfactory: [] };
  let events: Record<Impl, number> = { simpy: 0, hyperfactory: 0 };
  for (let r = 0; r < repeats; r++) {
    for (const impl of Object.keys(impls) as Impl[]) {
      const { out, maxRssKb } = measure(impls[impl](c.machines, c.days, 1));
      walls[impl].push(Number(out.wall_s));
      rss[impl].push(maxRssKb / 1024);
      events = { ...events, [impl]: Number(out.events) };
      process.stderr.write(`${c.name} ${impl} run ${r + 1}: ${Number(out.wall_s).toFixed(3)} s\n`);
    }
  }
  for (const impl of Object.keys(impls) as Impl[]) {
    const w = median(walls[impl]);
    speed[c.name][impl] = { wall_s: w, events: events[impl], events_per_s: events[impl] / w, maxRssMb: Math.max(...rss[impl]), runs: walls[impl] };
  }
}

// Equivalence (§8): medium case, seeds 1..R, mutual 99% intervals.
const R = quick ? 3 : 10;
const KPIS = ['jobs_completed', 'jobs_scrapped', 'failures', 'downtime_s', 'technician_utilisation', 'mean_wait_s', 'events'];
const T995: Record<number, number> = { 2: 9.925, 9: 3.25, 29: 2.756 };
const samples: Record<Impl, Line[]> = { simpy: [], hyperfactory: [] };
for (let s = 1; s <= R; s++) {
  for (const impl of Object.keys(impls) as Impl[]) samples[impl].push(measure(impls[impl](100, 365, s)).out);
  process.stderr.write(`equivalence seed ${s} done\n`);
}
const identities = (r: Line) => {
  const n = (k: string) => Number(r[k]);
  return (
    n('jobs_scrapped') === n('failures') &&
    n('failures') === n('repairs_started') + n('waiting_at_end') &&
    n('down_at_end') === n('failures') - n('repairs_completed') &&
    n('events') === n('jobs_completed') + n('failures') + n('repairs_started') + n('repairs_completed')
  );
};
const equivalence = KPIS.map((k) => {
  const a = samples.hyperfactory.map((r) => Number(r[k]));
  const b = samples.simpy.map((r) => Number(r[k]));
  const t = T995[R - 1];
  const [ma, mb] = [mean(a), mean(b)];
  const [ha, hb] = [(t * sampleSd(a)) / Math.sqrt(R), (t * sampleSd(b)) / Math.sqrt(R)];
  const mutual = Math.abs(ma - mb) <= hb && Math.abs(ma - mb) <= ha;
  const rel = Math.abs(ma - mb) / ((ma + mb) / 2);
  const countKpi = ['jobs_completed', 'jobs_scrapped', 'failures', 'events'].includes(k);
  const agrees = mutual || (countKpi && Math.min(ma, mb) >= 10000 && rel <= 0.02);
  return { kpi: k, hyperfactory: { mean: ma, h99: ha }, simpy: { mean: mb, h99: hb }, relDiff: rel, agrees };
});
const identitiesHold = [...samples.hyperfactory, ...samples.simpy].every(identities);

const env = {
  cpu: `${cpus()[0].model} × ${cpus().length}`,
  os: `Linux ${release()}`,
  node: process.versions.node,
  python: String(samples.simpy[0].runtime),
  hyperfactory: String(samples.hyperfactory[0].runtime),
  date: new Date().toISOString().slice(0, 10),
  repeats,
  quick,
};
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'factory-des.json'), JSON.stringify({ env, speed, equivalence, identitiesHold, seeds: R }, null, 2) + '\n');

const fmt = (x: number, d = 2) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const lines = [
  `Machine: ${env.cpu}, ${env.os}; Node ${env.node} (${env.hyperfactory}); ${env.python}. Median of ${repeats} run(s), seed 1.`,
  '',
  '| case | M | days | SimPy wall s | SimPy events/s | HyperFactory wall s | HyperFactory events/s | ratio (HF / SimPy) | peak RSS SimPy MB | peak RSS HF MB |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...cases.map((c) => {
    const s = speed[c.name].simpy;
    const h = speed[c.name].hyperfactory;
    return `| ${c.name} | ${c.machines} | ${c.days} | ${fmt(s.wall_s, 3)} | ${fmt(s.events_per_s, 0)} | ${fmt(h.wall_s, 3)} | ${fmt(h.events_per_s, 0)} | ${fmt(h.events_per_s / s.events_per_s)}× | ${fmt(s.maxRssMb, 0)} | ${fmt(h.maxRssMb, 0)} |`;
  }),
  '',
  `Equivalence (§8, medium case, seeds 1–${R}, 99% mutual intervals): ${equivalence.every((e) => e.agrees) && identitiesHold ? 'equivalent' : 'NOT equivalent'}; identities of §4 ${identitiesHold ? 'hold in every run' : 'FAIL'}.`,
  '',
  '| KPI | HyperFactory mean ± h99 | SimPy mean ± h99 | rel. diff | agrees |',
  '| --- | ---: | ---: | ---: | :---: |',
  ...equivalence.map(
    (e) => `| ${e.kpi} | ${fmt(e.hyperfactory.mean, 4)} ± ${fmt(e.hyperfactory.h99, 4)} | ${fmt(e.simpy.mean, 4)} ± ${fmt(e.simpy.h99, 4)} | ${fmt(e.relDiff * 100, 3)}% | ${e.agrees ? 'yes' : 'no'} |`,
  ),
];
process.stdout.write(lines.join('\n') + '\n');
