import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseCriticalLimits, type CriticalLimit } from '../agents/host/edge/critical-limits.js';
import type { EdgeFailSafesOptions } from '../bridges/mqtt/live/edge/edge-fail-safes.js';
import type { Scenario } from '../scenarios/schema.js';
import { durationFlag } from './args.js';
import { UsageError } from './errors.js';

/** An agent host's local fail-safes (docs/live-runs.md, "Local fail-safes"). */
export const edgeFlagSpec = {
  journal: { type: 'string' },
  'link-timeout': { type: 'string' },
  'guard-machines': { type: 'string' },
  opcua: { type: 'string' },
  critical: { type: 'string' },
} as const;

export const edgeFlagHelp = `  --journal FILE turns on the local fail-safes of a host at the edge
  (docs/live-runs.md, "Local fail-safes"): the host counts itself cut off when
  the broker connection is lost or the plant is silent for --link-timeout
  (default 3s); meanwhile its cobots hold, and everything that happens is
  kept in FILE (append + fsync) and sent to the plant when the link is back.
  --guard-machines M1,M2 --opcua URL: machines next to this host (browse
  names under Machines on that OPC UA endpoint) that it stops itself, through
  their Control/Stop method, on a critical reading while cut off;
  --critical 'vibRms>=12,temperature>=95' (default: the scenario's
  maintenance.threshold) says what is critical.`;

type EdgeValues = { journal?: string; 'link-timeout'?: string; 'guard-machines'?: string; opcua?: string; critical?: string };

/**
 * The fail-safes the flags ask for, or undefined without --journal. Checks
 * everything before the host connects; each problem is one line naming the flag.
 */
export async function edgeFailSafeFlags(values: EdgeValues, scenario: Scenario, onProblem: (line: string) => void): Promise<EdgeFailSafesOptions | undefined> {
  if (values.journal === undefined) {
    for (const flag of ['link-timeout', 'guard-machines', 'opcua', 'critical'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} needs --journal FILE: the local fail-safes keep what happens while cut off in it`);
    }
    return undefined;
  }
  if (values.journal.trim() === '') throw new UsageError('--journal: give a file name');
  const journal = isAbsolute(values.journal) ? values.journal : resolve(values.journal);
  if (!existsSync(dirname(journal))) throw new UsageError(`--journal: the folder ${dirname(journal)} does not exist`);
  const seconds = durationFlag('link-timeout', values['link-timeout']) ?? 3;
  if (seconds < 0.1 || seconds > 3600) throw new UsageError(`--link-timeout must be between 100ms and 1h, got "${values['link-timeout']}"`);
  const options: EdgeFailSafesOptions = { journal, linkTimeoutMs: seconds * 1000 };
  const guarded = values['guard-machines'];
  if (guarded === undefined) {
    if (values.opcua !== undefined || values.critical !== undefined) throw new UsageError('--opcua and --critical go with --guard-machines M1,M2');
    return options;
  }
  const machines = guarded.split(',').map((m) => m.trim());
  const bad = machines.find((m) => !/^[A-Za-z0-9_.-]{1,100}$/.test(m));
  if (bad !== undefined) throw new UsageError(`--guard-machines: "${bad}" is not a machine name (letters, digits, _ . -)`);
  if (new Set(machines).size !== machines.length) throw new UsageError(`--guard-machines names a machine twice: "${guarded}"`);
  if (values.opcua === undefined) throw new UsageError('--guard-machines needs --opcua URL: the OPC UA endpoint of those machines (opc.tcp://host:port)');
  if (!/^opc\.tcp:\/\/[^\s/]+/.test(values.opcua)) throw new UsageError(`--opcua must be an endpoint like opc.tcp://127.0.0.1:4840, got "${values.opcua}"`);
  let limits: CriticalLimit[];
  if (values.critical !== undefined) {
    const parsed = parseCriticalLimits(values.critical);
    if (!parsed.ok) throw new UsageError(`--critical: ${parsed.reason}`);
    limits = parsed.limits;
  } else {
    const t = scenario.maintenance.threshold;
    if (!t) throw new UsageError(`--guard-machines needs --critical CHANNEL>=VALUE: scenario "${scenario.name}" has no maintenance.threshold to take it from`);
    limits = [{ channel: t.signal, value: t.value }];
  }
  // node-opcua loads only when asked for: at load it prints warnings on stdout, which would spoil `--json` output.
  const { OpcuaLocalMachines } = await import('../bridges/opcua/local-machines.js');
  const port = new OpcuaLocalMachines(values.opcua, machines, onProblem);
  return { ...options, guard: { port: port.start(), machines, limits } };
}
