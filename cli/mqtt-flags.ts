import { existsSync, readFileSync } from 'node:fs';
import { setProcessCredentials, type MqttCredentials } from '../bridges/mqtt/mqtt-port.js';
import type { EmbeddedBrokerOptions } from '../bridges/mqtt/embedded-broker.js';
import { AccessFileError, PasswordFile } from '../bridges/mqtt/access/password-file.js';
import { AclFile } from '../bridges/mqtt/access/acl-file.js';
import { UsageError } from './errors.js';
import { oneLine } from '../agents/protocol/one-line.js';
import { CertificateFileError } from '../bridges/access/server-certificate.js';
import { ServerTls } from '../bridges/access/server-tls.js';
import { isLoopback } from './loopback.js';

/** This process's identity on the broker: every command that connects to MQTT takes these. */
export const mqttIdentitySpec = {
  'mqtt-user': { type: 'string' },
  'mqtt-ca': { type: 'string' },
  'mqtt-cert': { type: 'string' },
  'mqtt-key': { type: 'string' },
} as const;

/** The embedded broker's policy, TLS and interface (serve): Mosquitto's own settings and files. */
export const mqttBrokerSpec = {
  'mqtt-password-file': { type: 'string' },
  'mqtt-acl-file': { type: 'string' },
  'mqtt-certfile': { type: 'string' },
  'mqtt-keyfile': { type: 'string' },
  'mqtt-cafile': { type: 'string' },
  'mqtt-crlfile': { type: 'string' },
  'mqtt-bind': { type: 'string' },
} as const;

export const mqttIdentityHelp = `  --mqtt-user NAME logs in to the broker as NAME with the password in the
  HYPERFACTORY_MQTT_PASSWORD environment variable; --mqtt-ca FILE trusts that
  CA for mqtts:// (a site's own), --mqtt-cert FILE --mqtt-key FILE present a
  client certificate (PEM); the files are read again at each reconnection, so
  a renewed certificate needs no restart.`;

export const mqttBrokerHelp = `  --mqtt-password-file FILE --mqtt-acl-file FILE: the embedded broker admits
  only the users of that mosquitto_passwd file and grants what that Mosquitto
  ACL file grants (the same files configure a Mosquitto; edits apply without
  a restart). --mqtt-certfile FILE --mqtt-keyfile FILE: it speaks TLS
  (mqtts://; the certificate must name 127.0.0.1, where the plant's own
  connections go, and give them --mqtt-ca); --mqtt-cafile FILE: clients must
  show a certificate from that CA and are known by its common name, for the
  ACL (Mosquitto's require_certificate, use_identity_as_username);
  --mqtt-crlfile FILE: that CA's revocation list refuses the certificates it
  lists. Renewed certificate, key and CRL files apply without a restart, and
  a client the new CRL revokes is disconnected.
  --mqtt-bind HOST listens beyond loopback (0.0.0.0: every interface), only
  with a password file or client certificates. docs/mqtt.md, "Access".`;

const read = (flag: string, file: string): Buffer => {
  if (!existsSync(file)) throw new UsageError(`--${flag}: no such file ${file}`);
  return readFileSync(file);
};

/** Sets the process's MQTT identity from the flags (nothing when none is given). */
export function applyMqttIdentity(values: { 'mqtt-user'?: string; 'mqtt-ca'?: string; 'mqtt-cert'?: string; 'mqtt-key'?: string }): MqttCredentials | undefined {
  const password = process.env.HYPERFACTORY_MQTT_PASSWORD;
  if (values['mqtt-user'] === undefined && password !== undefined) throw new UsageError('HYPERFACTORY_MQTT_PASSWORD is set but --mqtt-user is not: say whose password it is');
  if (values['mqtt-user'] !== undefined && password === undefined) throw new UsageError(`--mqtt-user ${values['mqtt-user']}: set its password in HYPERFACTORY_MQTT_PASSWORD`);
  if ((values['mqtt-cert'] === undefined) !== (values['mqtt-key'] === undefined)) throw new UsageError('--mqtt-cert and --mqtt-key go together');
  const tlsFiles = () => ({
    ...(values['mqtt-ca'] !== undefined ? { ca: read('mqtt-ca', values['mqtt-ca']) } : {}),
    ...(values['mqtt-cert'] !== undefined ? { cert: read('mqtt-cert', values['mqtt-cert']) } : {}),
    ...(values['mqtt-key'] !== undefined ? { key: read('mqtt-key', values['mqtt-key']) } : {}),
  });
  const tls = tlsFiles();
  const credentials: MqttCredentials = {
    ...(values['mqtt-user'] !== undefined ? { username: values['mqtt-user'], password } : {}),
    ...tls,
    // Renewed files are shown at the next reconnection.
    ...(Object.keys(tls).length > 0 ? { reread: tlsFiles } : {}),
  };
  if (Object.keys(credentials).length === 0) return undefined;
  setProcessCredentials(credentials);
  return credentials;
}

