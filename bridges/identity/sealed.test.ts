import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadIdentity, newIdentity } from './identity.js';
import { Principals, PrincipalsFileError } from './principals.js';
import { Opener, Sealer } from './sealed.js';

const plant = newIdentity('plant', ['plant']);
const hostA = newIdentity('host-a', ['agent-host']);
const stranger = newIdentity('host-a', ['agent-host']); // same id, another key
const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

let dir: string;
let file: string;
const write = (revoked: string[] = []) =>
  writeFileSync(file, JSON.stringify({ version: 1, principals: { plant: plant.principal, 'host-a': hostA.principal }, revoked }));
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealed-'));
  file = join(dir, 'principals.json');
  write();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sealed frames', () => {
  it('open for the signer in its role, and are refused when forged, altered, moved, replayed, revoked or out of role', () => {
    const principals = new Principals(file);
    try {
      const opener = new Opener(principals);
      const sealer = new Sealer(hostA.identity);
      const frame = sealer.seal('plant/in', enc('{"kind":"state"}'));
      const opened = opener.open('plant/in', frame, ['agent-host']);
      expect(opened.ok && [opened.signer.id, text(opened.body)]).toEqual(['host-a', '{"kind":"state"}']);

      const reason = (topic: string, bytes: Uint8Array, roles = ['agent-host']) => {
        const r = new Opener(principals).open(topic, bytes, roles);
        return r.ok ? 'ok' : r.reason;
      };
      expect(opener.open('plant/in', frame, ['agent-host'])).toMatchObject({ ok: false, reason: 'replay' });
      expect(reason('hosts/host-b/in', frame)).toBe('bad-signature'); // moved to another topic
      const altered = enc(text(frame).replace('state', 'effect'));
      expect(reason('plant/in', altered)).toBe('bad-signature');
      expect(reason('plant/in', new Sealer(stranger.identity).seal('plant/in', enc('{}')))).toBe('bad-signature'); // right id, wrong key
      expect(reason('plant/in', new Sealer({ id: 'host-z', privateKey: hostA.identity.privateKey }).seal('plant/in', enc('{}')))).toBe('unknown-signer');
      expect(reason('plant/in', enc('{"kind":"state"}'))).toBe('malformed'); // not sealed at all
      expect(reason('plant/in', frame, ['plant'])).toBe('role'); // a host posing as the plant

      // Revoked in the file: refused at the next message, no restart.
      write(['host-a']);
      principals.reload();
      expect(reason('plant/in', sealer.seal('plant/in', enc('{}')))).toBe('revoked');
      write();
      principals.reload();
      expect(reason('plant/in', sealer.seal('plant/in', enc('{}')))).toBe('ok');
    } finally {
      principals.close();
    }
  });

  it('nonces rise strictly within one millisecond', () => {
    const sealer = new Sealer(plant.identity);
    const nonces = Array.from({ length: 50 }, () => (JSON.parse(text(sealer.seal('t', enc('{}')))) as { n: number }).n);
    expect(nonces.every((n, i) => i === 0 || n > nonces[i - 1]!)).toBe(true);
  });

  it('files: a bad principals file or identity file is named, with the field', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, principals: { 'host-a': { publicKey: 'nope', roles: ['agent-host'] } } }));
    expect(() => new Principals(bad)).toThrow(new PrincipalsFileError(bad, 'principals["host-a"].publicKey is not a PEM public key'));
    writeFileSync(bad, JSON.stringify({ version: 1, principals: { 'host-a': { publicKey: hostA.principal.publicKey, roles: [] } } }));
    expect(() => new Principals(bad)).toThrow(/roles must be a non-empty list/);
    const id = join(dir, 'id.json');
    writeFileSync(id, hostA.identityFile);
    expect(loadIdentity(id).id).toBe('host-a');
    writeFileSync(id, '{"id":"x","privateKey":"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----"}');
    expect(() => loadIdentity(id)).toThrow(/"privateKey" is not a PEM private key/);
  });
});
