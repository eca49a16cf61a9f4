import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { mutatedText, outcome } from '../../../test/support/fuzz.js';
import { parseSolomon, SolomonFormatError } from './solomon.js';

/**
 * Solomon VRPTW files (`parseSolomon`): any text is an instance every
 * customer of which one vehicle can serve alone (finite data, windows in
 * order, demands within capacity), or a SolomonFormatError naming the file
 * and (for a bad row) the line. Writing an instance in the format and
 * reading it back gives it again.
 */

interface Node {
  x: number;
  y: number;
  demand: number;
  ready: number;
  due: number;
  service: number;
}

/** An instance every customer of which is reachable alone: depot at (50, 50) open long enough, windows after the drive. */
const instance = fc
  .record({
    name: fc.stringMatching(/^[A-Z]{1,2}[0-9]{3}$/),
    vehicles: fc.integer({ min: 1, max: 30 }),
    capacity: fc.integer({ min: 10, max: 300 }),
    customers: fc.array(
      fc.record({ x: fc.integer({ min: 0, max: 100 }), y: fc.integer({ min: 0, max: 100 }), demand: fc.integer({ min: 0, max: 10 }), ready: fc.integer({ min: 0, max: 1000 }), slack: fc.integer({ min: 0, max: 200 }), service: fc.integer({ min: 0, max: 90 }) }),
      { minLength: 1, maxLength: 12 },
    ),
  })
  .map(({ name, vehicles, capacity, customers }) => {
    const depot: Node = { x: 50, y: 50, demand: 0, ready: 0, due: 2000, service: 0 };
    const nodes = [depot, ...customers.map(({ slack, ...c }) => ({ ...c, due: Math.max(c.ready, Math.ceil(Math.hypot(c.x - 50, c.y - 50))) + slack }))];
    return { name, vehicles, capacity, nodes };
  });

function format(i: { name: string; vehicles: number; capacity: number; nodes: Node[] }, eol = '\n'): string {
  const rows = i.nodes.map((n, k) => `${String(k).padStart(5)}${[n.x, n.y, n.demand, n.ready, n.due, n.service].map((v) => String(v).padStart(11)).join('')}`);
  return [i.name, '', 'VEHICLE', 'NUMBER     CAPACITY', `  ${i.vehicles}         ${i.capacity}`, '', 'CUSTOMER', 'CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME', ' ', ...rows, ''].join(eol);
}

describe('Solomon VRPTW files', () => {
  test.prop([instance, fc.constantFrom('\n', '\r\n')], { numRuns: 200 })('format → parse gives the instance back', (i, eol) => {
    const inst = parseSolomon(format(i, eol), 'c.txt');
    expect(inst).toMatchObject({ name: i.name, n: i.nodes.length - 1, capacity: i.capacity, maxVehicles: i.vehicles });
    expect([...inst.x]).toEqual(i.nodes.map((n) => n.x));
    expect([...inst.due]).toEqual(i.nodes.map((n) => n.due));
    expect([...inst.demand]).toEqual(i.nodes.map((n) => n.demand));
  });

  test.prop([fc.oneof(mutatedText(instance.map((i) => format(i)), 3), fc.string({ maxLength: 200 }))], { numRuns: 300 })(
    'any text: a servable instance, or a SolomonFormatError naming file and line',
    (text) => {
      const r = outcome(() => parseSolomon(text, 'c.txt'), SolomonFormatError);
      if (!r.ok) return void expect(r.error.message).toMatch(/^c\.txt(:\d+)?: \S/);
      const inst = r.value;
      const m = inst.n + 1;
      expect(inst.n).toBeGreaterThanOrEqual(1);
      expect(Number.isInteger(inst.capacity) && inst.capacity > 0 && Number.isInteger(inst.maxVehicles) && inst.maxVehicles > 0).toBe(true);
      for (const a of [inst.x, inst.y, inst.demand, inst.ready, inst.due, inst.service]) {
        expect(a.length).toBe(m);
        for (const v of a) expect(Number.isFinite(v)).toBe(true);
      }
      expect(inst.dist.length).toBe(m * m);
      for (let c = 0; c < m; c++) {
        expect(inst.due[c]).toBeGreaterThanOrEqual(inst.ready[c]);
        if (c > 0) expect(inst.demand[c]).toBeLessThanOrEqual(inst.capacity);
        for (let d = 0; d < m; d++) expect(inst.dist[c * m + d]).toBe(inst.dist[d * m + c]);
      }
      // Every customer alone: depot → customer → depot within the windows.
      for (let c = 1; c < m; c++) {
        const arrive = Math.max(inst.ready[c], inst.ready[0] + inst.dist[c]);
        expect(arrive).toBeLessThanOrEqual(inst.due[c] + 1e-9);
        expect(arrive + inst.service[c] + inst.dist[c]).toBeLessThanOrEqual(inst.due[0] + 1e-9);
      }
    },
  );
});
