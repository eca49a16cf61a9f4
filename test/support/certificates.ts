import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A throw-away site PKI made with the openssl command line (Debian's
 * `openssl`; scripts/install-system-deps.sh installs it): a CA, a broker
 * certificate naming 127.0.0.1 and localhost, client certificates whose
 * common name is the MQTT user, and the CA's revocation list kept as
 * `openssl ca` keeps it. EC P-256 keys, valid two days. Files are
 * world-readable so a Mosquitto that dropped root can read them.
 */
export interface SitePki {
  /** The CA's certificate file (PEM). */
  caFile: string;
  /** The CA's revocation list (PEM), empty until `revoke`. */
  crlFile: string;
  server: CertificateFiles;
  /**
   * A client certificate for `name` signed by this CA (made on first ask), with a random serial number or
   * `serial` (hex: one with a leading zero digit, "0A…", is written differently by Node and in a CRL).
   */
  client(name: string, serial?: string): CertificateFiles;
  /** Revokes `name`'s client certificate and writes the new CRL over `crlFile` (in one rename). */
  revoke(name: string): void;
  /** A new key and certificate for client `name`, written over its files; returns a copy of the old certificate's file (to revoke it). */
  renewClient(name: string): string;
  /** Revokes the certificate in `certFile` and writes the new CRL. */
  revokeFile(certFile: string): void;
  /** A new key and certificate for the broker, written over `server`'s files (each in one rename); returns the new certificate. */
  renewServer(): Buffer;
}

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

const CONFIG = (database: string) => `[ca]
default_ca = site
[site]
database = ${database}.index
crlnumber = ${database}.crlnumber
default_md = sha256
default_crl_days = 2
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unnamed
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
[client]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
`;

/** Makes a CA named `caName` in `dir` and its broker certificate. */
export function makeSitePki(dir: string, caName = 'test-site-ca'): SitePki {
  const config = join(dir, `${caName}.cnf`);
  writeFileSync(config, CONFIG(join(dir, caName)));
  writeFileSync(join(dir, `${caName}.index`), '');
  writeFileSync(join(dir, `${caName}.crlnumber`), '01\n');
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const caKey = join(dir, `${caName}.key`);
  const caFile = join(dir, `${caName}.crt`);
  openssl('req', '-x509', ...newKey, '-keyout', caKey, '-out', caFile, '-days', '2', '-subj', `/CN=${caName}`, '-config', config, '-extensions', 'ca_ext');
  // Made beside their final names and renamed over them: a watcher never reads a half-written file.
  const issue = (name: string, kind: 'server' | 'client', serial?: string): CertificateFiles => {
    const base = join(dir, `${caName}-${kind}-${name}`);
    openssl('req', ...newKey, '-keyout', `${base}.key.new`, '-out', `${base}.csr`, '-subj', `/CN=${name}`, '-config', config);
    const serialArgs = serial !== undefined ? ['-set_serial', `0x${serial}`] : ['-CAcreateserial'];
    openssl('x509', '-req', '-in', `${base}.csr`, '-CA', caFile, '-CAkey', caKey, ...serialArgs, '-out', `${base}.crt.new`, '-days', '2', '-extfile', config, '-extensions', kind);
    for (const f of [`${base}.key.new`, `${base}.crt.new`, caFile]) chmodSync(f, 0o644);
    renameSync(`${base}.key.new`, `${base}.key`);
    renameSync(`${base}.crt.new`, `${base}.crt`);
    return { certFile: `${base}.crt`, keyFile: `${base}.key`, cert: readFileSync(`${base}.crt`), key: readFileSync(`${base}.key`) };
  };
  const crlFile = join(dir, `${caName}.crl`);
  const writeCrl = () => {
    openssl('ca', '-gencrl', '-keyfile', caKey, '-cert', caFile, '-out', `${crlFile}.new`, '-config', config);
    chmodSync(`${crlFile}.new`, 0o644);
    renameSync(`${crlFile}.new`, crlFile);
  };
  writeCrl();
  const revokeFile = (certFile: string) => {
    openssl('ca', '-revoke', certFile, '-keyfile', caKey, '-cert', caFile, '-config', config);
    writeCrl();
  };
  const clients = new Map<string, CertificateFiles>();
  const client = (name: string, serial?: string) => {
    let files = clients.get(name);
    if (!files) clients.set(name, (files = issue(name, 'client', serial)));
    return files;
  };
  return {
    caFile,
    crlFile,
    server: issue('broker', 'server'),
    client,
    revoke: (name) => revokeFile(client(name).certFile),
    revokeFile,
    renewClient: (name) => {
      const old = `${client(name).certFile}.${Date.now()}.old`;
      copyFileSync(client(name).certFile, old);
      clients.set(name, issue(name, 'client'));
      return old;
    },
    renewServer: () => issue('broker', 'server').cert,
  };
}
