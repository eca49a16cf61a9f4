import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A throw-away site PKI made with the openssl command line (Debian's
 * `openssl`; scripts/install-system-deps.sh installs it): a CA, a broker
 * certificate naming 127.0.0.1 and localhost, and client certificates whose
 * common name is the MQTT user. EC P-256 keys, valid two days. Files are
 * world-readable so a Mosquitto that dropped root can read them.
 */
export interface SitePki {
  /** The CA's certificate file (PEM). */
  caFile: string;
  server: CertificateFiles;
  /** A client certificate for `name` signed by this CA (made on first ask). */
  client(name: string): CertificateFiles;
}

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

const CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = unnamed
[ca]
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
  writeFileSync(config, CONFIG);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const caKey = join(dir, `${caName}.key`);
  const caFile = join(dir, `${caName}.crt`);
  openssl('req', '-x509', ...newKey, '-keyout', caKey, '-out', caFile, '-days', '2', '-subj', `/CN=${caName}`, '-config', config, '-extensions', 'ca');
  const issue = (name: string, kind: 'server' | 'client'): CertificateFiles => {
    const base = join(dir, `${caName}-${kind}-${name}`);
    openssl('req', ...newKey, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${name}`, '-config', config);
    openssl('x509', '-req', '-in', `${base}.csr`, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-out', `${base}.crt`, '-days', '2', '-extfile', config, '-extensions', kind);
    for (const f of [`${base}.key`, `${base}.crt`, caFile]) chmodSync(f, 0o644);
    return { certFile: `${base}.crt`, keyFile: `${base}.key`, cert: readFileSync(`${base}.crt`), key: readFileSync(`${base}.key`) };
  };
  const clients = new Map<string, CertificateFiles>();
  return {
    caFile,
    server: issue('broker', 'server'),
    client: (name) => {
      let files = clients.get(name);
      if (!files) clients.set(name, (files = issue(name, 'client')));
      return files;
    },
  };
}
