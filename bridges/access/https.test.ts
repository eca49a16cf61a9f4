import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { loadScenario } from '../../scenarios/load.js';
import { projectRoot } from '../../runtime/paths.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { ViewerServer } from '../viewer/server.js';
import type { Hello } from '../viewer/protocol.js';
import { MemoryPlanSource } from '../erp/plan-source.js';
import { startErpApi } from '../erp/server.js';
import { makeSitePki, type SitePki } from '../../test/support/certificates.js';
import { CertificateFileError, readServerCertificate } from './server-certificate.js';
import { ServerTls } from './server-tls.js';

/**
 * The viewer (page and socket.io) and the ERP API over HTTPS with a
 * certificate from the site's CA (made with openssl): a client that trusts
 * the CA gets its role and its answers; plain HTTP and a client that does not
 * trust the CA get nothing, so a token never crosses the network in clear.
 */
let dir: string;
let pki: SitePki;
let other: SitePki;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'https-'));
  pki = makeSitePki(dir);
  other = makeSitePki(dir, 'other-ca');
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>viewer</title>');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** GET over HTTPS trusting `ca`: the status and body, or the TLS error's message. */
function get(url: string, ca: Buffer | undefined, headers: Record<string, string> = {}): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request(url, { ...(ca ? { ca } : {}), headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', (e) => resolve({ error: e.message }));
    req.end();
  });
}

describe('HTTPS for the viewer and the ERP API', () => {
  it('serves the page and socket.io over TLS to clients that trust the site CA, with the token’s role', async () => {
    const source = new LivePlant(loadScenario(join(projectRoot(), 'scenarios/turbine-failure.yaml')), { speed: 600 });
    const tls = new ServerTls({ certFile: pki.server.certFile, keyFile: pki.server.keyFile });
    const server = await ViewerServer.start(source, { port: 0, operatorToken: 'owner-secret', staticDir: dir, tls, frameMs: 50 });
    const sockets: Socket[] = [];
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      const ca = readFileSync(pki.caFile);
      expect(await get(server.url, ca)).toMatchObject({ status: 200, body: expect.stringContaining('<title>viewer</title>') });
      expect((await get(server.url, undefined)).error).toMatch(/self[- ]signed|unable to verify|certificate/i);
      expect((await get(server.url, readFileSync(other.caFile))).error).toMatch(/self[- ]signed|unable to verify|certificate/i);
      const plain = await fetch(server.url.replace('https:', 'http:')).then(
        (r) => `HTTP ${r.status}`,
        (e: Error) => `refused: ${e.message}`,
      );
      expect(plain).toMatch(/^refused/);

      const connect = (options: { ca?: string }) =>
        new Promise<{ hello?: Hello; error?: string }>((resolve) => {
          const socket = io(server.url, { auth: { token: 'owner-secret' }, transports: ['websocket'], forceNew: true, reconnection: false, ...options });
          sockets.push(socket);
          socket.once('hello', (hello: Hello) => resolve({ hello }));
          socket.once('connect_error', (e: Error) => resolve({ error: e.message }));
        });
      expect((await connect({ ca: ca.toString() })).hello?.role).toBe('admin');
      expect((await connect({})).error).toBeDefined(); // the token was never sent: the handshake failed first
    } finally {
      for (const s of sockets) s.close();
      await server.close();
      await source.close();
    }
  }, 30_000);

  it('serves the ERP API over TLS with bearer tokens', async () => {
    const api = await startErpApi(new MemoryPlanSource(), { port: 0, token: 'erp-secret', tls: new ServerTls({ certFile: pki.server.certFile, keyFile: pki.server.keyFile }) });
    try {
      expect(api.url).toMatch(/^https:\/\//);
      const ca = readFileSync(pki.caFile);
      expect((await get(`${api.url}/plan`, ca)).status).toBe(401);
      expect((await get(`${api.url}/plan`, ca, { authorization: 'Bearer erp-secret' })).status).toBe(200);
      expect((await get(`${api.url}/plan`, undefined, { authorization: 'Bearer erp-secret' })).error).toMatch(/self[- ]signed|unable to verify|certificate/i);
    } finally {
      await api.close();
    }
  }, 30_000);

  it('serves a renewed certificate from the next connection on, without a restart; a renewal that does not check out leaves the previous one in force, reported', async () => {
    const site = makeSitePki(dir, 'renewing-ca');
    const lines: string[] = [];
    const api = await startErpApi(new MemoryPlanSource(), { port: 0, token: 'erp-secret', tls: new ServerTls({ certFile: site.server.certFile, keyFile: site.server.keyFile }, { report: (l) => lines.push(l) }) });
    /** The certificate the server shows a new connection (its fingerprint). */
    const shown = () =>
      new Promise<string>((resolve, reject) => {
        const req = request(`${api.url}/plan`, { ca: readFileSync(site.caFile), agent: false, headers: { authorization: 'Bearer erp-secret' } }, (res) => {
          resolve((res.socket as TLSSocket).getPeerX509Certificate()!.fingerprint256);
          res.resume();
        });
        req.on('error', reject);
        req.end();
      });
    const fingerprint = (pem: Buffer) => new X509Certificate(pem).fingerprint256;
    const until = async (what: string, check: () => Promise<boolean> | boolean) => {
      const end = Date.now() + 10_000;
      while (!(await check())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${lines.join(' | ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      expect(await shown()).toBe(fingerprint(site.server.cert));
      const renewed = site.renewServer();
      await until('the renewed certificate', async () => (await shown()) === fingerprint(renewed));
      // (Warnings that the two-day test certificates run out within the week come between.)
      expect(lines).toContainEqual(expect.stringMatching(/renewing-ca-server-broker\.crt, .*renewing-ca-server-broker\.key read again$/));
      // A key of another certificate written over the key file: refused, the renewed pair still served.
      copyFileSync(other.server.keyFile, site.server.keyFile);
      await until('the refusal reported', () => lines.some((l) => l.includes('is not the key of the certificate')));
      expect(lines.find((l) => l.includes('is not the key'))).toMatch(/renewing-ca-server-broker\.key is not the key of the certificate in .*; the previous certificates stay in force$/);
      expect(await shown()).toBe(fingerprint(renewed));
    } finally {
      await api.close();
    }
  }, 30_000);

  it('refuses certificate files that cannot serve, naming the file and why', () => {
    expect(() => readServerCertificate(join(dir, 'missing.crt'), pki.server.keyFile)).toThrow(new CertificateFileError(`no such file ${join(dir, 'missing.crt')}`, 'cert'));
    expect(() => readServerCertificate(pki.server.keyFile, pki.server.keyFile)).toThrow(/broker\.key: not a PEM certificate/);
    expect(() => readServerCertificate(pki.server.certFile, pki.server.certFile)).toThrow(/broker\.crt: not a PEM private key/);
    expect(() => readServerCertificate(pki.server.certFile, other.server.keyFile)).toThrow(/other-ca-server-broker\.key is not the key of the certificate in .*test-site-ca-server-broker\.crt \(CN=broker\)/);
    expect(() => readServerCertificate(pki.server.certFile, pki.server.keyFile, new Date(Date.now() + 3 * 86_400_000))).toThrow(/the certificate expired on \d{4}-/);
  });
});
