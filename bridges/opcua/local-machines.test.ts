import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MachineGuards } from '../../agents/host/edge/machine-guard.js';
import { onFreePort, quietOpcua } from '../../test/support/opcua.js';
import { waitUntil } from '../../test/support/wait.js';
import { startEdgeMachineServer, type EdgeMachineServer } from './edge-machine-server.js';
import { OpcuaLocalMachines } from './local-machines.js';

quietOpcua();

describe('machines next to an agent host on OPC UA: readings in, a local stop out', () => {
  let server: EdgeMachineServer;
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    server = await onFreePort((port) => startEdgeMachineServer({ port, plantName: 'site', machines: [{ id: 'press-1', type: 'press', channels: ['vibRms', 'load', 'powerKw'] }] }));
    server.machines.get('press-1')!.sample({ vibRms: 2, load: 0.7, powerKw: 30 });
  }, 60_000);
  afterAll(async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
    await server?.close();
  });

  it('reads the machine, stops it through Control/Stop (the simulated machine obeys), and names what is missing', async () => {
    const problems: string[] = [];
    const local = new OpcuaLocalMachines(server.endpoint, ['press-1'], (l) => problems.push(l)).start();
    closers.push(() => local.close());
    const seen: Record<string, number>[] = [];
    local.onSample((m, s) => m === 'press-1' && seen.push({ ...s }));
    await waitUntil('the first reading', () => seen.some((s) => s.vibRms === 2), 30_000);
    server.machines.get('press-1')!.sample({ vibRms: 9 });
    await waitUntil('the next reading', () => seen.some((s) => s.vibRms === 9), 30_000);

    await local.stop('press-1');
    const machine = server.machines.get('press-1')!;
    expect([machine.running, machine.stops]).toEqual([false, 1]);
    // A stopped machine draws no power: its readings say so.
    await waitUntil('load and power at zero', () => seen.some((s) => s.load === 0 && s.powerKw === 0), 30_000);

    await expect(local.stop('press-9')).rejects.toThrow(`opcua: stopping press-9 at ${server.endpoint} failed: no machine "press-9" under Machines`);
    expect(() => new OpcuaLocalMachines('http://x', ['a'])).toThrow('OPC UA endpoint must look like opc.tcp://host:port, got "http://x"');
  }, 120_000);

  it('a guard acts only while its host is isolated: then a critical reading stops the machine, and both are recorded', async () => {
    server.machines.get('press-1')!.sample({ vibRms: 2 });
    const local = new OpcuaLocalMachines(server.endpoint, ['press-1']).start();
    const kept: string[] = [];
    const guards = new MachineGuards({ port: local, machines: ['press-1'], limits: [{ channel: 'vibRms', value: 12 }], record: (type, f) => kept.push(`${type} ${f.machine as string}`) });
    closers.push(() => guards.close());
    guards.linked();
    let critical = false;
    local.onSample((_, s) => (critical ||= s.vibRms === 20));
    await waitUntil('the guard subscribed', () => local.stats.subscriptions > 0, 30_000);
    server.machines.get('press-1')!.sample({ vibRms: 20 });
    await waitUntil('the critical reading seen', () => critical, 30_000);
    // Linked: the plant decides; the guard only watches.
    expect(guards.state('press-1')).toBe('watching');
    guards.isolated();
    await waitUntil('press-1 stopped by its guard', () => guards.state('press-1') === 'stopped', 60_000);
    expect(kept).toEqual(['machine.anomaly press-1', 'machine.stopped press-1']);
    guards.linked();
    expect(guards.state('press-1')).toBe('watching');
  }, 120_000);
});
