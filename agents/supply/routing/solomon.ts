/**
 * Parser for Solomon's VRPTW text format (CRLF or LF, whitespace-separated
 * columns): name, VEHICLE section (number, capacity), CUSTOMER section with
 * rows `id x y demand ready due service`, the depot (id 0) first and
 * customers numbered 1..n in order.
 */
import { createInstance, type VrptwInstance, type VrptwNode } from './instance.js';

/** Bad input in a Solomon file; the message names the file and the line. */
export class SolomonFormatError extends Error {
  override name = 'SolomonFormatError';
}

export function parseSolomon(text: string, file = '<input>'): VrptwInstance {
  const lines = text.split(/\r?\n/);
  const fail = (line: number, what: string): never => {
    throw new SolomonFormatError(`${file}:${line}: ${what}`);
  };
  let i = 0;
  const skipBlank = () => {
    while (i < lines.length && lines[i].trim() === '') i++;
  };
  skipBlank();
  if (i >= lines.length) fail(1, 'empty file, expected a Solomon VRPTW instance');
  const name = lines[i].trim();
  i++;
  skipBlank();
  if (lines[i]?.trim().toUpperCase() !== 'VEHICLE') fail(i + 1, `expected "VEHICLE", got "${lines[i]?.trim() ?? ''}"`);
  i++;
  skipBlank();
  if (!/^NUMBER\s+CAPACITY$/i.test(lines[i]?.trim() ?? '')) fail(i + 1, 'expected the header "NUMBER CAPACITY"');
  i++;
  skipBlank();
  const vehicleFields = (lines[i] ?? '').trim().split(/\s+/);
  const nums = vehicleFields.map(Number);
  if (vehicleFields.length !== 2 || !nums.every((v) => Number.isInteger(v) && v > 0)) {
    fail(i + 1, `expected two positive integers (vehicle number and capacity), got "${(lines[i] ?? '').trim()}"`);
  }
  const [maxVehicles, capacity] = nums;
  i++;
  skipBlank();
  if (lines[i]?.trim().toUpperCase() !== 'CUSTOMER') fail(i + 1, `expected "CUSTOMER", got "${lines[i]?.trim() ?? ''}"`);
  i++;
  skipBlank();
  if (!/^CUST\s+NO\./i.test(lines[i]?.trim() ?? '')) fail(i + 1, 'expected the customer header "CUST NO. XCOORD. …"');
  i++;
  const nodes: VrptwNode[] = [];
  for (; i < lines.length; i++) {
    const row = lines[i].trim();
    if (row === '') continue;
    const f = row.split(/\s+/);
    if (f.length !== 7) fail(i + 1, `expected 7 columns (id x y demand ready due service), got ${f.length}`);
    const v = f.map(Number);
    const bad = f.findIndex((s, k) => !Number.isFinite(v[k]) || s === '');
    if (bad >= 0) fail(i + 1, `column ${bad + 1} is not a number: "${f[bad]}"`);
    const [id, x, y, demand, ready, due, service] = v;
    if (id !== nodes.length) fail(i + 1, `expected customer number ${nodes.length}, got ${f[0]}`);
    if (demand < 0 || service < 0) fail(i + 1, 'demand and service time must be ≥ 0');
    if (due < ready) fail(i + 1, `due date ${due} is before ready time ${ready}`);
    if (id > 0 && demand > capacity) fail(i + 1, `demand ${demand} exceeds the vehicle capacity ${capacity}`);
    nodes.push({ x, y, demand, ready, due, service });
  }
  if (nodes.length < 2) fail(lines.length, 'expected the depot row and at least one customer');
  const inst = createInstance(name, nodes, capacity, maxVehicles);
  // Every customer must be reachable alone: depot → customer → depot within the windows.
  for (let c = 1; c <= inst.n; c++) {
    const arrive = Math.max(inst.ready[c], inst.ready[0] + inst.dist[c]);
    if (arrive > inst.due[c] + 1e-9 || arrive + inst.service[c] + inst.dist[c] > inst.due[0] + 1e-9) {
      throw new SolomonFormatError(`${file}: customer ${c} cannot be served within its time window by any vehicle`);
    }
  }
  return inst;
}
