import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { newIdentity, type Identity } from '../../bridges/identity/identity.js';
import { writeKeyring } from '../../bridges/identity/keyring.js';
import { idPattern } from '../../bridges/mqtt/live/id-pattern.js';
import { loadScenario } from '../../scenarios/load.js';
import type { Scenario } from '../../scenarios/schema.js';
import { buildRun, closeRun } from '../../runtime/plant.js';
import { isHostableKind } from '../../runtime/agent-kinds.js';
import { ERP } from '../../runtime/erp-plan-source.js';
import { OPERATOR } from '../../runtime/operator.js';
import { PREDICTOR } from '../../runtime/wire-predictive.js';
import { UsageError } from '../errors.js';

/**
 * `identity fleet`: every key of a scenario's live run in one go. The
 * plant's and each host's link identity, a key per agent and per bridge
 * that puts envelopes on the bus, one keyring per process (the plant: its
 * own agents and the bridges; a host: the agents its pattern covers), and
 * the principals file listing them all with their roles.
 */

/** Bridges that put envelopes on the plant's bus under their own name (the scenario's order book is `customers`). */
export const BRIDGES: readonly string[] = [ERP, OPERATOR, 'customers', PREDICTOR];

const ID = /^[A-Za-z0-9._-]{1,100}$/;

export interface FleetHost {
  id: string;
  pattern: string;
}

/** Parses `--host ID=PATTERN` (repeatable): a host id and the agents it will offer (`cobot-[1-4]`). */
export function parseFleetHosts(values: readonly string[]): FleetHost[] {
  const hosts: FleetHost[] = [];
  for (const v of values) {
    const eq = v.indexOf('=');
    const id = eq < 0 ? v : v.slice(0, eq);
    if (eq < 0 || !ID.test(id)) throw new UsageError(`identity fleet: --host must be ID=PATTERN (host-a=cobot-[1-4]), got "${v}"`);
    const pattern = idPattern(v.slice(eq + 1));
    if (!pattern.ok) throw new UsageError(`identity fleet: --host ${id}: ${pattern.reason}`);
    if (hosts.some((h) => h.id === id) || id === 'plant') throw new UsageError(`identity fleet: host id "${id}" is given twice or is "plant"`);
    hosts.push({ id, pattern: v.slice(eq + 1) });
  }
  return hosts;
}

/** The scenario's agents at the start of a run (negotiations sign as their opener and need no key). */
export function scenarioAgents(scenario: Scenario): { id: string; kind: string }[] {
  const run = buildRun(scenario);
  try {
    return run.host.all().map((a) => ({ id: a.id, kind: a.kind }));
  } finally {
    run.log.abort();
    closeRun(run);
  }
}

const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

/** A principals entry of an agent (its public key added by `newSigner`): carried by `hosts`, or by the plant when none. */
export const agentEntry = (kind: string, hosts: readonly string[]) => ({ roles: ['agent'], kind, hosts: [...hosts] });
/** A principals entry of a bridge (its public key added by `newSigner`). */
export const BRIDGE_ENTRY = { roles: ['bridge'] };

/** A new Ed25519 signer: its principals entry (`entry` with the public key) and its private key. */
export function newSigner(entry: Record<string, unknown>): { principal: Record<string, unknown>; privateKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { principal: { publicKey: pem(publicKey), ...entry }, privateKey };
}

/** Every key of a live run, in memory: the principals file's content, the link identities and each process's keyring. */
export interface Fleet {
  principals: { version: 1; principals: Record<string, unknown>; revoked: string[] };
  /** `plant` and each host: its identity file's content. */
  identities: Map<string, { identity: Identity; identityFile: string }>;
  /** `plant` and each host: the keys it signs envelopes with. */
  keyrings: Map<string, Map<string, KeyObject>>;
  agents: number;
}

export function makeFleet(scenario: Scenario, hosts: readonly FleetHost[]): Fleet {
  const agents = scenarioAgents(scenario);
  const clash = agents.find((a) => a.id === 'plant' || BRIDGES.includes(a.id) || hosts.some((h) => h.id === a.id));
  if (clash) throw new UsageError(`identity fleet: agent "${clash.id}" has the id of the plant, a bridge or a host`);
  const principals: Record<string, unknown> = {};
  const identities = new Map<string, { identity: Identity; identityFile: string }>();
  const keyrings = new Map<string, Map<string, KeyObject>>();
  for (const [id, role] of [['plant', 'plant'], ...hosts.map((h) => [h.id, 'agent-host'])]) {
    const made = newIdentity(id, [role]);
    principals[id] = made.principal;
    identities.set(id, made);
    keyrings.set(id, new Map());
  }
  const matchers = hosts.map((h) => ({ id: h.id, matches: (idPattern(h.pattern) as { matches: (id: string) => boolean }).matches }));
  for (const a of agents) {
    const carriers = isHostableKind(a.kind) ? matchers.filter((m) => m.matches(a.id)).map((m) => m.id) : [];
    const made = newSigner(agentEntry(a.kind, carriers));
    principals[a.id] = made.principal;
    for (const p of carriers.length === 0 ? ['plant'] : carriers) keyrings.get(p)?.set(a.id, made.privateKey);
  }
  for (const b of BRIDGES) {
    const made = newSigner(BRIDGE_ENTRY);
    principals[b] = made.principal;
    keyrings.get('plant')?.set(b, made.privateKey);
  }
  return { principals: { version: 1, principals, revoked: [] }, identities, keyrings, agents: agents.length };
}

/** Writes the fleet of a scenario file into `out`; returns the lines to print. Never overwrites a file. */
export function writeFleet(scenarioFile: string, out: string, hosts: readonly FleetHost[]): string[] {
  const fleet = makeFleet(loadScenario(scenarioFile), hosts);
  const processes = ['plant', ...hosts.map((h) => h.id)];
  const files = ['principals.json', ...processes.flatMap((p) => [`${p}.id.json`, `${p}.keyring.json`])].map((f) => join(out, f));
  const existing = files.find((f) => existsSync(f));
  if (existing) throw new UsageError(`identity fleet: ${existing} exists; a key is never overwritten`);
  try {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'principals.json'), `${JSON.stringify(fleet.principals, null, 2)}\n`, { flag: 'wx' });
    for (const p of processes) {
      writeFileSync(join(out, `${p}.id.json`), fleet.identities.get(p)!.identityFile, { mode: 0o600, flag: 'wx' });
      writeKeyring(join(out, `${p}.keyring.json`), fleet.keyrings.get(p)!);
    }
  } catch (e) {
    throw new UsageError(`identity fleet: cannot write into ${out} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const lines = [`${join(out, 'principals.json')}: ${Object.keys(fleet.principals.principals).length} principals (the plant, ${hosts.length} hosts, ${fleet.agents} agents, ${BRIDGES.length} bridges)`];
  for (const p of processes) lines.push(`${join(out, `${p}.keyring.json`)}: ${fleet.keyrings.get(p)!.size} keys${p === 'plant' ? " (the plant's agents and the bridges)" : ` (${hosts.find((h) => h.id === p)!.pattern})`}; ${join(out, `${p}.id.json`)}: its link identity`);
  return lines;
}
