import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../scenarios/load.js';
import { projectRoot } from '../../runtime/paths.js';
import { runPlant } from '../../runtime/plant.js';
import { makeFleet } from '../../cli/commands/identity-fleet.js';
import { Principals } from './principals.js';
import { withIdentity } from './keyring.js';

/**
 * Signing changes nothing a run decides: a whole plant (coordinators,
 * machines, technicians, cobots, negotiations) with every envelope signed by
 * its sender and checked gives the same event log, byte for byte, as the
 * unsigned run — and refuses nothing, so every sender has its key. A
 * sender without a key is refused at once.
 */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'signed-run-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a run with signed envelopes', () => {
  it('logs exactly what the unsigned run logs, with nothing refused', () => {
    const scenario = loadScenario(join(projectRoot(), 'scenarios', 'cobot-floor.yaml'));
    scenario.cobots!.count = 4;
    const fleet = makeFleet(scenario, []);
    const file = join(dir, 'principals.json');
    writeFileSync(file, JSON.stringify(fleet.principals));
    const principals = new Principals(file);
    const lines: string[] = [];
    try {
      const unsigned = runPlant(scenario, { until: 4 * 3600 });
      const signed = runPlant(scenario, {
        until: 4 * 3600,
        signing: { keyring: withIdentity(fleet.keyrings.get('plant')!, fleet.identities.get('plant')!.identity), principals, onLine: (l) => lines.push(l) },
      });
      expect(lines).toEqual([]);
      expect(signed.events).toBe(unsigned.events);
      expect(signed.logHash).toBe(unsigned.logHash);
      expect(unsigned.events).toBeGreaterThan(500);
      // The checks are live: without cobot-2's key its envelopes are refused, and the log says so.
      const keyring = new Map(fleet.keyrings.get('plant')!);
      keyring.delete('cobot-2');
      const short = runPlant(scenario, { until: 3600, signing: { keyring, principals, onLine: (l) => lines.push(l) } });
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every((l) => /^refused envelope \S+ cobot-2:\d+ from "cobot-2": unsigned: /.test(l))).toBe(true);
      expect(short.logHash).not.toBe(runPlant(scenario, { until: 3600 }).logHash);
    } finally {
      principals.close();
    }
  }, 120_000);
});
