import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { anyJson, mutatedBytes, mutatedJson, mutatedText, nastyToken, outcome, type Json } from '../test/support/fuzz.js';
import { expectOneLine } from '../test/support/one-line.js';
import { parseScenario, ScenarioError } from './load.js';
import { ScenarioSchema, type Scenario } from './schema.js';

/**
 * Hardened inputs: whatever a scenario file holds, `parseScenario` returns a
 * scenario its own schema accepts, or throws a ScenarioError whose every
 * problem names the file and a line — never a TypeError, never a hang.
 */

const dir = fileURLToPath(new URL('.', import.meta.url));
const FILE = 'fuzz/plant.yaml';
const turbineText = readFileSync(`${dir}turbine-failure.yaml`, 'utf8');
const cobotFloorText = readFileSync(`${dir}cobot-floor.yaml`, 'utf8');
const turbine = parseYaml(turbineText) as Json;
const cobotFloor = parseYaml(cobotFloorText) as Json;

const toYaml = (v: unknown) => stringifyYaml(v, { aliasDuplicateObjects: false, lineWidth: 0 });

/** The loader's contract, checked on one text; returns the scenario when it is accepted. */
function load(text: string): Scenario | undefined {
  const r = outcome(() => parseScenario(text, FILE), ScenarioError);
  if (!r.ok) {
    const e = r.error as ScenarioError;
    expect(e.problems.length).toBeGreaterThan(0);
    for (const p of e.problems) {
      expect(p.message.trim()).not.toBe('');
      // Every problem is located: a line of the scenario, or a file of its own (an ERP export's CSV).
      if (p.file === undefined) expect(p.line).toBeGreaterThanOrEqual(1);
    }
    // One line per problem, each starting with the file: names and values from the file cannot break or forge a line.
    const lines = e.message.split('\n');
    expect(lines).toHaveLength(e.problems.length);
    for (const line of lines) {
      expect(line).toMatch(/^[^:\n]+:(\d+:)?/);
      expectOneLine(line);
    }
    return undefined;
  }
  // What is accepted satisfies the schema, and is a fixed point: written back as YAML, it loads the same.
  expect(ScenarioSchema.safeParse(r.value).success).toBe(true);
  expect(parseScenario(toYaml(r.value), FILE)).toEqual(r.value);
  return r.value;
}

/** Numbers of a document (or of one of its sections) replaced by extremes: huge, tiny, negative, fractional. */
const extreme = fc.constantFrom(1e308, -1e308, 1e15, -1e15, 1e9, 2 ** 53 + 2, 5e-324, 0, -1, 0.5, 1e-9);
function withExtremes(doc: Json, section?: string): fc.Arbitrary<Json> {
  const numbers: (string | number)[][] = [];
  const walk = (v: Json, at: (string | number)[]) => {
    if (typeof v === 'number') numbers.push(at);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
  };
  walk(section === undefined ? doc : (doc as Record<string, Json>)[section], section === undefined ? [] : [section]);
  return fc.array(fc.tuple(fc.nat(), extreme), { minLength: 1, maxLength: 6 }).map((edits) => {
    const out = JSON.parse(JSON.stringify(doc)) as Json;
    for (const [pick, value] of edits) {
      const path = numbers[pick % numbers.length];
      let parent = out as Record<string | number, Json>;
      for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
      parent[path[path.length - 1]] = value;
    }
    return out;
  });
}

/** Text as a file may hold it: line breaks, NULs, line separators, quotes. */
const oddText = fc.string({ unit: fc.constantFrom('\n', '\r', '\u0000', '\u2028', '\u001b', '"', 'a', '1', 'd'), minLength: 1, maxLength: 8 });

/** Unknown fields with odd names added, or string values replaced by odd text, at random places. */
function withOddText(doc: Json): fc.Arbitrary<Json> {
  const places: { path: (string | number)[]; object: boolean }[] = [];
  const walk = (v: Json, at: (string | number)[]) => {
    if (typeof v === 'string') places.push({ path: at, object: false });
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
    else if (v && typeof v === 'object') {
      places.push({ path: at, object: true });
      for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
    }
  };
  walk(doc, []);
  return fc.array(fc.tuple(fc.nat(), oddText), { minLength: 1, maxLength: 3 }).map((edits) => {
    const out = JSON.parse(JSON.stringify(doc)) as Json;
    for (const [pick, text] of edits) {
      const { path, object } = places[pick % places.length];
      let here = out as Record<string | number, Json>;
      for (const k of object ? path : path.slice(0, -1)) here = here[k] as Record<string | number, Json>;
      if (object) here[text] = 1;
      else here[path[path.length - 1]] = text;
    }
    return out;
  });
}

/** A "billion laughs": `levels` anchors, each aliasing the one before `width` times. */
function laughs(levels: number, width: number, where: 'top' | 'field'): string {
  const lines = ['l0: &l0 "lol"'];
  for (let i = 1; i < levels; i++) lines.push(`l${i}: &l${i} [${Array.from({ length: width }, () => `*l${i - 1}`).join(', ')}]`);
  if (where === 'top') return `${lines.join('\n')}\n`;
  // Inside a real scenario, as the value of a field the schema reads.
  const anchors = lines.map((l) => l.replace(/^l\d+: /, '')).join(', ');
  return turbineText.replace(/^description: .*$/m, `description: [${anchors}]`);
}

/** YAML made of its own syntax, so the parser gets past its first character. */
const yamlish = fc
  .array(fc.oneof(nastyToken, fc.constantFrom('\n', '  ', 'name: ', 'horizon: 1d', 'machines:', '- ', '? ', '<<: ', '&x ', '*x', '!!str ', '!!binary ', '|', '>', '---\n', '...\n', '%YAML 1.1\n', 'x: &x {a: 1}\n')), { maxLength: 40 })
  .map((parts) => parts.join(''));

