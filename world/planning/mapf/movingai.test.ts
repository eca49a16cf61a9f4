import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildInstance } from './instance.js';
import { MapfFormatError, parseMap, parseScenario } from './movingai.js';

const data = fileURLToPath(new URL('../../../../shared/data/mapf/', import.meta.url));
const read = (f: string) => readFileSync(data + f, 'utf8');

const MAP = 'type octile\nheight 3\nwidth 4\nmap\n..@.\n.T..\nG...\n';
const scenLine = (sx: number, sy: number, gx: number, gy: number) => `0\tt.map\t4\t3\t${sx}\t${sy}\t${gx}\t${gy}\t1.0`;
const SCEN = ['version 1', scenLine(0, 0, 3, 0), scenLine(3, 2, 0, 1), ''].join('\n');

function error(f: () => unknown): MapfFormatError {
  try {
    f();
  } catch (e) {
    if (e instanceof MapfFormatError) return e;
    throw e;
  }
  throw new Error('expected a MapfFormatError');
}

describe('Moving AI map parser', () => {
  it('reads size and obstacles (@, T blocked; ., G free), also with CRLF', () => {
    for (const text of [MAP, MAP.replace(/\n/g, '\r\n')]) {
      const { grid, width, height } = parseMap(text, 't.map');
      expect([width, height]).toEqual([4, 3]);
      expect(grid.free(2, 0)).toBe(false);
      expect(grid.free(1, 1)).toBe(false);
      expect(grid.free(0, 2)).toBe(true);
      expect(grid.freeCount()).toBe(10);
    }
  });

  it.each([
    ['type tile\nheight 3\nwidth 4\nmap\n', 1, /unsupported map type "tile"/],
    ['height 3\n', 1, /expected "type octile"/],
    ['type octile\nheight x\nwidth 4\nmap\n', 2, /height must be a positive integer, got "x"/],
    ['type octile\nheight 3\nbreadth 4\nmap\n', 3, /expected "width <number>"/],
    ['type octile\nheight 3\nwidth 4\nmaps\n', 4, /expected "map"/],
    ['type octile\nheight 3\nwidth 4\nmap\n....\n...\n....\n', 6, /map row has 3 cells, expected width 4/],
    ['type octile\nheight 3\nwidth 4\nmap\n....\n..x.\n....\n', 6, /unknown map character "x" at column 3/],
    ['type octile\nheight 3\nwidth 4\nmap\n....\n....\n', 7, /expected 3 map rows, found 2/],
    ['type octile\nheight 1\nwidth 4\nmap\n....\n....\n', 6, /unexpected text after the 1 map rows/],
  ])('rejects a malformed map naming file and line (%#)', (text, line, message) => {
    const e = error(() => parseMap(text, 'bad.map'));
    expect(e.line).toBe(line);
    expect(e.message).toMatch(new RegExp(`^bad\\.map:${line}: `));
    expect(e.message).toMatch(message);
  });

  it('parses the shared benchmark maps with the documented free-cell counts', () => {
    const free = { 'empty-16-16': 256, 'random-32-32-10': 922, 'room-32-32-4': 682, 'warehouse-10-20-10-2-1': 5699 };
    for (const [name, count] of Object.entries(free)) expect(parseMap(read(`${name}.map`), name).grid.freeCount()).toBe(count);
  });
});

describe('Moving AI scenario parser', () => {
  it('reads one agent per line, in file order, with its line number', () => {
    const agents = parseScenario(SCEN, 't.scen');
    expect(agents).toHaveLength(2);
    expect(agents[1]).toMatchObject({ line: 3, map: 't.map', mapWidth: 4, mapHeight: 3, start: { x: 3, y: 2 }, goal: { x: 0, y: 1 }, optimalLength: 1 });
  });

  it.each([
    ['version 2\n', 1, /unsupported scenario version "2"/],
    ['0\tt.map\n', 1, /expected "version 1"/],
    ['version 1\n0\tt.map\t4\t3\t0\t0\t3\t0\n', 2, /expected 9 tab-separated fields, found 8/],
    ['version 1\n0 t.map 4 3 0 0 3 0 1.0\n', 2, /expected 9 tab-separated fields, found 1/],
    [`version 1\n${scenLine(0, 0, 3, 0)}\n${scenLine(-1, 0, 3, 0)}\n`, 3, /start_x must be a non-negative integer, got "-1"/],
    ['version 1\n0\tt.map\t4\t3\t0\t0\t3\t0\tfar\n', 2, /optimal_length must be a non-negative number/],
  ])('rejects a malformed scenario naming file and line (%#)', (text, line, message) => {
    const e = error(() => parseScenario(text, 'bad.scen'));
    expect(e.message).toMatch(new RegExp(`^bad\\.scen:${line}: `));
    expect(e.message).toMatch(message);
  });

  it('parses the shared scenario files with the documented agent counts', () => {
    const counts = { 'empty-16-16': 128, 'random-32-32-10': 461, 'room-32-32-4': 341, 'warehouse-10-20-10-2-1': 1000 };
    for (const [name, count] of Object.entries(counts)) {
      for (const k of [1, 2]) {
        const agents = parseScenario(read(`${name}-random-${k}.scen`), name);
        expect(agents).toHaveLength(count);
        expect(agents.every((a) => a.map === `${name}.map`)).toBe(true);
        const map = parseMap(read(`${name}.map`), name);
        expect(buildInstance(map, 'm', agents, 's', count).starts).toHaveLength(count);
      }
    }
  });
});

describe('buildInstance', () => {
  const map = parseMap(MAP, 't.map');
  const agents = (...lines: string[]) => parseScenario(['version 1', ...lines].join('\n'), 't.scen');

  it('turns the first N agents into cell indices', () => {
    expect(buildInstance(map, 't.map', parseScenario(SCEN, 't.scen'), 't.scen', 1)).toMatchObject({ starts: [0], goals: [3] });
  });

  it.each([
    [agents(scenLine(0, 0, 3, 0)), 2, /t\.scen: asked for 2 agents but the scenario has only 1/],
    [agents('0\tt.map\t5\t3\t0\t0\t3\t0\t1'), 1, /t\.scen:2: map size 5 × 3 does not match t\.map \(4 × 3\)/],
    [agents(scenLine(4, 0, 3, 0)), 1, /t\.scen:2: start \(4, 0\) is outside the map/],
    [agents(scenLine(0, 0, 2, 0)), 1, /t\.scen:2: goal \(2, 0\) is an obstacle in t\.map/],
    [agents(scenLine(0, 0, 3, 0), scenLine(0, 0, 3, 2)), 2, /t\.scen:3: start \(0, 0\) is also the start of the agent on line 2/],
    [agents(scenLine(0, 0, 3, 0), scenLine(0, 2, 3, 0)), 2, /t\.scen:3: goal \(3, 0\) is also the goal of the agent on line 2/],
  ])('rejects a scenario that does not fit the map (%#)', (scen, n, message) => {
    expect(error(() => buildInstance(map, 't.map', scen, 't.scen', n)).message).toMatch(message);
  });

  it('rejects a goal in another connected component', () => {
    const walled = parseMap('type octile\nheight 1\nwidth 3\nmap\n.@.\n', 'w.map');
    const scen = parseScenario('version 1\n0\tw.map\t3\t1\t0\t0\t2\t0\t2\n', 'w.scen');
    expect(error(() => buildInstance(walled, 'w.map', scen, 'w.scen', 1)).message).toMatch(/w\.scen:2: goal \(2, 0\) cannot be reached from start \(0, 0\)/);
  });
});
