import { describe, expect, it } from 'vitest';
import { validateCommand } from './validate.js';
import type { CobotView, OperatorView } from './view.js';

const cobot = (id: string, over: Partial<CobotView> = {}): CobotView => ({
  id,
  home: 'cell-a',
  state: 'idle',
  pose: { x: 0, y: 0 },
  place: 'cell-a',
  battery: 0.8,
  batteryWh: 100,
  drainWhPerMetre: 0.5,
  lowBattery: 0.2,
  tasks: [],
  ...over,
});

const view = (over: Partial<OperatorView> = {}): OperatorView => ({
  cobots: [
    cobot('cobot-1'),
    cobot('cobot-2', { home: 'cell-b', state: 'moving.toPickup', tasks: ['b-1'], place: undefined }),
    cobot('cobot-3', { home: 'cell-b', battery: 0.05 }),
    cobot('cobot-4', { home: 'cell-b', fault: 'drive error' }),
  ],
  places: [
    { id: 'cell-a', kind: 'station', x: 0, y: 0 },
    { id: 'cell-b', kind: 'station', x: 30, y: 0 },
    { id: 'storage', kind: 'storage', x: 100, y: 60 },
    { id: 'island', kind: 'depot', x: 5, y: 5 },
  ],
  machines: [{ id: 'press', station: 'cell-a' }],
  tasks: [
    { id: 'a-1', waiting: true, from: 'cell-a', fromPose: { x: 0, y: 0 } },
    { id: 'b-1', holder: 'cobot-2', waiting: false },
    { id: 'b-2', waiting: false },
  ],
  paused: [],
  locks: [],
  ...over,
});

const why = (command: unknown, v = view()) => {
  const r = validateCommand(command, v);
  return r.ok ? 'accepted' : r.reason;
};

describe('operator command validation', () => {
  it('accepts what the plant allows, with names resolved to ids', () => {
    const r = validateCommand({ verb: 'move', cobot: 'Cobot 2', place: 'CELL_B' }, view());
    expect(r).toEqual({
      ok: true,
      command: { verb: 'move', cobot: 'cobot-2', place: 'cell-b' },
      order: { command: { verb: 'move', cobot: 'cobot-2', place: 'cell-b' }, pose: { x: 30, y: 0 } },
      note: "cobot-2's 1 task(s) go back to auction",
    });
    expect(why({ verb: 'assign', task: 'a-1', cobot: 'cobot-1' })).toBe('accepted');
    expect(why({ verb: 'charge', cobot: 'cobot-1' })).toBe('accepted');
    expect(why({ verb: 'pause', cobot: 'cobot-2' })).toBe('accepted');
  });

  it.each([
    [{ verb: 'fly', cobot: 'cobot-1' }, 'not a command: verb'],
    [{ verb: 'move', cobot: 'cobot-1' }, 'not a command: place'],
    [{ verb: 'pause', cobot: 'cobot-1', extra: 1 }, 'not a command'],
    [{ verb: 'pause', cobot: 'cobot-12' }, 'unknown cobot "cobot-12"; did you mean "cobot-1"'],
    [{ verb: 'pause', cobot: 'storage' }, '"storage" is a place, not a cobot'],
    [{ verb: 'move', cobot: 'cobot-1', place: 'storge' }, 'unknown place "storge"; did you mean "storage"?'],
    [{ verb: 'move', cobot: 'cobot-1', place: 'press' }, '"press" is a machine, not a place; it stands at cell-a'],
    [{ verb: 'move', cobot: 'cobot-1', place: 'cobot-2' }, '"cobot-2" is a cobot, not a place'],
    [{ verb: 'move', cobot: 'cobot-1', place: 'charger' }, 'say "charge cobot-1"'],
    [{ verb: 'move', cobot: 'cobot-1', place: 'cell-a' }, 'cobot-1 is at cell-a already'],
    [{ verb: 'move', cobot: 'cobot-4', place: 'storage' }, 'cobot-4 is out of order (drive error)'],
    [{ verb: 'charge', cobot: 'cobot-1', x: 1 }, 'not a command'],
    [{ verb: 'assign', task: 'b-1', cobot: 'cobot-1' }, 'b-1 is held by cobot-2'],
    [{ verb: 'assign', task: 'b-2', cobot: 'cobot-1' }, 'b-2 is being auctioned right now'],
    [{ verb: 'assign', task: 'a-9', cobot: 'cobot-1' }, 'unknown open task "a-9"; did you mean "a-1"?'],
    [{ verb: 'assign', task: 'a-1', cobot: 'cobot-3' }, "cobot-3's battery is critical (5%)"],
    [{ verb: 'resume', cobot: 'cobot-1' }, 'cobot-1 is not paused'],
  ])('rejects %j', (command, reason) => {
    expect(why(command)).toContain(reason);
  });

  it('rejects a place too far for the battery, or one the floor cannot reach', () => {
    expect(why({ verb: 'move', cobot: 'cobot-3', place: 'cell-b' })).toBe('cobot-3 cannot reach cell-b on its battery: it needs 15.0 Wh and has 5.0 Wh (5%); charge it first');
    const walled = view({ reachable: (_from, to) => !(to.x === 5 && to.y === 5) });
    expect(why({ verb: 'move', cobot: 'cobot-1', place: 'island' }, walled)).toBe('island cannot be reached from where cobot-1 is');
  });

  it('knows paused cobots and maintenance locks apart', () => {
    const paused = view({ paused: ['cobot-1'] });
    expect(why({ verb: 'move', cobot: 'cobot-1', place: 'cell-b' }, paused)).toBe('cobot-1 is paused; resume it first');
    expect(why({ verb: 'pause', cobot: 'cobot-1' }, paused)).toBe('cobot-1 is already paused');
    expect(why({ verb: 'resume', cobot: 'cobot-1' }, paused)).toBe('accepted');
    const locked = view({ locks: [{ station: 'cell-a', workOrder: 'wo-7', machine: 'press' }] });
    expect(why({ verb: 'charge', cobot: 'cobot-1' }, locked)).toBe('cobot-1 is suspended while cell-a is locked for work order wo-7 (press)');
    expect(why({ verb: 'resume', cobot: 'cobot-1' }, locked)).toContain('resumes when the cell is unlocked');
    expect(validateCommand({ verb: 'pause', cobot: 'cobot-1' }, locked)).toMatchObject({ ok: true, note: 'cobot-1 stays stopped after cell-a is unlocked' });
  });

  it('does not charge a cobot that is charging or full', () => {
    const v = view({ cobots: [cobot('cobot-1', { state: 'charging' }), cobot('cobot-2', { battery: 1 })] });
    expect(why({ verb: 'charge', cobot: 'cobot-1' }, v)).toBe('cobot-1 is charging already');
    expect(why({ verb: 'charge', cobot: 'cobot-2' }, v)).toBe("cobot-2's battery is full");
  });
});