describe('scenario loader, hardened', () => {
  test.prop([fc.string({ maxLength: 400 })], { numRuns: 200 })('arbitrary text: a scenario or a located ScenarioError', (text) => {
    load(text);
  });

  test.prop([fc.uint8Array({ maxLength: 400 })], { numRuns: 200 })('arbitrary bytes, read as a file is read (UTF-8)', (bytes) => {
    load(Buffer.from(bytes).toString('utf8'));
  });

  test.prop([yamlish], { numRuns: 300 })('YAML-shaped noise: anchors, aliases, tags, merge keys, directives', (text) => {
    load(text);
  });

  test.prop([mutatedText(fc.constant(turbineText), 4)], { numRuns: 60 })('the flagship scenario with lines and tokens edited', (text) => {
    load(text);
  });

  test.prop([mutatedBytes(fc.constant(new Uint8Array(Buffer.from(turbineText))), 4)], { numRuns: 60 })('the flagship scenario with bytes corrupted', (bytes) => {
    load(Buffer.from(bytes).toString('utf8'));
  });

  test.prop([mutatedJson(fc.constant(turbine), 4)], { numRuns: 60 })('the flagship scenario with fields deleted, replaced, added, duplicated, retyped', (doc) => {
    load(toYaml(doc));
  });

  test.prop([mutatedJson(fc.constant(cobotFloor), 4)], { numRuns: 80 })('the cobot floor scenario with fields deleted, replaced, added, duplicated, retyped', (doc) => {
    load(toYaml(doc));
  });

  test.prop([fc.oneof(withOddText(turbine), withOddText(cobotFloor))], { numRuns: 60 })('unknown fields with odd names and string values with line breaks: one line per problem', (doc) => {
    load(toYaml(doc));
  });

  test.prop([fc.oneof(withExtremes(turbine), withExtremes(cobotFloor))], { numRuns: 60 })('huge, tiny and negative numbers anywhere', (doc) => {
    load(toYaml(doc));
  });

  test.prop([withExtremes(cobotFloor, 'floor')], { numRuns: 100 })('huge, tiny and negative numbers in the floor geometry (cells, obstacles, walls)', (doc) => {
    load(toYaml(doc));
  });

  test.prop([fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 }), fc.constantFrom('top' as const, 'field' as const)], { numRuns: 60 })(
    'alias bombs are refused without expanding them',
    (levels, width, where) => {
      expect(load(laughs(levels, width, where))).toBeUndefined();
    },
  );

  test.prop([fc.integer({ min: 1, max: 4000 }), fc.constantFrom('[', '{a: ', '- ')], { numRuns: 40 })('deeply nested YAML', (depth, open) => {
    const text =
      open === '- '
        ? `name: t\ndescription:\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(i + 1)}- `).join('\n')}x\n`
        : `name: t\ndescription: ${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}\n`;
    expect(load(text)).toBeUndefined();
  });

  test.prop([anyJson], { numRuns: 100 })('any JSON value as the document', (doc) => {
    load(toYaml(doc));
  });

  // Inputs the properties found: each crashed or hung the loader before it was fixed.
  it('refuses a billion laughs with the place of its aliases (was a ReferenceError from yaml)', () => {
    const e = (() => {
      try {
        parseScenario(laughs(9, 10, 'top'), FILE);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(ScenarioError);
    expect((e as ScenarioError).problems[0]).toMatchObject({ line: 2, message: expect.stringMatching(/alias/) });
  });

  it('refuses an alias of an anchor never set, at that alias (was a ReferenceError from yaml)', () => {
    expect(() => parseScenario('name: t\nhorizon: *nope\n', FILE)).toThrow(ScenarioError);
    expect(() => parseScenario('name: t\nhorizon: *nope\n', FILE)).toThrow(/plant\.yaml:2:10: .*nope/);
  });

  it('refuses a YAML 1.1 merge of a non-map (was a plain Error from yaml)', () => {
    expect(() => parseScenario('%YAML 1.1\n---\nx: &x 1\n<<: *x\n', FILE)).toThrow(/plant\.yaml:4:5: Merge sources must be maps/);
  });

  it('prints each problem on one line when the file puts a NUL or a line break in a message or a key (was split or raw)', () => {
    const nul = (() => {
      try {
        parseScenario('\u0000horizon: 1d', FILE);
      } catch (e) {
        return e as ScenarioError;
      }
    })()!;
    expect(nul.message.split('\n')).toHaveLength(nul.problems.length);
    expect(nul.message).toContain('\\u0000');
    expect(() => parseScenario(turbineText.replace('ledger: { enabled: true }', 'ledger: { enabled: true, "a\\nfuzz/plant.yaml:1:1: forged": 1 }'), FILE)).toThrow(
      /ledger: unknown field "a\\nfuzz\/plant\.yaml:1:1: forged"$/,
    );
  });

  it('draws a wall that runs far past the floor only where the floor is (was a hang)', () => {
    const far = cobotFloorText.replace('{ x1: 10, y1: 2, x2: 46, y2: 2 }', '{ x1: 10, y1: 2, x2: 1e300, y2: 2 }');
    expect(far).not.toBe(cobotFloorText);
    expect(() => load(far)).not.toThrow();
    const across = cobotFloorText.replace('{ x1: 10, y1: 2, x2: 46, y2: 2 }', '{ x1: -1e308, y1: 2, x2: 1e308, y2: 2 }');
    expect(() => load(across)).not.toThrow();
  });
});
