import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScenarioSchema } from '../scenarios/schema.js';
import { Kernel } from '../sim/clock/kernel.js';
import { EventLog, type LogRecord } from '../sim/log/event-log.js';
import { MemoryBus } from '../bridges/memory/memory-bus.js';
import { AgentHost } from '../agents/host/agent-host.js';
import type { LedgerPort, LedgerReceipt, TwinEvent } from '../agents/ports/ledger-port.js';
import { HashChainLedger } from '../bridges/ledger-file/hash-chain-ledger.js';
import { verifyLedgerFile } from '../bridges/ledger-file/verify.js';
import type { LedgerRecord } from '../bridges/ledger-file/record.js';
import { runPlant } from './plant.js';
import { wireLedger } from './wire-ledger.js';
import type { RunContext } from './context.js';

const scenario = ScenarioSchema.parse({
  name: 'ledger-it',
  seed: 7,
  horizon: '1d',
  machineTypes: {
    press: {
      processTime: { dist: 'constant', value: 60 },
      timeToFailure: { dist: 'exponential', mean: 3600 },
      repairTime: { dist: 'constant', value: 600 },
    },
  },
  machines: [{ id: 'm', type: 'press', count: 2 }],
  technicians: { count: 1 },
  maintenance: { policy: 'run-to-failure' },
  ledger: { enabled: true },
});

const dir = mkdtempSync(join(tmpdir(), 'wire-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const readLog = (path: string): LogRecord[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LogRecord);
const recordedOf = (log: LogRecord[]) => log.filter((r) => r.type === 'ledger.recorded') as (LogRecord & { payload: { event: string; seq: number; hash: string } })[];

describe('ledger wiring in a plant run', () => {
  it('follows every failure and repair with exactly one ledger.recorded, the same in every run', () => {
    const logPath = join(dir, 'run-a.ndjson');
    const a = runPlant(scenario, { validateMessages: true, logPath });
    const b = runPlant(scenario, { validateMessages: true, logPath: join(dir, 'run-b.ndjson') });
    expect(b.logHash).toBe(a.logHash);

    const log = readLog(logPath);
    const twins = log.filter((r) => r.type === 'repair.requested' || r.type === 'repair.completed');
    expect(twins.length).toBeGreaterThan(10);
    const recorded = recordedOf(log);
    for (const twin of twins) {
      const at = log.indexOf(twin);
      const matches = recorded.filter((r) => r.payload.event === twin.id);
      expect(matches, `ledger.recorded for ${String(twin.id)}`).toHaveLength(1);
      expect(log.indexOf(matches[0])).toBeGreaterThan(at);
      expect(matches[0]).toMatchObject({ from: 'ledger', to: twin.from, payload: { eventType: twin.type } });
    }
    // The ledger's order is the order events were delivered in.
    expect(recorded.map((r) => r.payload.seq)).toEqual(recorded.map((_, i) => i));
    expect(a.kpis.ledgerEvents).toBe(recorded.length);
  });

  it('writes the hash-chained file when given a path, and a rerun on it adds nothing', () => {
    const ledgerPath = join(dir, 'ledger.ndjson');
    const first = runPlant(scenario, { ledgerPath, logPath: join(dir, 'first.ndjson') });
    const verified = verifyLedgerFile(ledgerPath);
    expect(verified).toMatchObject({ ok: true, records: first.kpis.ledgerEvents });
    const records = readFileSync(ledgerPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LedgerRecord);
    const recorded = recordedOf(readLog(join(dir, 'first.ndjson')));
    expect(recorded.map((r) => r.payload.hash)).toEqual(records.map((r) => r.hash));
    expect(records.find((r) => r.type === 'repair.requested')).toMatchObject({ machine: expect.stringMatching(/^m-/) });

    // Same seed, same event ids: every event is a duplicate, answered with its original receipt.
    const again = runPlant(scenario, { ledgerPath });
    expect(again.logHash).toBe(first.logHash);
    expect(verifyLedgerFile(ledgerPath)).toEqual(verified);
  });

  it('wires no ledger when the scenario disables it', () => {
    const off = runPlant({ ...scenario, ledger: { enabled: false } });
    expect(off.kpis.ledgerEvents).toBeUndefined();
  });
});

/** A port that answers later, as a chain would; its first append fails. */
class SlowPort implements LedgerPort {
  private inner = new HashChainLedger();
  calls = 0;
  append(event: TwinEvent): Promise<LedgerReceipt> {
    this.calls++;
    if (this.calls === 1) return Promise.reject(new Error('node unreachable'));
    return Promise.resolve(this.inner.append(event));
  }
  close(): void {}
}

describe('ledger wiring with an asynchronous port', () => {
  it('waits for the receipt, retries a rejected append, and announces the event', async () => {
    const kernel = new Kernel();
    const bus = new MemoryBus(kernel, { validate: true });
    const log = new EventLog();
    const host = new AgentHost(kernel, bus, log);
    const records: LogRecord[] = [];
    bus.observe((env) => records.push({ t: kernel.now, type: env.type, id: env.id, to: env.to, payload: env.payload }));
    const port = new SlowPort();
    const ctx = { kernel, bus, host, log, kpis: [] } as unknown as RunContext;
    const ledger = wireLedger(ctx, port);
    const settle = async () => {
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    };

    host.sendFrom('m-1', { type: 'send', to: 'maintenance', message: 'repair.requested', payload: { machine: 'm-1' } });
    kernel.runUntil(1);
    expect(ledger.state()).toBe('writing');
    await settle(); // the rejection arrives: scheduled at t = 1
    kernel.runUntil(1.5);
    expect(ledger.state()).toBe('retrying');
    kernel.runUntil(2.5); // back-off of 1 s: a second append
    expect(port.calls).toBe(2);
    await settle();
    kernel.runUntil(3);
    expect(ledger.state()).toBe('idle');
    expect(records.filter((r) => r.type === 'ledger.recorded')).toEqual([
      { t: 2.5, type: 'ledger.recorded', id: 'ledger:1', to: 'm-1', payload: { event: 'm-1:1', eventType: 'repair.requested', seq: 0, hash: expect.any(String) } },
    ]);
    expect(ctx.kpis.map((k) => k(3))).toEqual([{ ledgerEvents: 1 }]);
    host.stopAll();
  });
});
