import { WatchedFile } from '../../access/watched-file.js';
import { AclFile, type Client } from './acl-file.js';
import { PasswordFile } from './password-file.js';

export interface BrokerAccessOptions {
  /** mosquitto_passwd file: who may connect. Without it, only anonymous clients (if allowed). */
  passwordFile?: string;
  /** Mosquitto ACL file: what each may publish and receive. Without it, everything. */
  aclFile?: string;
  /** Admit clients without a username (Mosquitto's `allow_anonymous`; default false when a password file is given). */
  allowAnonymous?: boolean;
  /** Told when a file changed and was read again, or could not be (the previous policy stays). */
  onReload?: (line: string) => void;
}

/**
 * The embedded broker's access policy, from the same files a Mosquitto
 * would be configured with (`password_file`, `acl_file`), so a plant moves
 * from the embedded broker to Mosquitto without rewriting its policy. The
 * files are watched: a user removed from the password file or a rule
 * revoked in the ACL applies to the next connection, publish, subscription
 * and delivery, without a restart (Mosquitto needs a SIGHUP for that).
 */
export class BrokerAccess {
  private readonly passwordsFile: WatchedFile<PasswordFile> | undefined;
  private readonly aclFile: WatchedFile<AclFile> | undefined;
  private readonly allowAnonymous: boolean;

  constructor(options: BrokerAccessOptions) {
    this.allowAnonymous = options.allowAnonymous ?? options.passwordFile === undefined;
    const unreadable = (file: string, detail: string) => new Error(`${file}: ${detail}`);
    this.passwordsFile = options.passwordFile === undefined ? undefined : new WatchedFile(options.passwordFile, PasswordFile.parse, unreadable, options.onReload);
    this.aclFile = options.aclFile === undefined ? undefined : new WatchedFile(options.aclFile, AclFile.parse, unreadable, options.onReload);
  }

  /** Reads both files again now (the watcher does it within half a second of a change); a bad one keeps its previous version. */
  reload(): void {
    this.passwordsFile?.reload();
    this.aclFile?.reload();
  }

  private get passwords(): PasswordFile | undefined {
    return this.passwordsFile?.value;
  }

  private get acl(): AclFile | undefined {
    return this.aclFile?.value;
  }

  /** May this username (undefined = anonymous) with this password connect? */
  authenticate(username: string | undefined, password: Buffer | undefined): boolean {
    if (username === undefined) return this.allowAnonymous;
    if (!this.passwords) return this.allowAnonymous;
    return password !== undefined && this.passwords.verify(username, password);
  }

  canWrite(client: Client, topic: string): boolean {
    return this.acl?.canWrite(client, topic) ?? true;
  }

  canRead(client: Client, topic: string): boolean {
    return this.acl?.canRead(client, topic) ?? true;
  }

  canSubscribe(client: Client, filter: string): boolean {
    return this.acl?.canSubscribe(client, filter) ?? true;
  }

  close(): void {
    this.passwordsFile?.close();
    this.aclFile?.close();
  }
}
