import { X509Certificate, verify } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificateList } from '@peculiar/asn1-x509';
import { oneLine } from '../../agents/protocol/one-line.js';
import { CertificateFileError } from './server-certificate.js';

/** A CA's certificate revocation list, checked: its PEM for OpenSSL, and the serials it revokes. */
export interface RevocationList {
  pem: Buffer;
  /** Revoked serial numbers as `serialKey` writes them: compare a certificate's `serialKey(x509.serialNumber)`. */
  revoked: ReadonlySet<string>;
  nextUpdate: Date | undefined;
}

/**
 * One spelling of a serial number in hex: upper case, no leading zeros (Node's `X509Certificate.serialNumber` keeps
 * a leading zero digit, "08…", and a CRL's DER integer may carry a leading zero byte).
 */
export const serialKey = (hex: string): string => hex.toUpperCase().replace(/^0+(?=.)/, '');

/** Digest of each CRL signature algorithm OpenSSL's `ca -gencrl` writes (null: the key type fixes it, Ed25519). */
const DIGESTS: Record<string, string | null> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.3.101.112': null,
};

const PEM = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/;

/** The certificates of a PEM bundle (a site's CA file may hold several). */
function certificatesOf(ca: Buffer): X509Certificate[] {
  const blocks = ca.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/**
 * Reads a CRL (PEM or DER, as `openssl ca -gencrl` writes it) and checks it
 * before a TLS server uses it: signed by one of the CAs in `ca`, and not past
 * its next update. OpenSSL would otherwise refuse every client (a CRL of
 * another CA leaves the clients' CA without one; an expired CRL fails every
 * check) with nothing in the logs to say why.
 */
export function readRevocationList(file: string, bytes: Buffer, ca: Buffer, now = new Date()): RevocationList {
  const wrong = (detail: string) => new CertificateFileError(`${file}: ${detail}`, 'crl');
  const pemBody = PEM.exec(bytes.toString('latin1'))?.[1];
  const der = pemBody !== undefined ? Buffer.from(pemBody.replace(/\s+/g, ''), 'base64') : bytes;
  let list: CertificateList;
  try {
    list = AsnConvert.parse(der, CertificateList);
    // DER has one encoding: anything else (a wrong length the signature does not cover, trailing bytes) is not the
    // CA's file. Being canonical, the signed part re-encodes to exactly the bytes that were signed.
    if (!Buffer.from(AsnConvert.serialize(list)).equals(der)) throw new Error('not in DER, the one encoding a CA writes');
  } catch (e) {
    throw wrong(`not a certificate revocation list (${oneLine((e as Error).message)})`);
  }
  const tbs = new Uint8Array(AsnConvert.serialize(list.tbsCertList));
  const algorithm = list.signatureAlgorithm.algorithm;
  if (!(algorithm in DIGESTS)) throw wrong(`signed with algorithm ${algorithm}, which this server does not check (use ECDSA, RSA PKCS#1 v1.5 or Ed25519)`);
  let issuers: X509Certificate[];
  try {
    issuers = certificatesOf(ca);
  } catch (e) {
    throw new CertificateFileError(`the CA file holds something that is not a PEM certificate (${oneLine((e as Error).message)})`, 'ca');
  }
  const signature = new Uint8Array(list.signature);
  const signedBy = issuers.find((issuer) => {
    try {
      return verify(DIGESTS[algorithm], tbs, issuer.publicKey, signature);
    } catch {
      return false; // a CA of another key type
    }
  });
  if (!signedBy) throw wrong(`not signed by the CA that signs the clients' certificates (${issuers.map((i) => oneLine(i.subject)).join('; ') || 'none in the CA file'})`);
  const nextUpdate = list.tbsCertList.nextUpdate?.getTime();
  if (nextUpdate && nextUpdate.getTime() < now.getTime()) throw wrong(`expired on ${nextUpdate.toISOString()}: every client would be refused; issue a fresh one (openssl ca -gencrl)`);
  const revoked = new Set((list.tbsCertList.revokedCertificates ?? []).map((r) => serialKey(Buffer.from(r.userCertificate).toString('hex'))));
  const pem = `-----BEGIN X509 CRL-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END X509 CRL-----\n`;
  // OpenSSL has the last word: a list it cannot parse would fail the server at start, or at a reload.
  try {
    createSecureContext({ crl: pem });
  } catch (e) {
    throw wrong(`OpenSSL cannot use it (${oneLine((e as Error).message)})`);
  }
  return { pem: Buffer.from(pem), revoked, nextUpdate };
}
