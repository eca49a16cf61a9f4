import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernel } from '../../sim/clock/kernel.js';
import { MemoryBus } from '../memory/memory-bus.js';
import { decodeEnvelope, type Envelope } from '../../agents/protocol/envelope.js';
import { waitUntil } from '../../test/support/wait.js';
import { Principals, PrincipalsFileError } from './principals.js';
import { KeyringFileError, loadKeyring, writeKeyring } from './keyring.js';
import { signEnvelope } from './envelope-signature.js';
import { signingBusForRun, SigningBus, type EnvelopeRefused } from './signing-bus.js';

/**
 * The signing bus: envelopes signed by their sender's own key and checked
 * before delivery. Every kind of bad envelope is refused with its reason and
 * reported, the good ones are delivered, and a revocation written to the
 * watched principals file applies to the next envelope.
 */
const ids = ['cobot-1', 'cobot-2', 'robotics', 'erp', 'ingest', 'host-a', 'plant', 'stranger'] as const;
const keys = Object.fromEntries(ids.map((id) => [id, generateKeyPairSync('ed25519')])) as Record<(typeof ids)[number], { privateKey: KeyObject; publicKey: KeyObject }>;
const pub = (id: (typeof ids)[number]) => keys[id].publicKey.export({ type: 'spki', format: 'pem' }).toString();

let dir: string;
let file: string;
const writePrincipals = (revoked: string[] = []) =>
  writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      principals: {
        'cobot-1': { publicKey: pub('cobot-1'), roles: ['agent'], kind: 'cobot', hosts: ['host-a'] },
        'cobot-2': { publicKey: pub('cobot-2'), roles: ['agent'], kind: 'cobot' },
        robotics: { publicKey: pub('robotics'), roles: ['agent'], kind: 'robotics' },
        erp: { publicKey: pub('erp'), roles: ['bridge'] },
        ingest: { publicKey: pub('ingest'), roles: ['bridge'], speaksFor: 'machine-*' },
        'host-a': { publicKey: pub('host-a'), roles: ['agent-host'] },
        plant: { publicKey: pub('plant'), roles: ['plant'] },
      },
      revoked,
    }),
  );

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'signing-bus-'));
  file = join(dir, 'principals.json');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let principals: Principals;
let kernel: Kernel;
let bus: SigningBus;
let delivered: Envelope[];
let refused: EnvelopeRefused[];
let n = 0;

/** A bus holding the keys of cobot-1, robotics, erp, ingest and plant (not cobot-2's). */
beforeEach(() => {
  writePrincipals();
  principals = new Principals(file);
  kernel = new Kernel();
  const keyring = new Map((['cobot-1', 'robotics', 'erp', 'ingest', 'plant'] as const).map((id) => [id, keys[id].privateKey]));
  bus = new SigningBus(new MemoryBus(kernel), { keyring, principals, onRefused: (r) => refused.push(r) });
  delivered = [];
  refused = [];
  bus.attach('maintenance', ['#all'], (e) => delivered.push(e));
});
afterEach(() => principals.close());

const envelope = (from: string, type = 'repair.requested', payload: Record<string, unknown> = { machine: 'press-1' }): Envelope =>
  ({ id: `${from}:${++n}`, time: kernel.now, from, to: 'maintenance', conversation: `c${n}`, type, payload }) as Envelope;
const send = (e: Envelope) => {
  bus.send(e);
  kernel.runUntil(kernel.now + 1);
};
const lastRefusal = () => refused.at(-1);

