import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../runtime/paths.js';
import { cli } from '../support/cli.js';
import { expectOneLine } from '../support/one-line.js';

const SCENARIO = join(projectRoot(), 'scenarios', 'cobot-floor.yaml');
const dir = mkdtempSync(join(tmpdir(), 'hf-edge-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** agent-host with the local fail-safe flags; every case is refused before any connection is made. */
const host = (...flags: string[]) => cli('agent-host', SCENARIO, '--agents', 'cobot-*', '--mqtt', 'mqtt://127.0.0.1:1', '--host-id', 'edge-1', ...flags);
const journal = join(dir, 'edge-1.ndjson');

describe('agent-host local fail-safe flags: bad input gives one clear line', () => {
  it.each([
    [['--link-timeout', '3s'], '--link-timeout needs --journal FILE'],
    [['--guard-machines', 'press-1'], '--guard-machines needs --journal FILE'],
    [['--journal', join(dir, 'missing', 'j.ndjson')], '--journal: the folder'],
    [['--journal', journal, '--link-timeout', 'soon'], '--link-timeout: "soon" is not a duration'],
    [['--journal', journal, '--link-timeout', '10ms'], '--link-timeout must be between 100ms and 1h, got "10ms"'],
    [['--journal', journal, '--opcua', 'opc.tcp://127.0.0.1:4840'], '--opcua and --critical go with --guard-machines'],
    [['--journal', journal, '--guard-machines', 'press-1'], '--guard-machines needs --opcua URL'],
    [['--journal', journal, '--guard-machines', 'press 1', '--opcua', 'opc.tcp://127.0.0.1:4840'], '--guard-machines: "press 1" is not a machine name'],
    [['--journal', journal, '--guard-machines', 'a,a', '--opcua', 'opc.tcp://127.0.0.1:4840'], '--guard-machines names a machine twice'],
    [['--journal', journal, '--guard-machines', 'press-1', '--opcua', 'http://x'], '--opcua must be an endpoint like opc.tcp://'],
    [['--journal', journal, '--guard-machines', 'press-1', '--opcua', 'opc.tcp://127.0.0.1:4840', '--critical', 'vibRms>high'], '--critical: "vibRms>high" is not CHANNEL>=NUMBER'],
    [['--journal', journal, '--guard-machines', 'press-1', '--opcua', 'opc.tcp://127.0.0.1:4840', '--critical', 'vibRms>=1,vibRms>=2'], '--critical: channel "vibRms" has two limits'],
    [['--journal', journal, '--guard-machines', 'press-1', '--opcua', 'opc.tcp://127.0.0.1:4840'], 'scenario "cobot-floor" has no maintenance.threshold'],
  ])('%j', async (flags, expected) => {
    const r = await host(...flags);
    expect(r.code).not.toBe(0);
    const line = r.stderr.trim();
    expect(line).toContain(expected);
    expectOneLine(line);
  }, 60_000);
});
