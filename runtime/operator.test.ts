import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../scenarios/schema.js';
import type { Envelope } from '../agents/protocol/envelope.js';
import { buildRun } from './plant.js';
import { onOperatorRefusal, operatorView, submitCommand, submitText } from './operator.js';

/** Operator commands into a running plant: validated at the kernel's time, then carried out by the agents. */
const scenario = ScenarioSchema.parse({
  name: 'operator',
  seed: 5,
  horizon: '2h',
  layout: {
    places: [
      { id: 'cell-a', kind: 'station', x: 0, y: 0 },
      { id: 'cell-b', kind: 'station', x: 30, y: 0 },
      { id: 'storage', kind: 'storage', x: 15, y: 20 },
      { id: 'dock-charger', kind: 'charger', x: 15, y: -5 },
      { id: 'crew', kind: 'base', x: 0, y: 10 },
    ],
  },
  machineTypes: {
    press: { processTime: { dist: 'constant', value: 120 }, timeToFailure: { dist: 'constant', value: '10d' }, repairTime: { dist: 'constant', value: '1h' } },
  },
  machines: [{ id: 'press', type: 'press', station: 'cell-a' }],
  technicians: { count: 1, base: 'crew' },
  cobots: { count: 2, homes: ['cell-a', 'cell-b'], speed: 1, batteryWh: 400, drainWhPerMetre: 0.1, idleDrainW: 0, chargeW: 800 },
  tasks: [{ id: 'a', from: 'cell-a', to: 'storage', interarrival: { dist: 'constant', value: '1h' }, handlingTime: { dist: 'constant', value: 20 } }],
  ledger: { enabled: false },
});

function plant() {
  const run = buildRun(scenario, { validateMessages: true });
  const sent: Envelope[] = [];
  run.bus.observe((e) => sent.push(e));
  const state = (id: string) => run.host.get(id)!.state();
  const advance = (s: number) => run.kernel.runUntil(run.kernel.now + s);
  return { run, sent, state, advance };
}

describe('operator commands in a running plant', () => {
  it('pauses and resumes a cobot, and sends it somewhere, from typed commands and text', async () => {
    const p = plant();
    p.advance(100);
    expect(submitCommand(p.run, { verb: 'pause', cobot: 'cobot-1' })).toEqual({ accepted: true, command: { verb: 'pause', cobot: 'cobot-1' }, time: 100, source: 'typed' });
    p.advance(1);
    expect(p.state('cobot-1')).toBe('suspended');
    expect(operatorView(p.run).paused).toEqual(['cobot-1']);
    expect(await submitText(p.run, 'unpause cobot 1')).toMatchObject({ accepted: true, source: 'grammar' });
    p.advance(1);
    expect(p.state('cobot-1')).toBe('idle');

    expect(await submitText(p.run, 'send cobot 2 to storage')).toMatchObject({ accepted: true, command: { verb: 'move', cobot: 'cobot-2', place: 'storage' } });
    p.advance(1);
    expect(p.state('cobot-2')).toBe('moving.toPlace');
    p.advance(40); // 35 m at 1 m/s
    expect(p.state('cobot-2')).toBe('idle');
    expect(operatorView(p.run).cobots.find((c) => c.id === 'cobot-2')).toMatchObject({ place: 'storage', pose: { x: 15, y: 20 } });
    expect(await submitText(p.run, 'send cobot-2 to the charger')).toMatchObject({ accepted: true, command: { verb: 'charge', cobot: 'cobot-2' } });
    p.advance(30);
    expect(p.state('cobot-2')).toBe('charging');

    const types = p.sent.filter((e) => e.from === 'operator' || e.type === 'cobot.command').map((e) => `${e.type}>${e.to}`);
    expect(types).toEqual(['operator.command>robotics', 'operator.command>robotics', 'operator.command>robotics', 'cobot.command>cobot-2', 'operator.command>robotics', 'cobot.command>cobot-2']);
  });

  it('rejects what the plant does not allow, and sends nothing', async () => {
    const p = plant();
    p.advance(10);
    const reasons = [
      await submitText(p.run, 'move cobot-1 to press'),
      await submitText(p.run, 'pause cobot 7'),
      await submitText(p.run, 'resume cobot-2'),
      await submitText(p.run, 'charge cobot-1'),
      await submitText(p.run, 'fetch me a coffee'),
      submitCommand(p.run, { verb: 'move', cobot: 'cobot-1', place: 'storage', speed: 9 }),
    ].map((r) => (r.accepted ? 'accepted' : r.reason));
    expect(reasons).toEqual([
      '"press" is a machine, not a place; it stands at cell-a',
      'unknown cobot "cobot-7"; did you mean "cobot-1" or "cobot-2"?',
      'cobot-2 is not paused',
      "cobot-1's battery is full",
      expect.stringContaining('no command word in "fetch me a coffee"'),
      expect.stringContaining('not a command'),
    ]);
    p.advance(1);
    expect(p.sent.filter((e) => e.from === 'operator')).toEqual([]);
  });

  it('validates what a model read, like any other command', async () => {
    const answers = [
      '{"verb":"move","cobot":"cobot-1","place":"warehouse"}',
      'I think you want cobot-1 paused.',
      '{"verb":"pause","cobot":"cobot-1"}',
    ];
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: answers.shift() } }] }));
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const endpoint = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, model: 'stand-in' };
      const p = plant();
      p.advance(10);
      expect(await submitText(p.run, 'park cobot 1 in the warehouse', { endpoint })).toMatchObject({ accepted: false, source: 'model', reason: 'unknown place "warehouse"; known: cell-a, cell-b, crew, dock-charger, storage' });
      expect(await submitText(p.run, 'cobot 1 should stop', { endpoint })).toMatchObject({ accepted: false, source: 'model', reason: expect.stringContaining('not JSON') });
      expect(await submitText(p.run, 'cobot 1 should stop', { endpoint })).toMatchObject({ accepted: true, source: 'model', command: { verb: 'pause', cobot: 'cobot-1' } });
      p.advance(1);
      expect(p.state('cobot-1')).toBe('suspended');
    } finally {
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  });

  it('reports a refusal when the plant changed between validation and delivery', () => {
    const p = plant();
    p.advance(10);
    const refused: string[] = [];
    onOperatorRefusal(p.run, (payload) => refused.push(payload.reason));
    // Two pauses in the same instant: both valid when submitted, the second finds the cobot paused.
    submitCommand(p.run, { verb: 'pause', cobot: 'cobot-2' });
    submitCommand(p.run, { verb: 'pause', cobot: 'cobot-2' });
    p.advance(1);
    expect(refused).toEqual(['cobot-2 is already paused']);
  });
});
