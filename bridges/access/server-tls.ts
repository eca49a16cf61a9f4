import { X509Certificate } from 'node:crypto';
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';
import { CertificateFileError, readCertificateFile, readServerCertificate } from './server-certificate.js';
import { readRevocationList, serialKey, type RevocationList } from './revocation-list.js';

/** A TLS server's files, as a Mosquitto listener names them (`certfile`, `keyfile`, `cafile`, `crlfile`). */
export interface ServerTlsFiles {
  /** The server's certificate (PEM, chain after the leaf). */
  certFile: string;
  keyFile: string;
  /** The CA that signs client certificates: when given, a client without one is refused. */
  caFile?: string;
  /** That CA's revocation list (PEM or DER): a client whose certificate it lists is refused. */
  crlFile?: string;
}

/** What a server that uses the files must do when they change. */
export interface TlsServer {
  setSecureContext(options: SecureContextOptions): void;
}

interface Material {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  crl?: RevocationList;
}

/** Half a second after the last change: a certificate and its key replaced one after the other are read once. */
const SETTLE_MS = 500;
/** How long before a certificate or CRL runs out its server says so, by default. */
const WARN_AHEAD_MS = 7 * 86_400_000;
/** setTimeout's longest delay; a later warning is armed again when it fires. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export interface ServerTlsOptions {
  /** Where reloads, refusals and expiry warnings are told (one line each). */
  report?: (line: string) => void;
  /** How long before the certificate or the CRL runs out to warn (7 days). */
  warnAheadMs?: number;
}

/**
 * A server's TLS material, checked when read and read again when a file
 * changes: a renewed certificate or a new CRL applies to the next handshake
 * without a restart, and a client whose certificate the new CRL revokes is
 * told to whoever serves (the MQTT broker drops its connection). A change
 * that does not check out (a key of another certificate, a CRL of another
 * CA, a file half written) leaves the previous material in force and is
 * reported. While served, it also warns ahead of the certificate's end and
 * the CRL's next update: past either, every client is refused. The watchers
 * and timers do not keep the process alive.
 */