describe('the signing bus', () => {
  it('signs each envelope with its sender’s key and delivers it; the signature survives JSON', () => {
    send(envelope('cobot-1'));
    send(envelope('robotics/task:3')); // a negotiation signs as its opener
    send(envelope('machine-7', 'telemetry.sample', { machine: 'machine-7', signals: { vibration: 0.5 } })); // a bridge speaking for a machine
    send(envelope('erp', 'customer.ordered', { order: 'o-1' }));
    send(envelope('plant', 'agent.lost', { agent: 'cobot-2', reason: 'host gone' }));
    expect(refused).toEqual([]);
    expect(delivered.map((e) => e.signature?.split(':')[1])).toEqual(['cobot-1', 'robotics', 'ingest', 'erp', 'plant']);
    expect(bus.stats).toEqual({ signed: 5, verified: 5, rejected: 0 });
    // Another process's bus takes the same envelope after a trip through JSON.
    const decoded = decodeEnvelope(JSON.parse(JSON.stringify(delivered[0])));
    expect(decoded.ok).toBe(true);
    const other = new SigningBus(new MemoryBus(new Kernel()), { keyring: new Map(), principals, onRefused: (r) => refused.push(r) });
    expect(other.admit((decoded as { envelope: Envelope }).envelope)).toBeDefined();
    expect(refused).toEqual([]);
  });

  it('refuses an unsigned envelope (a sender whose key it does not hold)', () => {
    send(envelope('cobot-2'));
    expect(delivered).toEqual([]);
    expect(lastRefusal()).toMatchObject({ reason: 'unsigned', signer: undefined, from: 'cobot-2', type: 'repair.requested' });
    expect(bus.stats.rejected).toBe(1);
  });

  it('refuses a malformed signature, an unknown signer and a forged signature', () => {
    send({ ...envelope('cobot-2'), signature: 'cobot-2 trust me' });
    expect(lastRefusal()).toMatchObject({ reason: 'malformed-signature' });
    send(signEnvelope(envelope('stranger'), 'stranger', keys.stranger.privateKey));
    expect(lastRefusal()).toMatchObject({ reason: 'unknown-signer', signer: 'stranger' });
    send(signEnvelope(envelope('cobot-2'), 'cobot-2', keys.stranger.privateKey)); // claims cobot-2, another key
    expect(lastRefusal()).toMatchObject({ reason: 'bad-signature', signer: 'cobot-2' });
    expect(delivered).toEqual([]);
    expect(bus.stats.rejected).toBe(3);
  });

  it('refuses a signer who may not speak for the sender, and one in the wrong role', () => {
    send(signEnvelope(envelope('cobot-2'), 'cobot-1', keys['cobot-1'].privateKey)); // cobot-1 posing as cobot-2
    expect(lastRefusal()).toMatchObject({ reason: 'not-sender', signer: 'cobot-1', from: 'cobot-2' });
    send(signEnvelope(envelope('cobot-2'), 'host-a', keys['host-a'].privateKey)); // a host speaking for an agent whose key it lacks
    expect(lastRefusal()).toMatchObject({ reason: 'not-sender', signer: 'host-a' });
    send(signEnvelope(envelope('cobot-2'), 'erp', keys.erp.privateKey)); // a bridge without speaksFor
    expect(lastRefusal()).toMatchObject({ reason: 'not-sender', signer: 'erp' });
    send(envelope('cobot-1', 'agent.lost', { agent: 'cobot-2', reason: 'made up' })); // only the plant says an agent is lost
    expect(lastRefusal()).toMatchObject({ reason: 'role', signer: 'cobot-1', type: 'agent.lost' });
    send(envelope('cobot-1', 'operator.command', { command: 'stop' })); // only a bridge (the operator console)
    expect(lastRefusal()).toMatchObject({ reason: 'role', type: 'operator.command' });
    send(signEnvelope(envelope('host-a'), 'host-a', keys['host-a'].privateKey)); // a host is no agent
    expect(lastRefusal()).toMatchObject({ reason: 'role', signer: 'host-a' });
    expect(delivered).toEqual([]);
    expect(bus.stats.rejected).toBe(6);
  });

  it('refuses a replayed envelope and an altered one', () => {
    const signed = signEnvelope(envelope('cobot-1'), 'cobot-1', keys['cobot-1'].privateKey);
    send(signed);
    send(signed);
    expect(lastRefusal()).toMatchObject({ reason: 'replay', signer: 'cobot-1' });
    send({ ...signed, id: 'cobot-1:999' });
    expect(lastRefusal()).toMatchObject({ reason: 'bad-signature' });
    send({ ...signed, payload: { machine: 'press-2' } });
    expect(lastRefusal()).toMatchObject({ reason: 'bad-signature' });
    send({ ...signed, to: '#all' });
    expect(lastRefusal()).toMatchObject({ reason: 'bad-signature' });
    expect(delivered).toHaveLength(1);
    expect(bus.stats).toMatchObject({ verified: 1, rejected: 4 });
    // A group message reaches a host once per member: each copy once.
    const group = signEnvelope(envelope('robotics'), 'robotics', keys.robotics.privateKey);
    expect(bus.admit(group, 'cobot-1')).toBe(group);
    expect(bus.admit(group, 'cobot-2')).toBe(group);
    expect(bus.admit(group, 'cobot-1')).toBeUndefined();
    expect(lastRefusal()).toMatchObject({ reason: 'replay', signer: 'robotics' });
  });

  it('refuses a principal revoked in the watched file from its next envelope, without a restart', async () => {
    send(envelope('cobot-1'));
    expect(delivered).toHaveLength(1);
    writePrincipals(['cobot-1']);
    // The file watcher picks the edit up; each poll sends one more envelope.
    await waitUntil(
      'cobot-1 refused as revoked',
      () => {
        send(envelope('cobot-1'));
        return lastRefusal()?.reason === 'revoked';
      },
      20_000,
    );
    expect(lastRefusal()).toMatchObject({ reason: 'revoked', signer: 'cobot-1' });
    send(envelope('robotics'));
    expect(delivered.at(-1)?.from).toBe('robotics');
  }, 30_000);

  it('records each refusal in the event log with simulated time only, and says it on one line', () => {
    const records: Record<string, unknown>[] = [];
    const lines: string[] = [];
    const k = new Kernel();
    const b = signingBusForRun(new MemoryBus(k), { now: () => k.now, append: (r) => records.push(r) }, { keyring: new Map(), principals, onLine: (l) => lines.push(l) });
    b.send(envelope('cobot-2'));
    expect(records).toEqual([{ t: 0, type: 'envelope.refused', reason: 'unsigned', from: 'cobot-2', message: 'repair.requested', id: expect.stringMatching(/^cobot-2:/) }]);
    expect(lines).toEqual([expect.stringMatching(/^refused envelope repair\.requested cobot-2:\d+ from "cobot-2": unsigned: the envelope carries no signature$/)]);
  });
});

