import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { loadScenario } from '../../scenarios/load.js';
import { projectRoot } from '../../runtime/paths.js';
import { runPlant, type RunResult } from '../../runtime/plant.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { ReplayPlant } from '../../runtime/view/replay-plant.js';
import type { ViewSource } from '../../runtime/view/view-source.js';
import { ViewerServer } from './server.js';
import type { Ack, Delta, Hello, MachineDetail, Snapshot } from './protocol.js';
import { waitUntil } from '../../test/support/wait.js';

const scenario = loadScenario(join(projectRoot(), 'scenarios/turbine-failure.yaml'));
const DAY = 86400;

/** A socket.io client that records what it gets; `ackFrames` false makes it a client that never finishes drawing. */
function client(url: string, token?: string, ackFrames = true) {
  const socket: Socket = io(url, { auth: token ? { token } : {}, transports: ['websocket'], forceNew: true });
  const got = { hello: undefined as Hello | undefined, snapshots: [] as Snapshot[], deltas: [] as Delta[] };
  socket.on('hello', (h: Hello) => (got.hello = h));
  socket.on('snapshot', (s: Snapshot, ack: () => void) => {
    got.snapshots.push(s);
    if (ackFrames) ack();
  });
  socket.on('delta', (d: Delta, ack: () => void) => {
    got.deltas.push(d);
    if (ackFrames) ack();
  });
  const call = <T>(event: string, payload: unknown) => new Promise<Ack<T>>((resolve) => socket.emit(event, payload, resolve));
  return { socket, got, call };
}

const until = (check: () => boolean, what: string, ms = 15000) => waitUntil(what, check, ms);

const open: { server?: ViewerServer; source?: ViewSource; sockets: Socket[] } = { sockets: [] };
afterEach(async () => {
  for (const s of open.sockets) s.disconnect();
  open.sockets = [];
  await open.server?.close();
  await open.source?.close();
  open.server = open.source = undefined;
});

async function serve(source: ViewSource, frameMs = 20): Promise<ViewerServer> {
  open.source = source;
  open.server = await ViewerServer.start(source, { port: 0, operatorToken: 'op-secret', frameMs });
  return open.server;
}

describe('viewer server on a live plant', () => {
  it('greets, snapshots, then sends deltas; an operator injects a fault and sees the machine fail with an alert', async () => {
    const server = await serve(new LivePlant(scenario, { speed: 3600 }));
    const op = client(server.url, 'op-secret');
    open.sockets.push(op.socket);
    await until(() => op.got.snapshots.length > 0 && op.got.deltas.length > 3, 'first frames');
    expect(op.got.hello).toMatchObject({ protocol: 1, role: 'admin', source: 'live', scenario: 'turbine-failure', seed: 7, policy: 'predictive' });
    const snap = op.got.snapshots[0];
    expect(snap.machines.map((m) => m.id)).toEqual(['turbine-1', 'press-1', 'press-2', 'cnc-1', 'cnc-2', 'cnc-3']);
    expect(snap.cobots).toHaveLength(6);
    expect(snap.stock.map((s) => s.item)).toEqual(['bearing-kit', 'seal-kit', 'spindle-bearing']);
    expect(snap.floor.places.map((p) => p.id)).toContain('cell-turbine');
    // Far-away logistics places are not on the floor plan.
    expect(snap.floor.places.map((p) => p.id)).not.toContain('north-works');
    for (const c of snap.cobots) {
      expect(c.x).toBeGreaterThanOrEqual(snap.floor.bounds.minX);
      expect(c.x).toBeLessThanOrEqual(snap.floor.bounds.maxX);
      expect(c.battery).toBeGreaterThan(0.9);
    }
    // Simulated time moves, and deltas only carry what changed.
    await until(() => op.got.deltas.some((d) => d.cobots?.length), 'a cobot moving');
    const lastT = op.got.deltas.at(-1)!.t;
    expect(lastT).toBeGreaterThan(snap.t);
    const quiet = op.got.deltas.filter((d) => !d.machines);
    expect(quiet.length).toBeGreaterThan(0);

    const ack = await op.call<{ machine: string }>('control', { action: 'fault', machine: 'turbine-1' });
    expect(ack).toMatchObject({ ok: true, value: { machine: 'turbine-1' } });
    await until(() => op.got.deltas.some((d) => d.machines?.some((m) => m.id === 'turbine-1' && m.state === 'failed')), 'turbine-1 failed');
    await until(() => op.got.deltas.some((d) => d.alerts?.some((a) => a.severity === 'critical' && a.subject === 'turbine-1' && /injected/.test(a.text))), 'the alert');
    // A stopped machine cannot be broken again; an unknown one is named.
    expect(await op.call('control', { action: 'fault', machine: 'turbine-1' })).toMatchObject({ ok: false, reason: expect.stringMatching(/stopped already/) });
    expect(await op.call('control', { action: 'fault', machine: 'nope' })).toMatchObject({ ok: false, reason: 'no machine "nope" in turbine-failure' });

    const detail = await op.call<MachineDetail>('machine.detail', { id: 'turbine-1' });
    expect(detail.ok).toBe(true);
    expect(detail.ok && detail.value!.history.some((h) => h.kind === 'failure')).toBe(true);
  });

  it('is read-only without the operator token, refuses a wrong token, rejects malformed input and keeps serving', async () => {
    const server = await serve(new LivePlant(scenario, { speed: 600 }));
    const viewer = client(server.url);
    const wrong = client(server.url, 'guess');
    let refused = '';
    wrong.socket.once('connect_error', (e: Error) => (refused = e.message));
    open.sockets.push(viewer.socket, wrong.socket);
    await until(() => viewer.got.snapshots.length > 0 && refused !== '', 'hello and the refusal');
    expect(viewer.got.hello!.role).toBe('viewer');
    // A wrong token is refused, not quietly read-only: whoever holds it should know.
    expect(refused).toBe('unknown or revoked token');
    expect(wrong.got.hello).toBeUndefined();
    for (const c of [{ action: 'pause' }, { action: 'fault', machine: 'press-1' }, { action: 'command', text: 'pause cell-press' }]) {
      expect(await viewer.call('control', c)).toEqual({ ok: false, reason: 'read-only: this control needs the operator role (a token)' });
    }
    expect(await viewer.call('control', { action: 'reset' })).toEqual({ ok: false, reason: 'read-only: this control needs the admin role (a token)' });
    const before = server.stats.rejected;
    expect(await viewer.call('control', { action: 'speed', speed: -3 })).toMatchObject({ ok: false, reason: expect.stringMatching(/^malformed control: speed:/) });
    expect(await viewer.call('control', 'pause')).toMatchObject({ ok: false, reason: expect.stringMatching(/^malformed control/) });
    expect(await viewer.call('machine.detail', { id: 42 })).toEqual({ ok: false, reason: 'expected { id: string }' });
    viewer.socket.emit('no.such.event', { x: 1 });
    viewer.socket.emit('control', { action: 'pause' }); // without an acknowledgement callback
    await until(() => server.stats.rejected >= before + 5, 'rejections counted');
    const n = viewer.got.deltas.length;
    await until(() => viewer.got.deltas.length > n + 2, 'frames after bad input');
  });

  it('sends a client that does not acknowledge no further frames, while others keep theirs', async () => {
    const server = await serve(new LivePlant(scenario, { speed: 600 }), 10);
    const slow = client(server.url, undefined, false);
    const fast = client(server.url);
    open.sockets.push(slow.socket, fast.socket);
    await until(() => fast.got.deltas.length > 20, 'twenty deltas to the fast client');
    expect(slow.got.snapshots.length + slow.got.deltas.length).toBe(1);
  });

  it('a reset starts the plant over and every client gets a new snapshot', async () => {
    const server = await serve(new LivePlant(scenario, { speed: 20000 }));
    const op = client(server.url, 'op-secret');
    open.sockets.push(op.socket);
    await until(() => (op.got.deltas.at(-1)?.t ?? 0) > 2 * 3600, 'two simulated hours');
    expect(await op.call('control', { action: 'reset' })).toEqual({ ok: true });
    await until(() => op.got.snapshots.length === 2, 'the second snapshot');
    expect(op.got.snapshots[1].t).toBeLessThan(2 * 3600);
  });

  it('watching a run does not change it: same logHash as the discrete-event run', async () => {
    const horizon = 2 * DAY;
    const dir = mkdtempSync(join(tmpdir(), 'hf-viewer-'));
    const expected = runPlant(scenario, { until: horizon });
    let watched: RunResult | undefined;
    const server = await serve(new LivePlant(scenario, { speed: 40000, until: horizon, logPath: join(dir, 'live.ndjson'), onFinished: (r) => (watched = r) }), 5);
    const a = client(server.url);
    const b = client(server.url, 'op-secret');
    open.sockets.push(a.socket, b.socket);
    await until(() => watched !== undefined, 'the run to end', 60000);
    expect(a.got.deltas.length).toBeGreaterThan(10);
    expect(watched!.logHash).toBe(expected.logHash);
    await until(() => a.got.deltas.at(-1)?.finished === true, 'a finished frame');
    expect(a.got.deltas.at(-1)!.t).toBe(horizon);
  });
});

