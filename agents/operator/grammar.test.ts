import { describe, expect, it } from 'vitest';
import { parseCommand } from './grammar.js';
import { describeCommand } from './command.js';

const vocab = { cobots: ['cobot-1', 'cobot-2', 'cobot-3'], places: ['cell-a', 'storage', 'dock-charger'], tasks: ['a-3', 'b-12'] };
const read = (text: string, v = vocab) => {
  const r = parseCommand(text, v);
  return r.ok ? describeCommand(r.command) : `error: ${r.reason}`;
};

describe('operator command grammar', () => {
  it.each([
    ['send cobot-3 to charger', 'charge cobot-3'],
    ['please send the cobot 3 to the charger.', 'charge cobot-3'],
    ['send cobot 3 to charge', 'charge cobot-3'],
    ['go charge cobot-1', 'charge cobot-1'],
    ['recharge Cobot2', 'charge cobot-2'],
    ['pause cobot 2', 'pause cobot-2'],
    ['stop cobot #2', 'pause cobot-2'],
    ['Hold robot 1!', 'pause cobot-1'],
    ['resume cobot-2', 'resume cobot-2'],
    ['unpause 3', 'resume cobot-3'],
    ['move cobot-1 to storage', 'move cobot-1 to storage'],
    ['cobot-1 go to storage', 'move cobot-1 to storage'],
    ['drive COBOT-1 to cell a', 'move cobot-1 to cell-a'],
    ['send cobot-2 to dock-charger', 'move cobot-2 to dock-charger'],
    ['move cobot-1 storage', 'move cobot-1 to storage'],
    ['assign a-3 to cobot-2', 'assign a-3 to cobot-2'],
    ['assign task b-12 to cobot 1', 'assign b-12 to cobot-1'],
    ['give cobot-2 to a-3', 'assign a-3 to cobot-2'],
  ])('%s → %s', (text, expected) => {
    expect(read(text)).toBe(expected);
  });

  it('keeps names it does not know as typed, for validation to judge', () => {
    expect(read('move cobot 9 to warehouse')).toBe('move cobot-9 to warehouse');
    expect(read('pause cobot 2', {} as typeof vocab)).toBe('pause cobot-2');
  });

  it.each([
    ['', 'say a command'],
    ['dance cobot-1', 'no command word in "dance cobot-1"'],
    ['pause', 'which cobot? say "pause <cobot>"'],
    ['move cobot-1 to', 'where to? say "move cobot-1 to <place>"'],
    ['move to storage', 'which cobot?'],
    ['assign a-3', 'say "assign <task> to <cobot>"'],
    ['pause cobot-1 cobot-2 cobot-3', 'one cobot at a time'],
  ])('rejects %j helpfully', (text, reason) => {
    expect(read(text)).toContain(reason);
  });
});
