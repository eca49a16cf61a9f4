import { unwatchFile, watchFile } from 'node:fs';
import { AclFile, type Client } from './acl-file.js';
import { AccessFileError, PasswordFile } from './password-file.js';

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
  private passwords: PasswordFile | undefined;
  private acl: AclFile | undefined;
  private readonly allowAnonymous: boolean;

  constructor(private readonly options: BrokerAccessOptions) {
    this.allowAnonymous = options.allowAnonymous ?? options.passwordFile === undefined;
    this.passwords = options.passwordFile === undefined ? undefined : PasswordFile.read(options.passwordFile);
    this.acl = options.aclFile === undefined ? undefined : AclFile.read(options.aclFile);
    for (const file of [options.passwordFile, options.aclFile]) if (file !== undefined) watchFile(file, { interval: 500, persistent: false }, () => this.reload());
  }

  /** Reads both files again; on an error the previous policy stays and the error is told. */
  reload(): void {
    try {
      const passwords = this.options.passwordFile === undefined ? undefined : PasswordFile.read(this.options.passwordFile);
      const acl = this.options.aclFile === undefined ? undefined : AclFile.read(this.options.aclFile);
      [this.passwords, this.acl] = [passwords, acl];
      this.options.onReload?.('broker access files read again');
    } catch (e) {
      this.options.onReload?.(`broker access files not reloaded, previous policy kept: ${e instanceof AccessFileError ? e.message : (e as Error).message}`);
    }
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
    for (const file of [this.options.passwordFile, this.options.aclFile]) if (file !== undefined) unwatchFile(file);
  }
}
