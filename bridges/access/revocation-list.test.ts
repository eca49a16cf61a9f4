import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSitePki, type SitePki } from '../../test/support/certificates.js';
import { outcome } from '../../test/support/fuzz.js';
import { CertificateFileError } from './server-certificate.js';
import { readRevocationList, serialKey } from './revocation-list.js';
import { ServerTls } from './server-tls.js';

/**
 * A CA's revocation list as `openssl ca -gencrl` writes it (real openssl,
 * the site PKI of the tests): the serials it revokes are the ones Node
 * reports for a peer's certificate, and a CRL a server could not use (of
 * another CA, expired, not a CRL) is refused naming the file, before OpenSSL
 * would refuse every client without saying why.
 */
let dir: string;
let pki: SitePki;
let other: SitePki;
let der: Buffer;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'crl-'));
  pki = makeSitePki(dir);
  other = makeSitePki(dir, 'other-ca');
  pki.client('alice');
  pki.client('dora', '0A0000000000000000000000000000000000000D');
  pki.revoke('bob');
  pki.revoke('dora');
  const pem = readFileSync(pki.crlFile, 'latin1');
  der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ca = () => readFileSync(pki.caFile);
const serial = (certFile: string) => new X509Certificate(readFileSync(certFile)).serialNumber;

describe('readRevocationList', () => {
  it('reads the serials a CRL revokes, from PEM or DER, in one spelling with Node’s for a peer certificate', () => {
    const list = readRevocationList(pki.crlFile, readFileSync(pki.crlFile), ca());
    expect([...list.revoked].sort()).toEqual([serial(pki.client('bob').certFile), serial(pki.client('dora').certFile)].map(serialKey).sort());
    expect(list.revoked.has(serialKey(serial(pki.client('alice').certFile)))).toBe(false);
    // Node writes a leading zero digit ("0A…"), the CRL's integer has none: a key for both (CI met a random one so).
    expect(serial(pki.client('dora').certFile)).toMatch(/^0A/);
    const tls = new ServerTls({ certFile: pki.server.certFile, keyFile: pki.server.keyFile, caFile: pki.caFile, crlFile: pki.crlFile });
    expect([tls.revokes(serial(pki.client('dora').certFile)), tls.revokes(serial(pki.client('bob').certFile)), tls.revokes(serial(pki.client('alice').certFile))]).toEqual([true, true, false]);
    expect(list.nextUpdate!.getTime()).toBeGreaterThan(Date.now());
    expect(readRevocationList('crl.der', der, ca()).revoked).toEqual(list.revoked);
    expect(list.pem.toString()).toMatch(/^-----BEGIN X509 CRL-----\n[A-Za-z0-9+/=\n]+-----END X509 CRL-----\n$/);
  });

  it('refuses a CRL of another CA, an expired one, and what is not a CRL, naming the file', () => {
    expect(() => readRevocationList(other.crlFile, readFileSync(other.crlFile), ca())).toThrow(new CertificateFileError(`${other.crlFile}: not signed by the CA that signs the clients' certificates (CN=test-site-ca)`, 'crl'));
    expect(() => readRevocationList(pki.crlFile, readFileSync(pki.crlFile), ca(), new Date(Date.now() + 3 * 86_400_000))).toThrow(/crl: expired on \d{4}-.*openssl ca -gencrl/);
    expect(() => readRevocationList(pki.caFile, readFileSync(pki.caFile), ca())).toThrow(/test-site-ca\.crt: not a certificate revocation list/);
    expect(() => readRevocationList('crl', Buffer.alloc(0), ca())).toThrow(/^crl: not a certificate revocation list/);
  });

  it('refuses a CRL whose outer length is off by one (the signature does not cover it; OpenSSL cannot parse it): found by fast-check', () => {
    const bad = Buffer.from(der);
    bad[bad[1] === 0x81 ? 2 : 3]--; // the outer SEQUENCE's length (long form, one or two bytes)
    expect(() => readRevocationList('site.crl', bad, ca())).toThrow(/^site\.crl: not a certificate revocation list \(/);
  });

  it('in a server’s TLS files: a CRL needs the CA file, and a missing one is named', () => {
    const { certFile, keyFile } = pki.server;
    expect(() => new ServerTls({ certFile, keyFile, crlFile: pki.crlFile })).toThrow(/a revocation list needs the CA file/);
    const missing = join(dir, 'missing.crl');
    const error = outcome(() => new ServerTls({ certFile, keyFile, caFile: pki.caFile, crlFile: missing }), CertificateFileError);
    expect(error).toMatchObject({ ok: false, error: { message: `no such file ${missing}`, file: 'crl' } });
    expect(new ServerTls({ certFile, keyFile, caFile: pki.caFile, crlFile: pki.crlFile }).revokes(serial(pki.client('bob').certFile))).toBe(true);
  });
});
