import { afterEach, describe, expect, it } from 'vitest';
import { Wallet } from 'ethers';
import { io, type Socket } from 'socket.io-client';
import type { ViewSource } from '../../runtime/view/view-source.js';
import { waitUntil } from '../../test/support/wait.js';
import { lesseeSignInMessage, signLesseeSignIn, type AccessAnswer, type LesseeOptions, type MachineAccess } from './lessee.js';
import { fetchLesseeChallenge } from './lessee-challenge.js';
import type { Ack, Alert, Control, Delta, Hello, LedgerEntry, MachineDetail, MachineView, Snapshot } from './protocol.js';
import { ViewerServer } from './server.js';

const MACHINES = ['press-1', 'press-2', 'press-10'];

/**
 * A minimal plant: machines whose health moves every frame (so deltas carry them), a ledger entry
 * and an alert per machine, plus entries that name no machine. Deterministic, unlike a live plant,
 * so the test can say exactly what a lessee must not see.
 */
class FakePlant implements ViewSource {
  readonly hello = { source: 'live', scenario: 'fake', seed: 1, policy: 'none', horizon: 86400 } as const;
  readonly faults: string[] = [];
  private t = 0;

  frame(): Omit<Snapshot, 'seq'> {
    this.t += 60;
    const machines: MachineView[] = MACHINES.map((id, i) => ({
      id, type: 'press', x: i * 5, y: 0, state: this.faults.includes(id) ? 'failed' : 'running', health: (this.t % 600) / 600, since: 0,
    }));
    const ledger: LedgerEntry[] = [
      ...MACHINES.map((machine, i) => ({ seq: i + 1, t: 10, event: `ev-${machine}`, eventType: 'repair.completed', machine, hash: `0x${i}`, verification: 'verified' as const })),
      { seq: 9, t: 20, event: 'ev-plant', eventType: 'plan.published', hash: '0x9', verification: 'pending' },
    ];
    const alerts: Alert[] = [
      ...MACHINES.map((m, i) => ({ id: `a${i}`, t: 30, severity: 'warning' as const, subject: m, text: `${m} past its alarm level` })),
      { id: 'a8', t: 40, severity: 'warning', subject: 'cobot-1', text: 'cobot-1 broke down delivering to press-2' },
      { id: 'a9', t: 50, severity: 'info', subject: 'operator', text: 'command refused: unknown cell' },
    ];
    const floor = { places: [], bounds: { minX: 0, minY: 0, maxX: 20, maxY: 10 }, obstacles: [] };
    return { t: this.t, speed: 1, paused: false, finished: false, floor, map: { places: [] }, machines, cobots: [], stock: [], orders: [], trucks: [], ledger, alerts, attention: alerts.slice(0, 3), kpis: { oee: 0.8 } };
  }

  detail(id: string): MachineDetail | undefined {
    return MACHINES.includes(id) ? { id, type: 'press', series: { name: 'vibration', unit: 'mm/s', points: [[0, 1]] }, history: [] } : undefined;
  }

  async control(c: Control): Promise<Ack<unknown>> {
    if (c.action === 'fault') this.faults.push(c.machine);
    return { ok: true };
  }

  onRestart(): void {}
  async close(): Promise<void> {}
}

/**
 * Access held in memory, flipped by the test. The chain side (TwinRegistry, lease expiry in chain
 * time) is tested against a real Anvil in bridges/evm/lease-access.test.ts; here only the server's use of it.
 */
class GrantTable implements MachineAccess {
  readonly grants = new Map<string, Set<string>>();
  async allowed(account: string, machine: string): Promise<AccessAnswer> {
    return this.grants.get(account)?.has(machine) ? { ok: true } : { ok: false, reason: `lease of ${machine} ended` };
  }
}

function client(url: string, auth: Record<string, unknown>) {
  const socket: Socket = io(url, { auth, transports: ['websocket'], forceNew: true, reconnection: false });
  const got = { hello: undefined as Hello | undefined, error: undefined as string | undefined, frames: [] as ((Snapshot | Delta) & { kind: 'snapshot' | 'delta' })[] };
  socket.on('hello', (h: Hello) => (got.hello = h));
  socket.on('connect_error', (e: Error) => (got.error = e.message));
  socket.on('snapshot', (s: Snapshot, ack: () => void) => (got.frames.push({ ...s, kind: 'snapshot' }), ack()));
  socket.on('delta', (d: Delta, ack: () => void) => (got.frames.push({ ...d, kind: 'delta' }), ack()));
  const call = <T>(event: string, payload: unknown) => new Promise<Ack<T>>((resolve) => socket.emit(event, payload, resolve));
  return { socket, got, call };
}

