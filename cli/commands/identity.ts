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
  "tokens" in the tokens file, which keeps only its SHA-256.`;

export async function identityCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand('identity', argv, { role: { type: 'string' }, out: { type: 'string' } });
  const [sub, id, ...rest] = positionals;
  if (sub === 'token') {
    if (id === undefined || !/^[A-Za-z0-9._-]{1,100}$/.test(id)) throw new UsageError('identity token: give a NAME of 1–100 letters, digits, ".", "_" or "-"');
    if (rest.length > 0) throw new UsageError(`identity token: unexpected argument "${rest[0]}"`);
    if (!(Roles as readonly string[]).includes(values.role ?? '')) throw new UsageError(`identity token: --role must be one of ${Roles.join(', ')}`);
    const { token, entry } = newToken(values.role as AccessRole);
    process.stdout.write(`token: ${token}\n${JSON.stringify({ [id]: entry }, null, 2)}\n`);
    return;
  }
  if (sub !== 'new') throw new UsageError(sub === undefined ? 'identity: missing subcommand (new, token)' : `identity: unknown subcommand "${sub}" (subcommands: new, token)`);
  if (id === undefined || !/^[A-Za-z0-9._-]{1,100}$/.test(id)) throw new UsageError('identity new: give an ID of 1–100 letters, digits, ".", "_" or "-"');
  if (rest.length > 0) throw new UsageError(`identity new: unexpected argument "${rest[0]}"`);
  if (values.role === undefined) throw new UsageError('identity new: --role is required (plant, agent-host)');
  if (values.out === undefined) throw new UsageError('identity new: --out FILE is required (where the private key goes)');
  if (existsSync(values.out)) throw new UsageError(`identity new: ${values.out} exists; a key is never overwritten`);
  const made = newIdentity(id, values.role.split(',').map((r) => r.trim()).filter(Boolean));
  writeFileSync(values.out, made.identityFile, { mode: 0o600 });
  process.stdout.write(`${JSON.stringify({ [id]: made.principal }, null, 2)}\n`);
}
