import { unwatchFile, watchFile } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';
import { CertificateFileError, readCertificateFile, readServerCertificate } from './server-certificate.js';
import { readRevocationList, type RevocationList } from './revocation-list.js';

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

/**
 * A server's TLS material, checked when read and read again when a file
 * changes: a renewed certificate or a new CRL applies to the next handshake
 * without a restart, and a client whose certificate the new CRL revokes is
 * told to whoever serves (the MQTT broker drops its connection). A change
 * that does not check out (a key of another certificate, a CRL of another
 * CA, a file half written) leaves the previous material in force and is
 * reported. The watchers do not keep the process alive.
 */
export class ServerTls {
  private material: Material;
  private readonly servers = new Map<TlsServer, ((revoked: ReadonlySet<string>) => void) | undefined>();
  private timer: NodeJS.Timeout | undefined;
  private watching = false;
  private readonly changed = () => {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload(), SETTLE_MS);
    this.timer.unref();
  };

  /** Reads and checks every file; throws a `CertificateFileError` naming the one that is wrong. */
  constructor(
    readonly files: ServerTlsFiles,
    private readonly onReload?: (line: string) => void,
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
  revokes(serialNumber: string): boolean {
    return this.material.crl?.revoked.has(serialNumber) ?? false;
  }

  /**
   * Keeps `server`'s context up to date with the files from now on;
   * `onRevoked` hears the CRL's serials after each change. Returns the way
   * off (the files are watched while some server uses them).
   */
  serve(server: TlsServer, onRevoked?: (revoked: ReadonlySet<string>) => void): () => void {
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
      this.onReload?.(`${(e as Error).message}; the previous certificates stay in force`);
      return;
    }
    this.material = material;
    for (const [server, onRevoked] of this.servers) {
      server.setSecureContext(this.contextOptions());
      if (material.crl) onRevoked?.(material.crl.revoked);
    }
    this.onReload?.(`${this.paths().join(', ')} read again`);
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
    for (const file of this.paths()) watchFile(file, { interval: 250, persistent: false }, this.changed);
  }

  private unwatch(): void {
    if (!this.watching) return;
    this.watching = false;
    clearTimeout(this.timer);
    for (const file of this.paths()) unwatchFile(file, this.changed);
  }
}
