import { IdentityFileError, loadIdentity } from '../bridges/identity/identity.js';
import { Principals, PrincipalsFileError } from '../bridges/identity/principals.js';
import { Opener, Sealer, type LinkSecurity } from '../bridges/identity/sealed.js';
import { UsageError } from './errors.js';

/** A live run's sealed link: this process's identity and everyone's principals. */
export const linkFlagSpec = {
  identity: { type: 'string' },
  principals: { type: 'string' },
} as const;

export const linkFlagHelp = `  --identity FILE --principals FILE seal the live link (docs/live-runs.md,
  "Sealed link"): every message this process sends is signed with its
  Ed25519 key, and only messages signed by a principal of the file in the
  right role are taken (the plant: role plant; agent hosts: role agent-host,
  each speaking only for itself). Unknown, revoked and forged signers are
  refused and reported; edits to the principals file apply without a restart.
  "hyperfactory identity new ID --role R" makes a key pair.`;

/** The link security the flags ask for (both or neither), and what to close at the end. */
export function linkSecurityFlags(values: { identity?: string; principals?: string }, onReload: (line: string) => void): { security: LinkSecurity; close: () => void } | undefined {
  if (values.identity === undefined && values.principals === undefined) return undefined;
  if (values.identity === undefined || values.principals === undefined) throw new UsageError('--identity and --principals go together');
  try {
    const identity = loadIdentity(values.identity);
    const principals = new Principals(values.principals, onReload);
    if (!principals.lookup(identity.id).ok) {
      principals.close();
      throw new UsageError(`--identity: "${identity.id}" is not a principal of ${values.principals} (or is revoked)`);
    }
    return { security: { sealer: new Sealer(identity), opener: new Opener(principals) }, close: () => principals.close() };
  } catch (e) {
    if (e instanceof IdentityFileError || e instanceof PrincipalsFileError) throw new UsageError(e.message);
    throw e;
  }
}