describe('keyring and principals files', () => {
  it('loads a keyring written 0600 and refuses bad ones with one line naming the file and entry', () => {
    const ring = join(dir, 'ring.json');
    writeKeyring(ring, [['cobot-1', keys['cobot-1'].privateKey]]);
    expect([...loadKeyring(ring).keys()]).toEqual(['cobot-1']);
    expect(() => writeKeyring(ring, [])).toThrow(/EEXIST/);
    chmodSync(ring, 0o644);
    expect(() => loadKeyring(ring)).toThrow(new KeyringFileError(`keyring file ${ring}: readable by group or others (mode 644); it holds private keys: chmod 600 it`));
    const bad = (name: string, text: string) => {
      const f = join(dir, name);
      writeFileSync(f, text, { mode: 0o600 });
      return () => loadKeyring(f);
    };
    expect(bad('a.json', '{')).toThrow(/^keyring file .*a\.json: not JSON/);
    expect(bad('b.json', '{"version":2,"keys":{}}')).toThrow(/b\.json: version: .*expected \{"version": 1/);
    expect(bad('c.json', '{"version":1,"keys":{"cobot-1":"nope"}}')).toThrow(/c\.json: keys\["cobot-1"\] is not a PEM private key/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(bad('d.json', JSON.stringify({ version: 1, keys: { x: rsa } }))).toThrow(/d\.json: keys\["x"\] is rsa, expected ed25519/);
    expect(bad('e.json', JSON.stringify({ version: 1, keys: { 'a b': 'x' } }))).toThrow(/e\.json: keys\["a b"\]: an id is/);
    expect(() => loadKeyring(join(dir, 'none.json'))).toThrow(/none\.json: no such file/);
  });

  it('refuses bad agent and bridge entries in the principals file', () => {
    const bad = (entry: Record<string, unknown>) => {
      const f = join(dir, 'p.json');
      writeFileSync(f, JSON.stringify({ version: 1, principals: { x: { publicKey: pub('cobot-1'), roles: ['agent'], ...entry } } }));
      return () => new Principals(f).close();
    };
    expect(bad({ hosts: 'host-a' })).toThrow(new PrincipalsFileError(join(dir, 'p.json'), 'principals["x"].hosts must be a list of agent-host ids'));
    expect(bad({ kind: 3 })).toThrow(/principals\["x"\]\.kind must be an agent kind/);
    expect(bad({ speaksFor: 'machine-[' })).toThrow(/principals\["x"\]\.speaksFor must be an agent-id pattern/);
  });
});
