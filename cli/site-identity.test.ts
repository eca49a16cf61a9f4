import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign, verify } from 'node:crypto';
import { loadScenario } from '../scenarios/load.js';
import { projectRoot } from '../runtime/paths.js';
import { loadKeyring } from '../bridges/identity/keyring.js';
import { Principals } from '../bridges/identity/principals.js';
import { defaultIdentityDir, siteIdentity } from './site-identity.js';
import { BRIDGES } from './commands/identity-fleet.js';
import { UsageError } from './errors.js';

/**
 * The keys `serve` signs with when given none: made once per site folder,
 * reused after, topped up for agents a scenario gained, never replaced.
 */
const SCENARIO = join(projectRoot(), 'scenarios', 'cobot-floor.yaml');
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'site-identity-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const pems = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { keys: Record<string, string> }).keys;
const publicKeys = (file: string) => Object.fromEntries(Object.entries((JSON.parse(readFileSync(file, 'utf8')) as { principals: Record<string, { publicKey: string }> }).principals).map(([id, p]) => [id, p.publicKey]));

describe('site identity', () => {
  it('is made on the first start (keyring 0600, a key for every agent and bridge) and reused as it is after', () => {
    const scenario = loadScenario(SCENARIO);
    expect(defaultIdentityDir(scenario)).toBe(join('data', 'identity', 'cobot-floor'));
    const dir = join(root, 'first', 'cobot-floor');
    const made = siteIdentity(SCENARIO, scenario, dir);
    expect(made).toMatchObject({ made: true, added: [] });
    expect(statSync(made.keyringFile).mode & 0o777).toBe(0o600);
    expect(statSync(made.identityFile).mode & 0o777).toBe(0o600);
    const keyring = loadKeyring(made.keyringFile);
    for (const id of ['robotics', 'cobot-1', 'cobot-20', ...BRIDGES]) expect(keyring.has(id), id).toBe(true);
    const principals = new Principals(made.principalsFile);
    try {
      expect(principals.lookup('plant').ok).toBe(true);
      expect(principals.lookup('cobot-7').ok).toBe(true);
    } finally {
      principals.close();
    }
    // No draft folder is left beside it.
    expect(readdirSync(join(root, 'first'))).toEqual(['cobot-floor']);
    const keys = readFileSync(made.keyringFile, 'utf8');
    const again = siteIdentity(SCENARIO, scenario, dir);
    expect(again).toMatchObject({ made: false, added: [] });
    expect(readFileSync(again.keyringFile, 'utf8')).toBe(keys);
  });

  it('gives keys to agents the scenario gained, keeping every key it had', () => {
    const small = loadScenario(SCENARIO);
    small.cobots!.count = 3;
    const dir = join(root, 'grown');
    siteIdentity(SCENARIO, small, dir);
    // writeFleet reads the scenario file (20 cobots): take the folder down to 3 to stand for an older, smaller site.
    const keyringFile = join(dir, 'plant.keyring.json');
    const principalsFile = join(dir, 'principals.json');
    const trim = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([id]) => !/^cobot-([4-9]|1\d|20)$/.test(id)));
    writeFileSync(keyringFile, JSON.stringify({ version: 1, keys: trim(pems(keyringFile)) }), { mode: 0o600 });
    const doc = JSON.parse(readFileSync(principalsFile, 'utf8')) as { principals: Record<string, unknown> };
    writeFileSync(principalsFile, JSON.stringify({ ...doc, principals: trim(doc.principals) }));
    const beforeKeys = pems(keyringFile);
    const beforePublic = publicKeys(principalsFile);
    expect(Object.keys(beforeKeys)).not.toContain('cobot-4');

    const grown = siteIdentity(SCENARIO, loadScenario(SCENARIO), dir);
    expect(grown.made).toBe(false);
    expect(grown.added).toEqual(Array.from({ length: 17 }, (_, i) => `cobot-${i + 4}`));
    const afterKeys = pems(keyringFile);
    const afterPublic = publicKeys(principalsFile);
    for (const [id, pem] of Object.entries(beforeKeys)) expect(afterKeys[id], id).toBe(pem);
    for (const [id, pem] of Object.entries(beforePublic)) expect(afterPublic[id], id).toBe(pem);
    expect(Object.keys(afterKeys)).toHaveLength(Object.keys(beforeKeys).length + 17);
    expect(statSync(keyringFile).mode & 0o777).toBe(0o600);
    // Each new key's public half is the one in the principals file, and the lock is gone.
    const principals = new Principals(principalsFile);
    try {
      const keyring = loadKeyring(keyringFile);
      const data = Buffer.from('cobot-9 signs this');
      const found = principals.lookup('cobot-9');
      if (!found.ok) throw new Error(`cobot-9: ${found.reason}`);
      expect(verify(null, data, found.principal.publicKey, sign(null, data, keyring.get('cobot-9')!))).toBe(true);
      expect(found.principal.hosts).toEqual([]);
    } finally {
      principals.close();
    }
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  });

  it('refuses, naming the file, a principal it holds no key for, a folder without its files and a bad keyring', () => {
    const scenario = loadScenario(SCENARIO);
    const dir = join(root, 'named');
    siteIdentity(SCENARIO, scenario, dir);
    const keyringFile = join(dir, 'plant.keyring.json');
    const keys = pems(keyringFile);
    delete keys['cobot-2'];
    writeFileSync(keyringFile, JSON.stringify({ version: 1, keys }), { mode: 0o600 });
    const before = readFileSync(join(dir, 'principals.json'), 'utf8');
    expect(() => siteIdentity(SCENARIO, scenario, dir)).toThrow(new UsageError(`${join(dir, 'principals.json')} names "cobot-2" but ${keyringFile} has no key for it: add its key, or remove the entry to have one made`));
    // Nothing half written.
    expect(readFileSync(join(dir, 'principals.json'), 'utf8')).toBe(before);
    expect(pems(keyringFile)['cobot-2']).toBeUndefined();

    const empty = join(root, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'plant.id.json'), '{}');
    expect(() => siteIdentity(SCENARIO, scenario, empty)).toThrow(/^.*empty: no plant\.keyring\.json, principals\.json; a site identity has/);

    writeFileSync(keyringFile, '{"version": 1, "keys": {"cobot-1": 3}}', { mode: 0o600 });
    expect(() => siteIdentity(SCENARIO, scenario, dir)).toThrow(new UsageError(`keyring file ${keyringFile}: keys.cobot-1: Invalid input: expected string, received number (expected {"version": 1, "keys": {id: PEM}})`));
  });

  it('takes over a lock left by a process that is gone, and waits for none', () => {
    const scenario = loadScenario(SCENARIO);
    const dir = join(root, 'locked');
    siteIdentity(SCENARIO, scenario, dir);
    const keyringFile = join(dir, 'plant.keyring.json');
    const keys = pems(keyringFile);
    const doc = JSON.parse(readFileSync(join(dir, 'principals.json'), 'utf8')) as { principals: Record<string, unknown> };
    delete keys.erp;
    delete doc.principals.erp;
    writeFileSync(keyringFile, JSON.stringify({ version: 1, keys }), { mode: 0o600 });
    writeFileSync(join(dir, 'principals.json'), JSON.stringify(doc));
    // A pid far above pid_max: no such process.
    writeFileSync(join(dir, '.lock'), '99999999\n');
    expect(siteIdentity(SCENARIO, scenario, dir).added).toEqual(['erp']);
    expect(existsSync(join(dir, '.lock'))).toBe(false);
    // A live holder (this process) is named, not waited for.
    delete keys.erp;
    writeFileSync(keyringFile, JSON.stringify({ version: 1, keys }), { mode: 0o600 });
    const again = JSON.parse(readFileSync(join(dir, 'principals.json'), 'utf8')) as { principals: Record<string, unknown> };
    delete again.principals.erp;
    writeFileSync(join(dir, 'principals.json'), JSON.stringify(again));
    writeFileSync(join(dir, '.lock'), `${process.pid}\n`);
    expect(() => siteIdentity(SCENARIO, scenario, dir)).toThrow(new UsageError(`${join(dir, '.lock')}: process ${process.pid} is adding keys to this site identity; start again when it is done`));
  });
});
