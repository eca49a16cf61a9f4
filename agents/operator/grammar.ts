import { CommandVerbs, type CommandVerb, type OperatorCommand, type Rejection } from './command.js';
import { resolveName } from './names.js';

/**
 * A small grammar for typed text, no model needed:
 *
 *   move|send|drive|go <cobot> to <place>     (to charger|charging → charge)
 *   pause|stop|hold|halt|freeze <cobot>
 *   resume|unpause|continue|restart <cobot>
 *   assign|give [task] <task> to <cobot>
 *   charge|recharge <cobot>
 *
 * Politeness and articles are ignored ("please send the cobot 3 to the
 * charger"), the subject may come first ("cobot-1 go to storage"), and
 * `cobot 2`, `cobot #2` or `Cobot2` name `cobot-2`. With a vocabulary (the
 * plant's ids) names resolve to ids; the result still goes through
 * validation, which decides whether the names exist and the cobot can.
 */
export interface Vocabulary {
  cobots?: readonly string[];
  places?: readonly string[];
  tasks?: readonly string[];
}

export type ParseResult = { ok: true; command: OperatorCommand } | Rejection;

const VERBS: Record<string, CommandVerb> = {
  move: 'move', send: 'move', drive: 'move', go: 'move', navigate: 'move', take: 'move',
  pause: 'pause', stop: 'pause', hold: 'pause', halt: 'pause', freeze: 'pause', suspend: 'pause',
  resume: 'resume', unpause: 'resume', continue: 'resume', restart: 'resume', unfreeze: 'resume',
  assign: 'assign', give: 'assign', allocate: 'assign',
  charge: 'charge', recharge: 'charge',
};
const FILLERS = new Set(['please', 'kindly', 'now', 'immediately', 'the', 'an', 'can', 'could', 'would', 'you', 'will', 'ok', 'okay', 'then']);
const TO = new Set(['to', 'into', 'towards', 'toward']);
const CHARGE_TARGETS = new Set(['charger', 'chargers', 'charging', 'charge', 'recharge', 'charging-station', 'charger-station']);
const NOUNS = new Set(['cobot', 'robot', 'task', 'job']);

export const USAGE = 'move <cobot> to <place>, pause <cobot>, resume <cobot>, assign <task> to <cobot>, charge <cobot>';
const reject = (reason: string): Rejection => ({ ok: false, reason });

/** Words of the text: lower-cased keywords, names as typed, `cobot 2` joined into `cobot-2`. */
function tokens(text: string): string[] {
  const raw = text
    .split(/[\s,;]+/)
    .map((t) => t.replace(/^["'`(]+|["'`).!?:]+$/g, ''))
    .filter((t) => t.length > 0 && !FILLERS.has(t.toLowerCase()));
  const out: string[] = [];
  for (const t of raw) {
    const prev = out.at(-1);
    const lower = prev?.toLowerCase();
    if (prev && /^#?\d+$/.test(t) && /^[a-z][a-z_-]*$/i.test(prev) && !VERBS[lower!] && !TO.has(lower!) && lower !== 'task' && lower !== 'job') {
      out[out.length - 1] = `${prev}-${t.replace('#', '')}`;
    } else out.push(t);
  }
  return out;
}

/** Drops a leading noun (`task a-3`, `cobot cobot-2`) and joins a multi-word name (`cell a`). */
function phrase(words: readonly string[]): string | undefined {
  const w = words.length > 1 && NOUNS.has(words[0].toLowerCase()) ? words.slice(1) : words;
  return w.length > 0 ? w.join(' ') : undefined;
}

/** The id a phrase names, when the vocabulary knows it; otherwise the phrase with spaces as dashes. */
function name(p: string, ids: readonly string[] | undefined): string {
  const id = ids ? resolveName(p, ids) : undefined;
  if (id) return id;
  // "2", "#2", "robot 2": the one id numbered 2.
  const numbered = /^(?:(?:cobot|robot|task|job)[\s#-]*)?#?(\d+)$/i.exec(p);
  if (numbered && ids) {
    const ends = ids.filter((i) => i.endsWith(`-${numbered[1]}`));
    if (ends.length === 1) return ends[0];
  }
  return p.replace(/\s+/g, '-');
}

export function parseCommand(text: string, vocab: Vocabulary = {}): ParseResult {
  const words = tokens(text);
  if (words.length === 0) return reject(`say a command: ${USAGE}`);
  const at = words.findIndex((w) => VERBS[w.toLowerCase()] !== undefined);
  if (at < 0) return reject(`no command word in "${text.trim()}"; commands: ${USAGE}`);
  let verb = VERBS[words[at].toLowerCase()];
  const rest = words.filter((_, i) => i !== at);
  const cut = rest.findIndex((w) => TO.has(w.toLowerCase()));
  const before = cut < 0 ? rest : rest.slice(0, cut);
  const after = cut < 0 ? [] : rest.slice(cut + 1);
  const cobots = vocab.cobots;

  const chargeWord = (w: string) => CHARGE_TARGETS.has(w.toLowerCase());
  if (verb === 'move' && after.length > 0 && chargeWord(after.join('-'))) verb = 'charge';
  if (verb === 'move' && cut < 0 && before.some(chargeWord)) verb = 'charge'; // "go charge cobot-3", "cobot-3 go charging"

  switch (verb) {
    case 'pause':
    case 'resume':
    case 'charge': {
      const subject = verb === 'charge' && cut >= 0 && before.length === 0 ? after : before.filter((w) => !chargeWord(w));
      const p = phrase(subject);
      if (!p) return reject(`which cobot? say "${verb} <cobot>"`);
      if (subject.length > 2) return reject(`one cobot at a time: say "${verb} <cobot>"`);
      return { ok: true, command: { verb, cobot: name(p, cobots) } };
    }
    case 'move': {
      let subject = before;
      let target = after;
      if (cut < 0 && before.length === 2) [subject, target] = [[before[0]], [before[1]]];
      const c = phrase(subject);
      const p = phrase(target);
      if (!c) return reject('which cobot? say "move <cobot> to <place>"');
      if (!p) return reject(`where to? say "move ${name(c, cobots)} to <place>"`);
      return { ok: true, command: { verb: 'move', cobot: name(c, cobots), place: name(p, vocab.places) } };
    }
    case 'assign': {
      let t = phrase(before);
      let c = phrase(after);
      if (!t || !c) return reject('say "assign <task> to <cobot>"');
      // "assign cobot-2 to a-3": the names are known the other way round.
      if (cobots && vocab.tasks && resolveName(t, cobots) && !resolveName(c, cobots) && resolveName(c, vocab.tasks)) [t, c] = [c, t];
      return { ok: true, command: { verb: 'assign', task: name(t, vocab.tasks), cobot: name(c, cobots) } };
    }
  }
}

/** The verbs the grammar knows, with their synonyms (for help texts). */
export function verbSynonyms(): Record<CommandVerb, string[]> {
  const out = Object.fromEntries(CommandVerbs.map((v) => [v, [] as string[]])) as Record<CommandVerb, string[]>;
  for (const [word, verb] of Object.entries(VERBS)) out[verb].push(word);
  return out;
}