const until = (check: () => boolean, what: string) => waitUntil(what, check, 15000);
const ids = (f: { machines?: MachineView[] }): string[] => (f.machines ?? []).map((m) => m.id);

const open: { server?: ViewerServer; sockets: Socket[] } = { sockets: [] };
afterEach(async () => {
  for (const s of open.sockets) s.disconnect();
  open.sockets = [];
  await open.server?.close();
  open.server = undefined;
});

async function serve(lessees?: LesseeOptions): Promise<{ server: ViewerServer; plant: FakePlant }> {
  const plant = new FakePlant();
  open.server = await ViewerServer.start(plant, { port: 0, operatorToken: 'op-secret', frameMs: 20, ...(lessees ? { lessees } : {}) });
  return { server: open.server, plant };
}

function connect(url: string, auth: Record<string, unknown>) {
  const c = client(url, auth);
  open.sockets.push(c.socket);
  return c;
}

describe('viewer server: the lessee role', () => {
  it('shows a lessee only its machine, refuses the others, and ends it all when the lease does', async () => {
    const table = new GrantTable();
    const { server, plant } = await serve({ access: table });
    const lessee = Wallet.createRandom();
    table.grants.set(lessee.address, new Set(['press-1']));
    const c = connect(server.url, { lessee: await signLesseeSignIn(lessee, await fetchLesseeChallenge(server.url)) });
    await until(() => c.got.frames.length > 3, 'frames for the lessee');
    expect(c.got.hello).toMatchObject({ role: 'lessee', account: lessee.address, scenario: 'fake' });

    const snap = c.got.frames[0] as Snapshot;
    expect(snap.machines.map((m) => m.id)).toEqual(['press-1']);
    expect(snap.ledger.map((e) => e.event)).toEqual(['ev-press-1', 'ev-plant']);
    // press-2 and press-10 by subject, the cobot's alert because its text names press-2.
    expect(snap.alerts.map((a) => a.id)).toEqual(['a0', 'a9']);
    expect(snap.attention.map((a) => a.id)).toEqual(['a0']);
    for (const f of c.got.frames) expect(ids(f).every((id) => id === 'press-1')).toBe(true);
    expect(c.got.frames.slice(1).some((f) => ids(f).includes('press-1'))).toBe(true);

    expect(await c.call('machine.detail', { id: 'press-1' })).toMatchObject({ ok: true, value: { id: 'press-1' } });
    expect(await c.call('machine.detail', { id: 'press-2' })).toEqual({ ok: false, reason: `no live lease: ${lessee.address} has no access to machine "press-2" (lease of press-2 ended)` });
    expect(await c.call('control', { action: 'fault', machine: 'press-1' })).toEqual({ ok: true });
    expect(await c.call('control', { action: 'fault', machine: 'press-2' })).toMatchObject({ ok: false, reason: expect.stringMatching(/^no live lease: .*"press-2"/) });
    expect(await c.call('control', { action: 'pause' })).toMatchObject({ ok: false, reason: expect.stringMatching(/^lessee: "pause" acts on the whole plant/) });
    expect(await c.call('control', { action: 'command', text: 'service press-1' })).toMatchObject({ ok: false, reason: expect.stringMatching(/^lessee: "command"/) });
    expect(plant.faults).toEqual(['press-1']);

    // The lease ends: the next frame is a snapshot without the machine, and so is every one after it.
    table.grants.get(lessee.address)!.delete('press-1');
    const cut = c.got.frames.length;
    await until(() => c.got.frames.slice(cut).some((f) => f.kind === 'snapshot'), 'a snapshot after the lease ended');
    const after = c.got.frames.slice(c.got.frames.findIndex((f, i) => i >= cut && f.kind === 'snapshot'));
    const n = c.got.frames.length;
    await until(() => c.got.frames.length > n + 3, 'more frames');
    for (const f of after.concat(c.got.frames.slice(n))) expect(ids(f)).toEqual([]);
    const empty = after[0] as Snapshot;
    expect(empty.ledger.map((e) => e.event)).toEqual(['ev-plant']);
    expect(empty.alerts.map((a) => a.id)).toEqual(['a9']);
    expect(await c.call('control', { action: 'fault', machine: 'press-1' })).toMatchObject({ ok: false, reason: expect.stringMatching(/^no live lease: .*"press-1" \(lease of press-1 ended\)/) });
    expect(await c.call('machine.detail', { id: 'press-1' })).toMatchObject({ ok: false, reason: expect.stringMatching(/no live lease/) });
    expect(plant.faults).toEqual(['press-1']);
  });

  it('refuses a forged, stale, replayed or unchallenged sign-in, and anonymous clients unless viewers are allowed', async () => {
    const table = new GrantTable();
    const { server } = await serve({ access: table });
    const claimed = Wallet.createRandom();
    table.grants.set(claimed.address, new Set(['press-1']));
    const other = Wallet.createRandom();
    const issuedAt = new Date().toISOString();
    const challenge = () => fetchLesseeChallenge(server.url);
    const c1 = await challenge();
    const forged = { address: claimed.address, issuedAt, challenge: c1, signature: await other.signMessage(lesseeSignInMessage(claimed.address, issuedAt, c1)) };
    const stale = await signLesseeSignIn(claimed, await challenge(), new Date(Date.now() - 10 * 60_000));
    const future = await signLesseeSignIn(claimed, await challenge(), new Date(Date.now() + 10 * 60_000));
    const invented = await signLesseeSignIn(claimed, 'f'.repeat(32));
    const noChallenge = { address: claimed.address, issuedAt, signature: await claimed.signMessage(`HyperFactory lessee sign-in\naddress: ${claimed.address}\nissued: ${issuedAt}`) };

    // A good sign-in gets in once; the same sign-in captured and sent again does not.
    const good = await signLesseeSignIn(claimed, await challenge());
    const first = connect(server.url, { lessee: good });
    await until(() => first.got.frames.length > 0, 'the lessee in');
    const replayed = connect(server.url, { lessee: good });
    await until(() => replayed.got.error !== undefined, 'the replay refused');
    expect(replayed.got.error).toBe('lessee sign-in: the challenge is not one this server issued, was used already or expired: fetch a new one (GET /lessee/challenge)');

    const clients = [forged, stale, future, { address: claimed.address, issuedAt: 'yesterday', challenge: c1, signature: '0x00' }, invented, noChallenge].map((lessee) => connect(server.url, { lessee }));
    const anonymous = connect(server.url, {});
    const operator = connect(server.url, { token: 'op-secret' });
    await until(() => clients.every((c) => c.got.error) && anonymous.got.error !== undefined && operator.got.frames.length > 0, 'every answer');
    expect(clients.map((c) => c.got.error)).toEqual([
      `lessee sign-in: the signature is not by ${claimed.address} (personal_sign of the sign-in message expected)`,
      expect.stringMatching(/^lessee sign-in: issuedAt .* is more than 5 minutes from the server's time/),
      expect.stringMatching(/^lessee sign-in: issuedAt .* is more than 5 minutes from the server's time/),
      'lessee sign-in: issuedAt must be an ISO time as Date.toISOString() writes it, got "yesterday"',
      'lessee sign-in: the challenge is not one this server issued, was used already or expired: fetch a new one (GET /lessee/challenge)',
      'lessee sign-in: expected auth.lessee = { address, issuedAt, challenge, signature } (strings; the challenge from GET /lessee/challenge)',
    ]);
    expect(clients.every((c) => c.got.hello === undefined && c.got.frames.length === 0)).toBe(true);
    expect(anonymous.got.error).toMatch(/^sign-in required/);
    // The operator is unaffected by leasing: every machine.
    expect(operator.got.hello!.role).toBe('admin');
    expect(ids(operator.got.frames[0]!)).toEqual(MACHINES);
  });

  it('with allowViewers, anonymous clients stay whole-plant viewers; without the option there is no lessee role', async () => {
    const { server } = await serve({ access: new GrantTable(), allowViewers: true });
    const viewer = connect(server.url, {});
    await until(() => viewer.got.frames.length > 0, 'a viewer frame');
    expect(viewer.got.hello!.role).toBe('viewer');
    expect(ids(viewer.got.frames[0]!)).toEqual(MACHINES);
    await open.server!.close();

    const plain = await serve();
    const lessee = connect(plain.server.url, { lessee: await signLesseeSignIn(Wallet.createRandom(), 'no-challenge-here') });
    await until(() => lessee.got.error !== undefined, 'the refusal');
    expect(lessee.got.error).toBe('lessee sign-in is not enabled on this server');
  });
});
