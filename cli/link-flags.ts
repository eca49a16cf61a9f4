import { IdentityFileError, loadIdentity } from '../bridges/identity/identity.js';
import { Principals, PrincipalsFileError } from '../bridges/identity/principals.js';
import { Opener, Sealer, type LinkSecurity } from '../bridges/identity/sealed.js';
import { KeyringFileError, loadKeyring, withIdentity, type Keyring } from '../bridges/identity/keyring.js';
import { UsageError } from './errors.js';

/** A live run's sealed link: this process's identity and everyone's principals. */
export const linkFlagSpec = {
  identity: { type: 'string' },
  principals: { type: 'string' },
  keyring: { type: 'string' },
} as const;

export const linkFlagHelp = `  --identity FILE --principals FILE seal the live link (docs/live-runs.md,
  "Sealed link"): every message this process sends is signed with its
  Ed25519 key, and only messages signed by a principal of the file in the
  right role are taken (the plant: role plant; agent hosts: role agent-host,
  each speaking only for itself). Unknown, revoked and forged signers are
  refused and reported; edits to the principals file apply without a restart.
  "hyperfactory identity new ID --role R" makes a key pair.
  --keyring FILE (with --identity --principals) also signs every envelope
  with its sender's own key: this process's agents and bridges sign with the
  keys of FILE (mode 0600), and every envelope is checked before delivery
  (known, not revoked, its own signature, speaking for its sender, in a role
  allowed for its type, not a replay); refused ones are dropped and reported.
  "hyperfactory identity fleet SCENARIO --out DIR" makes every key at once.`;

export interface LinkFlags {
  security: LinkSecurity;
  /** The watched principals file (also for envelope signing). */
  principals: Principals;
  /** With --keyring: the keys this process signs envelopes with (its identity included). */
  keyring?: Keyring;
  close: () => void;
}

/** Said on stderr by a plant with remote agents, and an agent host, that run without --identity/--principals. */
export const UNSEALED_LINK =
  'the live link is not sealed: any client the broker lets onto the plant\'s live topics can speak for agent hosts and their agents (give --identity and --principals; docs/live-runs.md, "Sealed link")';

/** The link security the flags ask for (both or neither), and what to close at the end. */
export function linkSecurityFlags(values: { identity?: string; principals?: string; keyring?: string }, onReload: (line: string) => void): LinkFlags | undefined {
  if (values.keyring !== undefined && (values.identity === undefined || values.principals === undefined)) throw new UsageError('--keyring goes with --identity and --principals');
  if (values.identity === undefined && values.principals === undefined) return undefined;
  if (values.identity === undefined || values.principals === undefined) throw new UsageError('--identity and --principals go together');
  try {
    const identity = loadIdentity(values.identity);
    const principals = new Principals(values.principals, onReload);
    if (!principals.lookup(identity.id).ok) {
      principals.close();
      throw new UsageError(`--identity: "${identity.id}" is not a principal of ${values.principals} (or is revoked)`);
    }
    let keyring: Keyring | undefined;
    try {
      keyring = values.keyring !== undefined ? withIdentity(loadKeyring(values.keyring), identity) : undefined;
    } catch (e) {
      principals.close();
      throw e;
    }
    return { security: { sealer: new Sealer(identity), opener: new Opener(principals) }, principals, ...(keyring ? { keyring } : {}), close: () => principals.close() };
  } catch (e) {
    if (e instanceof IdentityFileError || e instanceof PrincipalsFileError || e instanceof KeyringFileError) throw new UsageError(e.message);
    throw e;
  }
}

/** For `RemoteAgents.mayCarry`: an agent goes only to the hosts its principal names (any, when it names none). */
export function mayCarry(principals: Principals): (host: string, agent: string) => boolean {
  return (host, agent) => {
    const who = principals.lookup(agent);
    return who.ok && (who.principal.hosts === undefined || who.principal.hosts.includes(host));
  };
}
