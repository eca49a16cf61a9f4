import { afterAll, beforeAll, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { makeSitePki, type SitePki } from '../../test/support/certificates.js';
import { mutatedBytes, mutatedText, outcome } from '../../test/support/fuzz.js';
import { expectOneLine } from '../../test/support/one-line.js';
import { CertificateFileError } from './server-certificate.js';
import { readRevocationList } from './revocation-list.js';

/**
 * Hardened input: whatever bytes a CRL file holds (`--mqtt-crlfile`, read
 * again whenever it changes), a checked list or one clear line naming the
 * file, never another exception. A list is only accepted as the CA signed it.
 */
let dir: string;
let pki: SitePki;
let pem: string;
let der: Buffer;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'crl-prop-'));
  pki = makeSitePki(dir);
  pki.revoke('bob');
  pki.revoke('carol');
  pem = readFileSync(pki.crlFile, 'latin1');
  der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (bytes: Uint8Array) => {
  const r = outcome(() => readRevocationList('site.crl', Buffer.from(bytes), readFileSync(pki.caFile)), CertificateFileError);
  if (!r.ok) {
    expect(r.error.message).toMatch(/^site\.crl: \S/);
    expectOneLine(r.error.message);
  }
  return r;
};

test.prop([mutatedBytes(fc.constant(null).map(() => new Uint8Array(der)), 4)], { numRuns: 300 })('DER bytes: accepted only as the CA signed them', (bytes) => {
  const r = read(bytes);
  // A flipped bit anywhere is in the signed part or the signature: it never verifies.
  if (r.ok) expect(Buffer.from(bytes).equals(der)).toBe(true);
});

test.prop([mutatedText(fc.constant(null).map(() => pem), 4)], { numRuns: 200 })('PEM text: a list with the CA’s two revocations, or a clear error', (text) => {
  const r = read(Buffer.from(text, 'latin1'));
  if (r.ok) expect(r.value.revoked.size).toBe(2);
});

test.prop([fc.uint8Array({ maxLength: 600 })], { numRuns: 200 })('random bytes: a clear error', (bytes) => {
  expect(read(bytes).ok).toBe(false);
});
