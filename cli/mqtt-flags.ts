import { existsSync, readFileSync } from 'node:fs';
import { setProcessCredentials, type MqttCredentials } from '../bridges/mqtt/mqtt-port.js';
import type { BrokerAccessOptions } from '../bridges/mqtt/access/broker-access.js';
import { AccessFileError, PasswordFile } from '../bridges/mqtt/access/password-file.js';
import { AclFile } from '../bridges/mqtt/access/acl-file.js';
import { UsageError } from './errors.js';

/** This process's identity on the broker: every command that connects to MQTT takes these. */
export const mqttIdentitySpec = {
  'mqtt-user': { type: 'string' },
  'mqtt-ca': { type: 'string' },
  'mqtt-cert': { type: 'string' },
  'mqtt-key': { type: 'string' },
} as const;

/** The embedded broker's policy (serve). */
export const mqttBrokerSpec = {
  'mqtt-password-file': { type: 'string' },
  'mqtt-acl-file': { type: 'string' },
} as const;

export const mqttIdentityHelp = `  --mqtt-user NAME logs in to the broker as NAME with the password in the
  HYPERFACTORY_MQTT_PASSWORD environment variable; --mqtt-ca FILE trusts that
  CA for mqtts:// (a site's own), --mqtt-cert FILE --mqtt-key FILE present a
  client certificate (PEM).`;

export const mqttBrokerHelp = `  --mqtt-password-file FILE --mqtt-acl-file FILE: the embedded broker admits
  only the users of that mosquitto_passwd file and grants what that Mosquitto
  ACL file grants (the same files configure a Mosquitto; edits apply without
  a restart). docs/mqtt.md, "Access".`;

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
  const credentials: MqttCredentials = {
    ...(values['mqtt-user'] !== undefined ? { username: values['mqtt-user'], password } : {}),
    ...(values['mqtt-ca'] !== undefined ? { ca: read('mqtt-ca', values['mqtt-ca']) } : {}),
    ...(values['mqtt-cert'] !== undefined ? { cert: read('mqtt-cert', values['mqtt-cert']) } : {}),
    ...(values['mqtt-key'] !== undefined ? { key: read('mqtt-key', values['mqtt-key']) } : {}),
  };
  if (Object.keys(credentials).length === 0) return undefined;
  setProcessCredentials(credentials);
  return credentials;
}

/** The embedded broker's access policy from the flags, the files checked now (a bad line is a usage error naming it). */
export function brokerAccessFlags(values: { 'mqtt-password-file'?: string; 'mqtt-acl-file'?: string }): BrokerAccessOptions | undefined {
  const passwordFile = values['mqtt-password-file'];
  const aclFile = values['mqtt-acl-file'];
  if (passwordFile === undefined && aclFile === undefined) return undefined;
  try {
    if (passwordFile !== undefined) PasswordFile.read(passwordFile);
    if (aclFile !== undefined) AclFile.read(aclFile);
  } catch (e) {
    if (e instanceof AccessFileError) throw new UsageError(e.message);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`no such file ${(e as NodeJS.ErrnoException).path}`);
    throw e;
  }
  return { ...(passwordFile !== undefined ? { passwordFile } : {}), ...(aclFile !== undefined ? { aclFile } : {}), onReload: (line) => process.stderr.write(`mqtt broker: ${line}\n`) };
}
