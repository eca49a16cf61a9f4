import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { mutatedText, outcome } from '../../../test/support/fuzz.js';
import { CmapssError, INFORMATIVE_SENSORS, parseCmapss } from './cmapss.js';

/**
 * C-MAPSS files (`parseCmapss`): any text is engines whose cycles run
 * 1..n with finite sensor values, or a CmapssError naming the file and
 * line; formatting trajectories as a C-MAPSS file and reading it back gives
 * them again.
 */

/** Engines as the NASA files hold them: unit, cycle, 3 settings, 21 sensors per row. */
const engines = fc.array(
  // (+ 0: a -0 is written "0", and read back as 0.)
  fc.array(fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }).map((v) => v + 0), { minLength: 21, maxLength: 21 }), { minLength: 1, maxLength: 6 }),
  { minLength: 1, maxLength: 4 },
);

function format(units: number[][][], sep = ' ', settings = '0.0023 -0.0004 100.0'): string {
  const lines: string[] = [];
  units.forEach((rows, u) => rows.forEach((sensors, c) => lines.push([u + 1, c + 1, settings, ...sensors].join(sep))));
  return lines.join('\n') + '\n';
}

describe('C-MAPSS files', () => {
  test.prop([engines, fc.constantFrom(' ', '  ', '\t')], { numRuns: 200 })('format → parse gives the informative sensors of every cycle back', (units, sep) => {
    const t = parseCmapss(format(units, sep), 'train.txt');
    expect(t.map((u) => u.unit)).toEqual(units.map((_, i) => i + 1));
    t.forEach((u, i) => expect(u.rows).toEqual(units[i].map((sensors) => INFORMATIVE_SENSORS.map((s) => sensors[s - 1]))));
  });

  test.prop([fc.oneof(mutatedText(engines.map((u) => format(u)), 3), fc.string({ maxLength: 300 }))], { numRuns: 300 })(
    'any text: engines with cycles 1..n and finite values, or a CmapssError naming file and line',
    (text) => {
      const r = outcome(() => parseCmapss(text, 'train.txt'), CmapssError);
      if (!r.ok) return void expect(r.error.message).toMatch(/^train\.txt(:\d+)?: \S/);
      expect(r.value.length).toBeGreaterThan(0);
      for (const u of r.value) {
        expect(Number.isInteger(u.unit) && u.unit >= 1).toBe(true);
        expect(u.rows.length).toBeGreaterThan(0);
        for (const row of u.rows) {
          expect(row).toHaveLength(INFORMATIVE_SENSORS.length);
          for (const v of row) expect(Number.isFinite(v)).toBe(true);
        }
      }
    },
  );
});
