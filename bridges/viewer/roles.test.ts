import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { loadScenario } from '../../scenarios/load.js';
import { projectRoot } from '../../runtime/paths.js';
import { LivePlant } from '../../runtime/view/live-plant.js';
import { AccessTokens, newToken, TokensFileError } from '../access/access-tokens.js';
import { ViewerServer } from './server.js';
import type { Ack, Hello } from './protocol.js';

/**
 * Roles on the viewer from a tokens file (hashes only): a viewer reads, an
 * operator controls, an admin also resets; an unknown token is refused at
 * connect, and a token removed from the file stops working at its next
 * control, without a restart.
 */
const scenario = loadScenario(join(projectRoot(), 'scenarios/turbine-failure.yaml'));
const viewer = newToken('viewer');
const operator = newToken('operator');
const admin = newToken('admin');
let dir: string;
let file: string;
const write = (entries: Record<string, unknown>) => writeFileSync(file, JSON.stringify({ version: 1, tokens: entries }));
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'viewer-roles-'));
  file = join(dir, 'tokens.json');
  write({ dashboard: viewer.entry, 'shift-lead': operator.entry, 'plant-admin': admin.entry });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function connect(url: string, token?: string): Promise<{ socket: Socket; hello?: Hello; error?: string; call: (c: unknown) => Promise<Ack<unknown>> }> {
  const socket = io(url, { auth: token ? { token } : {}, transports: ['websocket'], forceNew: true, reconnection: false });
  const call = (c: unknown) => new Promise<Ack<unknown>>((resolve) => socket.emit('control', c, resolve));
  return new Promise((resolve) => {
    socket.once('hello', (hello: Hello) => resolve({ socket, hello, call }));
    socket.once('connect_error', (e: Error) => resolve({ socket, error: e.message, call }));
  });
}

describe('viewer roles from a tokens file', () => {
  it('gives each token its role, refuses unknown tokens, and a removed token stops working without a restart', async () => {
    const tokens = new AccessTokens(file, 'owner-secret');
    const source = new LivePlant(scenario, { speed: 600 });
    const server = await ViewerServer.start(source, { port: 0, tokens, frameMs: 50 });
    const sockets: Socket[] = [];
    try {
      const as = async (token?: string) => {
        const c = await connect(server.url, token);
        sockets.push(c.socket);
        return c;
      };
      const anonymous = await as();
      const dash = await as(viewer.token);
      const lead = await as(operator.token);
      const boss = await as(admin.token);
      const owner = await as('owner-secret');
      expect([anonymous, dash, lead, boss, owner].map((c) => c.hello?.role)).toEqual(['viewer', 'viewer', 'operator', 'admin', 'admin']);
      expect((await as('made-up')).error).toBe('unknown or revoked token');

      expect(await anonymous.call({ action: 'pause' })).toEqual({ ok: false, reason: 'read-only: this control needs the operator role (a token)' });
      expect(await dash.call({ action: 'pause' })).toEqual({ ok: false, reason: 'this control needs the operator role; this token is viewer' });
      expect(await lead.call({ action: 'pause' })).toMatchObject({ ok: true });
      expect(await lead.call({ action: 'resume' })).toMatchObject({ ok: true });
      expect(await lead.call({ action: 'reset' })).toEqual({ ok: false, reason: 'this control needs the admin role; this token is operator' });
      expect(await boss.call({ action: 'reset' })).toMatchObject({ ok: true });

      // The shift lead's token is withdrawn: its open connection can no longer control.
      write({ dashboard: viewer.entry, 'plant-admin': admin.entry });
      tokens.reload();
      expect(await lead.call({ action: 'pause' })).toEqual({ ok: false, reason: 'unknown or revoked token' });
      expect((await as(operator.token)).error).toBe('unknown or revoked token');
      expect(await boss.call({ action: 'pause' })).toMatchObject({ ok: true });
    } finally {
      for (const s of sockets) s.disconnect();
      await server.close();
      await source.close();
      tokens.close();
    }
  }, 60_000);

  it('a malformed tokens file is named with the entry', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, tokens: { x: { sha256: 'abc', role: 'viewer' } } }));
    expect(() => new AccessTokens(bad)).toThrow(new TokensFileError(bad, 'tokens["x"].sha256 must be 64 hex digits (the SHA-256 of the token)'));
    writeFileSync(bad, JSON.stringify({ version: 1, tokens: { x: { sha256: 'a'.repeat(64), role: 'root' } } }));
    expect(() => new AccessTokens(bad)).toThrow(/tokens\["x"\].role must be one of viewer, operator, admin/);
  });
});
