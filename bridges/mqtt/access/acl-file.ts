import { readFileSync } from 'node:fs';
import { topicMatches } from '../topic-filter.js';
import { AccessFileError } from './password-file.js';

/**
 * A Mosquitto ACL file (`acl_file`), read so the embedded broker allows
 * exactly what a Mosquitto with the same file allows:
 *
 *     topic read $SYS/#                 # before any `user` line: anonymous clients
 *     user alice
 *     topic readwrite hyperfactory/#    # alice's
 *     topic deny hyperfactory/secret/#
 *     pattern write site/%u/#           # every client; %u = username, %c = client id
 *
 * Access: `read`, `write`, `readwrite` (the default when omitted), `deny`.
 * A matching `deny` wins over any grant (Mosquitto 2); without a matching
 * grant access is refused. Subscribing to a filter needs read access to the
 * filter itself (wildcards taken as written), as Mosquitto checks it; every
 * delivered message is checked again for read access to its topic.
 */
type Access = 'read' | 'write' | 'readwrite' | 'deny';

interface Rule {
  access: Access;
  topic: string;
  /** `pattern` lines substitute %u and %c per client. */
  pattern: boolean;
}

export interface Client {
  username?: string;
  clientId: string;
}

export class AclFile {
  private constructor(
    private readonly anonymous: readonly Rule[],
    private readonly byUser: ReadonlyMap<string, readonly Rule[]>,
    private readonly patterns: readonly Rule[],
  ) {}

  static read(file: string): AclFile {
    return AclFile.parse(file, readFileSync(file, 'utf8'));
  }

  static parse(file: string, text: string): AclFile {
    const anonymous: Rule[] = [];
    const byUser = new Map<string, Rule[]>();
    const patterns: Rule[] = [];
    let current: Rule[] = anonymous;
    text.split('\n').forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const [keyword, ...rest] = line.split(/\s+/);
      const fail = (detail: string): never => {
        throw new AccessFileError(file, i + 1, detail);
      };
      if (keyword === 'user') {
        if (rest.length !== 1) fail('expected "user <username>"');
        current = byUser.get(rest[0]!) ?? [];
        byUser.set(rest[0]!, current);
        return;
      }
      if (keyword !== 'topic' && keyword !== 'pattern') return fail(`unknown keyword "${keyword}" (topic, pattern, user)`);
      const access: Access = (['read', 'write', 'readwrite', 'deny'] as const).find((a) => a === rest[0]) ?? 'readwrite';
      const topic = rest.slice(rest[0] === access ? 1 : 0).join(' ');
      if (topic === '') fail(`${keyword} without a topic`);
      (keyword === 'pattern' ? patterns : current).push({ access, topic, pattern: keyword === 'pattern' });
    });
    return new AclFile(anonymous, byUser, patterns);
  }

  /** May the client publish to `topic`? */
  canWrite(client: Client, topic: string): boolean {
    return this.decide(client, (filter) => topicMatches(filter, topic), 'write');
  }

  /** May the client receive a message on `topic`? */
  canRead(client: Client, topic: string): boolean {
    return this.decide(client, (filter) => topicMatches(filter, topic), 'read');
  }

  /** May the client subscribe to `filter` (its wildcards taken as written)? */
  canSubscribe(client: Client, filter: string): boolean {
    return this.decide(client, (rule) => rule === filter || topicMatches(rule, filter), 'read');
  }

  private decide(client: Client, matches: (ruleTopic: string) => boolean, want: 'read' | 'write'): boolean {
    const own = client.username === undefined ? this.anonymous : (this.byUser.get(client.username) ?? []);
    const rules = [...own, ...this.patterns.map((r) => ({ ...r, topic: substitute(r.topic, client) }))].filter((r) => r.topic !== undefined && matches(r.topic));
    if (rules.some((r) => r.access === 'deny')) return false;
    return rules.some((r) => r.access === want || r.access === 'readwrite');
  }
}

/** %u / %c in a pattern; a pattern with %u never matches a client without a username (as in Mosquitto). */
function substitute(topic: string, client: Client): string {
  if (topic.includes('%u') && client.username === undefined) return '\u0000';
  return topic.replaceAll('%u', client.username ?? '').replaceAll('%c', client.clientId);
}