/** What configures the embedded broker: its access files, TLS and interface. */
export type EmbeddedBrokerSettings = Omit<EmbeddedBrokerOptions, 'port'>;

type BrokerFlagValues = {
  'mqtt-password-file'?: string;
  'mqtt-acl-file'?: string;
  'mqtt-certfile'?: string;
  'mqtt-keyfile'?: string;
  'mqtt-cafile'?: string;
  'mqtt-crlfile'?: string;
  'mqtt-bind'?: string;
};

/** The embedded broker's settings from the flags, the files checked now (a bad line is a usage error naming it); undefined when none is given. */
export function embeddedBrokerFlags(values: BrokerFlagValues): EmbeddedBrokerSettings | undefined {
  const passwordFile = values['mqtt-password-file'];
  const aclFile = values['mqtt-acl-file'];
  const { 'mqtt-certfile': certFile, 'mqtt-keyfile': keyFile, 'mqtt-cafile': caFile, 'mqtt-crlfile': crlFile, 'mqtt-bind': bind } = values;
  if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('--mqtt-certfile and --mqtt-keyfile go together');
  if (caFile !== undefined && certFile === undefined) throw new UsageError('--mqtt-cafile asks clients for certificates over TLS: give the broker its own with --mqtt-certfile and --mqtt-keyfile');
  if (crlFile !== undefined && caFile === undefined) throw new UsageError('--mqtt-crlfile revokes client certificates: give the CA that signs them with --mqtt-cafile');
  if (bind !== undefined && !/^([0-9a-fA-F.:]+|[A-Za-z0-9.-]+)$/.test(bind)) throw new UsageError(`--mqtt-bind: an interface address or host name, got "${oneLine(bind)}"`);
  if (bind !== undefined && !isLoopback(bind) && passwordFile === undefined && caFile === undefined)
    throw new UsageError(`--mqtt-bind ${bind} opens the broker to other machines: give it users (--mqtt-password-file) or client certificates (--mqtt-cafile)`);
  if ([passwordFile, aclFile, certFile, bind].every((v) => v === undefined)) return undefined;
  try {
    if (passwordFile !== undefined) PasswordFile.read(passwordFile);
    if (aclFile !== undefined) AclFile.read(aclFile);
  } catch (e) {
    if (e instanceof AccessFileError) throw new UsageError(e.message);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`no such file ${(e as NodeJS.ErrnoException).path}`);
    throw e;
  }
  const onReload = (line: string) => process.stderr.write(`mqtt broker: ${line}\n`);
  const access =
    passwordFile !== undefined || aclFile !== undefined
      ? { ...(passwordFile !== undefined ? { passwordFile } : {}), ...(aclFile !== undefined ? { aclFile } : {}), onReload }
      : undefined;
  let tls: EmbeddedBrokerSettings['tls'];
  if (certFile !== undefined && keyFile !== undefined) {
    try {
      tls = new ServerTls({ certFile, keyFile, ...(caFile !== undefined ? { caFile } : {}), ...(crlFile !== undefined ? { crlFile } : {}) }, { report: onReload });
    } catch (e) {
      if (e instanceof CertificateFileError) throw new UsageError(`--mqtt-${e.file}file: ${e.message}`);
      throw e;
    }
  }
  return { ...(access ? { access } : {}), ...(tls ? { tls } : {}), ...(bind !== undefined ? { host: bind } : {}) };
}