export class ServerTls {
  private material: Material;
  private readonly servers = new Map<TlsServer, ((revokes: (serialNumber: string) => boolean) => void) | undefined>();
  private timer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  /** Expiries warned of already (`what@time`). */
  private readonly warned = new Set<string>();
  private watching = false;
  private readonly changed = (now: Stats, before: Stats) => {
    // Polling also reports a chmod or a read (ctime, atime): only new content, or a file renamed over it, is a change.
    if (now.mtimeMs === before.mtimeMs && now.ino === before.ino && now.size === before.size) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload(), SETTLE_MS);
    this.timer.unref();
  };

  /** Reads and checks every file; throws a `CertificateFileError` naming the one that is wrong. */
  constructor(
    readonly files: ServerTlsFiles,
    private readonly options: ServerTlsOptions = {},
  ) {
    this.material = ServerTls.read(files);
  }

  private static read(files: ServerTlsFiles): Material {
    const { cert, key } = readServerCertificate(files.certFile, files.keyFile);
    const ca = files.caFile === undefined ? undefined : readCertificateFile(files.caFile, 'ca');
    if (files.crlFile === undefined) return { cert, key, ...(ca ? { ca } : {}) };
    if (!ca) throw new CertificateFileError(`${files.crlFile}: a revocation list needs the CA file of the certificates it revokes`, 'crl');
    const crl = readRevocationList(files.crlFile, readCertificateFile(files.crlFile, 'crl'), ca);
    return { cert, key, ca, crl };
  }

  /** Whether clients must show a certificate of the CA. */
  get requiresClientCertificates(): boolean {
    return this.material.ca !== undefined;
  }

  /** The options of `tls.createServer`/`https.createServer`. */
  get serverOptions(): SecureContextOptions & { requestCert?: boolean; rejectUnauthorized?: boolean } {
    return { ...this.contextOptions(), ...(this.material.ca ? { requestCert: true, rejectUnauthorized: true } : {}) };
  }

  /** Whether the current CRL revokes the certificate with this serial number (`X509Certificate.serialNumber`). */
  readonly revokes = (serialNumber: string): boolean => this.material.crl?.revoked.has(serialKey(serialNumber)) ?? false;

  /**
   * Keeps `server`'s context up to date with the files from now on;
   * `onRevoked` is called after each change with the new CRL's test of a
   * serial number. Returns the way off (the files are watched while some
   * server uses them).
   */
  serve(server: TlsServer, onRevoked?: (revokes: (serialNumber: string) => boolean) => void): () => void {
    this.servers.set(server, onRevoked);
    this.watch();
    return () => {
      this.servers.delete(server);
      if (this.servers.size === 0) this.unwatch();
    };
  }

  /** Reads the files again now (the watchers do it within a second of a change). */
  reload(): void {
    let material: Material;
    try {
      material = ServerTls.read(this.files);
    } catch (e) {
      this.options.report?.(`${(e as Error).message}; the previous certificates stay in force`);
      return;
    }
    const previous = this.material;
    this.material = material;
    try {
      for (const server of this.servers.keys()) server.setSecureContext(this.contextOptions());
    } catch (e) {
      // Checked files OpenSSL still refuses: the servers go on with what they had.
      this.material = previous;
      for (const server of this.servers.keys()) server.setSecureContext(this.contextOptions());
      this.options.report?.(`${this.paths().join(', ')}: OpenSSL refuses them (${(e as Error).message}); the previous certificates stay in force`);
      return;
    }
    for (const onRevoked of this.servers.values()) if (material.crl) onRevoked?.(this.revokes);
    this.options.report?.(`${this.paths().join(', ')} read again`);
    this.armExpiryWarning();
  }

  /** What runs out next (the certificate, or the CRL at its next update), and when. */
  private nextExpiry(): { what: string; at: number } {
    const { cert, crl } = this.material;
    const certificate = { what: `the certificate in ${this.files.certFile}`, at: new Date(new X509Certificate(cert).validTo).getTime() };
    const update = crl?.nextUpdate?.getTime();
    return update !== undefined && update < certificate.at ? { what: `the revocation list ${this.files.crlFile} (its next update)`, at: update } : certificate;
  }

  /** Warns `warnAheadMs` before the next expiry (at once when nearer; once per expiry), and when it has passed. */
  private armExpiryWarning(): void {
    clearTimeout(this.expiryTimer);
    if (!this.watching || !this.options.report) return;
    const { what, at } = this.nextExpiry();
    const now = Date.now();
    if (now >= at) return this.options.report(`${what} has run out (${new Date(at).toISOString()}): every client is refused until it is renewed`);
    const warnAt = at - (this.options.warnAheadMs ?? WARN_AHEAD_MS);
    if (now >= warnAt && !this.warned.has(`${what}@${at}`)) {
      this.warned.add(`${what}@${at}`);
      this.options.report(`${what} runs out at ${new Date(at).toISOString()}: renew it, or every client is refused from then on`);
    }
    this.expiryTimer = setTimeout(() => this.armExpiryWarning(), Math.min((now < warnAt ? warnAt : at) - now, MAX_DELAY_MS));
    this.expiryTimer.unref();
  }

  private contextOptions(): SecureContextOptions {
    const { cert, key, ca, crl } = this.material;
    return { cert, key, ...(ca ? { ca } : {}), ...(crl ? { crl: crl.pem } : {}) };
  }

  private paths(): string[] {
    const { certFile, keyFile, caFile, crlFile } = this.files;
    return [certFile, keyFile, caFile, crlFile].filter((f): f is string => f !== undefined);
  }

  private watch(): void {
    if (this.watching) return;
    this.watching = true;
    this.armExpiryWarning();
    for (const file of this.paths()) watchFile(file, { interval: 250, persistent: false }, this.changed);
  }

  private unwatch(): void {
    if (!this.watching) return;
    this.watching = false;
    clearTimeout(this.timer);
    clearTimeout(this.expiryTimer);
    for (const file of this.paths()) unwatchFile(file, this.changed);
  }
}
