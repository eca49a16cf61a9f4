import type { LinkSecurity } from '../../identity/sealed.js';

/**
 * Live messages on a sealed link (`bridges/identity/sealed.ts`), or as they
 * are when the run has no link security: one place for both directions, so
 * the plant and the agent hosts seal and check alike.
 */
export function outgoing(security: LinkSecurity | undefined, topic: string, payload: Uint8Array): Uint8Array {
  return security ? security.sealer.seal(topic, payload) : payload;
}

/** The payload of a frame from a signer holding one of `roles`, or why it is refused. */
export function incoming(
  security: LinkSecurity | undefined,
  topic: string,
  bytes: Uint8Array,
  roles: readonly string[],
  options: { replay?: boolean } = {},
): { ok: true; body: Uint8Array; signer?: string } | { ok: false; reason: string } {
  if (!security) return { ok: true, body: bytes };
  const opened = security.opener.open(topic, bytes, roles, options);
  return opened.ok ? { ok: true, body: opened.body, signer: opened.signer.id } : { ok: false, reason: `${opened.reason}: ${opened.detail}` };
}
