import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { oneLine } from '../../agents/protocol/one-line.js';

/** A server's certificate (PEM, chain after the leaf) and its private key: HTTPS and WSS, and the embedded MQTT broker's TLS. */
export interface ServerCertificate {
  cert: Buffer;
  key: Buffer;
}

/** A certificate, key, CA or CRL file that cannot serve: missing, not PEM, a key of another certificate, expired. */
export class CertificateFileError extends Error {
  override name = 'CertificateFileError';
  constructor(
    message: string,
    /** Which file is wrong (a command line names its flag). */
    readonly file: 'cert' | 'key' | 'ca' | 'crl',
  ) {
    super(message);
  }
}

/** A file's bytes, or the error naming it (missing, unreadable). */
export function readCertificateFile(file: string, which: CertificateFileError['file']): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CertificateFileError(code === 'ENOENT' ? `no such file ${file}` : `cannot read ${file} (${code ?? (e as Error).message})`, which);
  }
}

/**
 * Reads a certificate and its key and checks them before a server starts
 * with them: Node would otherwise fail on the first handshake, or serve a
 * certificate every client refuses.
 */
export function readServerCertificate(certFile: string, keyFile: string, now = new Date()): ServerCertificate {
  const cert = readCertificateFile(certFile, 'cert');
  const key = readCertificateFile(keyFile, 'key');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (e) {
    throw new CertificateFileError(`${certFile}: not a PEM certificate (${oneLine((e as Error).message)})`, 'cert');
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (e) {
    throw new CertificateFileError(`${keyFile}: not a PEM private key (${oneLine((e as Error).message)})`, 'key');
  }
  if (!leaf.checkPrivateKey(privateKey)) throw new CertificateFileError(`${keyFile} is not the key of the certificate in ${certFile} (${oneLine(leaf.subject)})`, 'key');
  const until = new Date(leaf.validTo);
  if (until.getTime() < now.getTime()) throw new CertificateFileError(`${certFile}: the certificate expired on ${until.toISOString()}`, 'cert');
  return { cert, key };
}