describe('viewer server on a replay', () => {
  it('plays a recorded log, seeks both ways for any viewer, and refuses faults', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-replay-'));
    const log = join(dir, 'run.ndjson');
    const recorded = runPlant(scenario, { until: 20 * DAY, logPath: log });
    const server = await serve(new ReplayPlant(scenario, log, { speed: 3600 }));
    const viewer = client(server.url);
    open.sockets.push(viewer.socket);
    await until(() => viewer.got.snapshots.length > 0, 'snapshot');
    expect(viewer.got.hello).toMatchObject({ source: 'replay', horizon: 20 * DAY, role: 'viewer' });

    expect(await viewer.call('control', { action: 'seek', t: 19.9 * DAY })).toMatchObject({ ok: true });
    await until(() => viewer.got.snapshots.length === 2, 'snapshot after seek');
    const late = viewer.got.snapshots[1];
    // The replay goes on at ×3600 between the seek and the snapshot: a few simulated minutes at most.
    expect(late.t).toBeGreaterThanOrEqual(19.9 * DAY);
    expect(late.t).toBeLessThan(19.9 * DAY + 600);
    // By day 20 the turbine's bearing has been replaced, each ledger entry checked against its event.
    expect(late.ledger.length).toBeGreaterThan(10);
    expect(late.ledger.every((e) => e.verification === 'verified')).toBe(true);
    await until(() => viewer.got.deltas.some((d) => d.finished), 'the end of the log');
    expect(viewer.got.deltas.find((d) => d.finished)!.kpis ?? late.kpis).toEqual(recorded.kpis);

    expect(await viewer.call('control', { action: 'seek', t: DAY })).toMatchObject({ ok: true });
    await until(() => viewer.got.snapshots.length === 3, 'snapshot after seeking back');
    expect(viewer.got.snapshots[2].t).toBeGreaterThanOrEqual(DAY);
    expect(viewer.got.snapshots[2].t).toBeLessThan(DAY + 600);
    expect(viewer.got.snapshots[2].ledger.length).toBeLessThan(late.ledger.length);
    expect(await viewer.call('control', { action: 'fault', machine: 'press-1' })).toMatchObject({ ok: false });
  });
});
