import { existsSync, writeFileSync } from 'node:fs';
import { newIdentity } from '../../bridges/identity/identity.js';
import { newToken, Roles, type AccessRole } from '../../bridges/access/access-tokens.js';
import { parseCommand } from '../args.js';
import { UsageError } from '../errors.js';

export const identityHelp = `hyperfactory identity new ID --role ROLE[,ROLE] --out FILE
  Makes an Ed25519 key pair for a process on the live link (the plant: role
  plant; an agent host: role agent-host, ID = its --host-id). Writes the
  private identity to FILE (mode 0600, for --identity) and prints the entry
  to add under "principals" in the site's principals file.
hyperfactory identity token NAME --role viewer|operator|admin
  Makes a bearer token for the viewer and the ERP API (serve --tokens FILE):
  prints the token once (give it to its holder) and the entry to add under
  "tokens" in the tokens file, which keeps only its SHA-256.
hyperfactory identity fleet <scenario.yaml> --out DIR [--host ID=PATTERN]...
  Makes every key of the scenario's live run with signed envelopes
  (docs/live-runs.md, "Signed envelopes"): DIR/principals.json (the plant,
  each host, every agent with its kind and the hosts that may carry it, the
  bridges erp, operator, customers, predictor), DIR/plant.id.json and
  DIR/plant.keyring.json (the plant's own agents and the bridges), and per
  --host ID=PATTERN (host-a=cobot-[1-4]) DIR/ID.id.json and DIR/ID.keyring.json
  (the hostable agents PATTERN covers). Private files are mode 0600; no file
  is ever overwritten.`;

export async function identityCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand('identity', argv, { role: { type: 'string' }, out: { type: 'string' }, host: { type: 'string', multiple: true } });
  const [sub, id, ...rest] = positionals;
  if (values.host !== undefined && sub !== 'fleet') throw new UsageError('identity: --host goes with identity fleet');
  if (sub === 'fleet') {
    if (id === undefined) throw new UsageError('identity fleet: missing scenario file');
    if (rest.length > 0) throw new UsageError(`identity fleet: unexpected argument "${rest[0]}"`);
    if (values.role !== undefined) throw new UsageError('identity fleet: the roles come from the scenario; drop --role');
    if (values.out === undefined) throw new UsageError('identity fleet: --out DIR is required (where the keys go)');
    // Loaded only here: listing a scenario's agents builds a run, whose imports are heavy (and node-opcua prints a notice when loaded).
    const { parseFleetHosts, writeFleet } = await import('./identity-fleet.js');
    const hosts = parseFleetHosts(values.host ?? []);
    for (const line of writeFleet(id, values.out, hosts)) process.stdout.write(`${line}\n`);
    return;
  }
  if (sub === 'token') {
    if (id === undefined || !/^[A-Za-z0-9._-]{1,100}$/.test(id)) throw new UsageError('identity token: give a NAME of 1–100 letters, digits, ".", "_" or "-"');
    if (rest.length > 0) throw new UsageError(`identity token: unexpected argument "${rest[0]}"`);
    if (!(Roles as readonly string[]).includes(values.role ?? '')) throw new UsageError(`identity token: --role must be one of ${Roles.join(', ')}`);
    const { token, entry } = newToken(values.role as AccessRole);
    process.stdout.write(`token: ${token}\n${JSON.stringify({ [id]: entry }, null, 2)}\n`);
    return;
  }
  if (sub !== 'new') throw new UsageError(sub === undefined ? 'identity: missing subcommand (new, token, fleet)' : `identity: unknown subcommand "${sub}" (subcommands: new, token, fleet)`);
  if (id === undefined || !/^[A-Za-z0-9._-]{1,100}$/.test(id)) throw new UsageError('identity new: give an ID of 1–100 letters, digits, ".", "_" or "-"');
  if (rest.length > 0) throw new UsageError(`identity new: unexpected argument "${rest[0]}"`);
  if (values.role === undefined) throw new UsageError('identity new: --role is required (plant, agent-host)');
  if (values.out === undefined) throw new UsageError('identity new: --out FILE is required (where the private key goes)');
  if (existsSync(values.out)) throw new UsageError(`identity new: ${values.out} exists; a key is never overwritten`);
  const made = newIdentity(id, values.role.split(',').map((r) => r.trim()).filter(Boolean));
  writeFileSync(values.out, made.identityFile, { mode: 0o600 });
  process.stdout.write(`${JSON.stringify({ [id]: made.principal }, null, 2)}\n`);
}
