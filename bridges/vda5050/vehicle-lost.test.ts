import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/load.js';
import type { Scenario } from '../../scenarios/schema.js';
import { projectRoot } from '../../runtime/paths.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import type { LogRecord } from '../../sim/log/event-log.js';
import { startMosquitto, type Mosquitto } from '../../test/support/mosquitto.js';
import { TaskLedger } from '../../test/support/live-run.js';
import { waitUntil } from '../../test/support/wait.js';
import { startVda5050Vehicles, type Vda5050Vehicles } from './vehicle-fleet.js';
import { masterOptionsFor, vda5050RobotPort, type Vda5050Master } from './vda5050-robot-port.js';

const MANUFACTURER = 'hyperfactory';
/** A vehicle silent this long (wall ms) while ONLINE is lost; the vehicles send a state every second. */
const SILENCE_MS = 4000;

/** cobot-floor with three cobots that never break down and fewer task streams than they can serve. */
function scenario(): Scenario {
  const base = loadScenario(join(projectRoot(), 'scenarios/cobot-floor.yaml'));
  return { ...base, cobots: { ...base.cobots!, count: 3, breakdownRate: 0 }, tasks: base.tasks.slice(0, 6) };
}

/** A cobot's agent in the plant: its state path and the task it is doing, if any. */
interface CobotView {
  state: string;
  task?: string;
}

/**
 * Fault injection: a cobot lost mid-task through the fleet. The plant's
 * cobots' agents drive VDA 5050 vehicles (the plant's own simulated cobots
 * behind `startVda5050Vehicles`) through the master, on a real Mosquitto.
 * One vehicle's controller hangs while it carries a load: its MQTT
 * connection stays up (no will), it just says nothing more. The master
 * notices the silence, its agent is lost and hands the task back, another
 * cobot is awarded it and delivers it once; the vehicle comes back and
 * rejoins without doing the old task again.
 */
describe('a VDA 5050 vehicle lost mid-task (its controller hangs, its connection stays up)', () => {
  let broker: Mosquitto;
  let plant: LivePlant;
  let vehicles: Vda5050Vehicles;
  let master: Vda5050Master | undefined;
  const records: LogRecord[] = [];
  const problems: string[] = [];
  const ledger = new TaskLedger(records);

  beforeAll(async () => {
    broker = await startMosquitto();
    const robotPort = vda5050RobotPort({ url: broker.url, manufacturer: MANUFACTURER, ...masterOptionsFor(scenario()), silenceMs: SILENCE_MS, onMaster: (m) => (master = m), onProblem: (p) => problems.push(`master: ${p}`) });
    plant = new LivePlant(scenario(), { speed: 40, robotPort, until: 8 * 3600 });
    plant.onRecord((r) => records.push(r));
    await waitUntil('the plant to run', () => plant.context !== undefined && master !== undefined);
    await master!.ready();
    vehicles = await startVda5050Vehicles(plant, { url: broker.url, manufacturer: MANUFACTURER, stateIntervalMs: 1000, visualizationIntervalMs: 1000, onProblem: (p) => problems.push(`vehicles: ${p}`) });
  }, 60_000);

  afterAll(async () => {
    await plant?.close();
    await master?.close();
    await vehicles?.close();
    await broker?.stop();
  });

  const view = (id: string): CobotView => {
    const agent = plant.context!.host.get(id)!;
    const context = agent.actor.getSnapshot().context as { current?: { spec: { task: string } } };
    return { state: agent.state(), task: context.current?.spec.task };
  };
  const cobots = ['cobot-1', 'cobot-2', 'cobot-3'];
  const states = (id: string, from = 0) => records.slice(from).filter((r) => r.type === 'state' && r.agent === id).map((r) => r.state as string);
  const context = () => `cobots ${JSON.stringify(cobots.map((id) => ({ id, ...view(id), vehicle: master?.vehicle(id)?.silent })))}; problems ${problems.slice(-5).join(' | ')}`;

  it('re-auctions the task of a vehicle that went silent while carrying it, delivers it once, and takes the vehicle back', async () => {
    // A cobot carrying a load: picked, on its way to the drop-off.
    let lost = '';
    await waitUntil('a cobot carrying a load', () => (lost = cobots.find((id) => view(id).state === 'moving.toDropoff' && view(id).task !== undefined) ?? '') !== '', 90_000);
    const task = view(lost).task!;
    const from = records.length;
    vehicles.vehicles.get(lost)!.hang();

    // The master hears nothing from it for SILENCE_MS: the agent is lost and hands the task back.
    await waitUntil(`${lost} lost in the event log`, () => states(lost, from).includes('lost'), 60_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${context()}`);
    });
    expect(master!.vehicle(lost)!.silent).toBe(true);
    expect(master!.vehicle(lost)!.connection).toBe('ONLINE');
    // Awarded to another cobot, and delivered by it.
    await waitUntil(`${task} delivered by another cobot`, () => ledger.completions().get(task) === 1, 90_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${context()}\n${ledger.trail(task)}`);
    });
    const winners = ledger.winners(task);
    expect(winners[0]).toBe(lost);
    expect(winners.at(-1)).not.toBe(lost);
    const done = records.filter((r) => r.type === 'task.completed' && (r.payload as { result: { task: string } }).result.task === task);
    expect(done.map((r) => r.from)).toEqual([winners.at(-1)]);

    // It comes back: recovered, idle, and it does new work, not the old task.
    const back = records.length;
    vehicles.vehicles.get(lost)!.resume();
    await waitUntil(`${lost} back`, () => master!.vehicle(lost)!.silent === false && view(lost).state !== 'lost', 30_000);
    const awardedAfter = () => records.slice(back).filter((r) => r.type === 'task.settled' && (r.payload as { outcome: string; winner?: string }).outcome === 'awarded' && (r.payload as { winner?: string }).winner === lost);
    await waitUntil(`${lost} delivering again`, () => awardedAfter().some((r) => ledger.completions().has((r.payload as { spec: { task: string } }).spec.task)), 90_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${context()}`);
    });
    expect(states(lost, back)).not.toContain('lost');

    // Nothing doubled over the whole run, the old task included, and nothing refused on either side.
    expect(ledger.doubled(), ledger.doubled().map((t) => ledger.trail(t)).join('\n--\n')).toEqual([]);
    expect(ledger.doneMessages().get(task)).toBe(1);
    expect(master!.stats.rejected).toEqual({ notJson: 0, invalid: 0, unknownVehicle: 0, unknownTopic: 0 });
    expect(master!.stats.invalidOutgoing + vehicles.stats.invalidOutgoing).toBe(0);
  }, 240_000);
});
