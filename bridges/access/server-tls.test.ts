import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import { makeSitePki, type SitePki } from '../../test/support/certificates.js';
import { ServerTls } from './server-tls.js';

/**
 * Past its certificate's end or its CRL's next update a TLS server refuses
 * every client (OpenSSL's rule, Mosquitto's too): while served, `ServerTls`
 * says so ahead of time and when it happens. Days pass on vitest's fake
 * clock; the files are real (openssl, valid two days).
 */
let dir: string;
let pki: SitePki;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'server-tls-'));
  pki = makeSitePki(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => void vi.useRealTimers());

const DAY = 86_400_000;
const files = () => ({ certFile: pki.server.certFile, keyFile: pki.server.keyFile, caFile: pki.caFile, crlFile: pki.crlFile });
/** A server that only takes contexts: what matters here is what is told. */
const server = () => ({ contexts: [] as SecureContextOptions[], setSecureContext(o: SecureContextOptions) { this.contexts.push(o); } });

describe('ServerTls expiry warnings', () => {
  it('warns once ahead of the first expiry and again when it has passed; nothing before', () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const lines: string[] = [];
    const tls = new ServerTls(files(), { report: (l) => lines.push(l), warnAheadMs: DAY });
    const stop = tls.serve(server());
    try {
      expect(lines).toEqual([]);
      vi.advanceTimersByTime(DAY + 3600_000); // inside the last day
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^(the certificate in .*broker\.crt|the revocation list .*test-site-ca\.crl \(its next update\)) runs out at \d{4}-\d\d-\d\dT.*: renew it, or every client is refused from then on$/);
      vi.advanceTimersByTime(DAY);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatch(/ has run out \(\d{4}-.*\): every client is refused until it is renewed$/);
    } finally {
      stop();
    }
  });

  it('warns at once when the expiry is nearer than the warning time, and is quiet when nobody is served', () => {
    const lines: string[] = [];
    const tls = new ServerTls(files(), { report: (l) => lines.push(l), warnAheadMs: 3 * DAY });
    expect(lines).toEqual([]);
    const stop = tls.serve(server());
    stop();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ runs out at /);
  });
});
