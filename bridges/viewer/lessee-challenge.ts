import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The path a lessee fetches its one-time challenge from, on the viewer's HTTP server. */
export const CHALLENGE_PATH = '/lessee/challenge';

/** How long a challenge may wait for its sign-in. */
export const CHALLENGE_TTL_MS = 2 * 60_000;

/** Outstanding challenges kept at most; the oldest go first (a flood cannot grow memory). */
const MAX_OUTSTANDING = 10_000;

/**
 * One-time challenges for lessee sign-ins. A sign-in signs a fresh challenge
 * the server issued, and the server accepts each challenge once: a sign-in
 * captured on the wire cannot be replayed, not even within seconds.
 */
export class LesseeChallenges {
  /** Challenge → when it expires (ms). A Map keeps insertion order, so the oldest is first. */
  private readonly open = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(): { challenge: string; expiresAt: string } {
    this.sweep();
    while (this.open.size >= MAX_OUTSTANDING) this.open.delete(this.open.keys().next().value!);
    const challenge = randomBytes(16).toString('hex');
    const expires = this.now() + CHALLENGE_TTL_MS;
    this.open.set(challenge, expires);
    return { challenge, expiresAt: new Date(expires).toISOString() };
  }

  /** Whether `challenge` is outstanding; it is used up by this call either way. */
  consume(challenge: string): boolean {
    const expires = this.open.get(challenge);
    this.open.delete(challenge);
    return expires !== undefined && expires >= this.now();
  }

  private sweep(): void {
    const now = this.now();
    for (const [c, expires] of this.open) {
      if (expires >= now) break; // later entries expire later
      this.open.delete(c);
    }
  }

  /** Serves `GET /lessee/challenge` (JSON, not cached); returns false for any other request. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if ((req.url ?? '').split('?')[0] !== CHALLENGE_PATH) return false;
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return true;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(this.issue()));
    return true;
  }
}

/** Fetches a one-time challenge from a viewer server (`url` is its page address). */
export async function fetchLesseeChallenge(url: string): Promise<string> {
  const response = await fetch(new URL(CHALLENGE_PATH, url));
  if (!response.ok) throw new Error(`lessee challenge: ${url} answered ${response.status}`);
  const body = (await response.json()) as { challenge?: unknown };
  if (typeof body.challenge !== 'string') throw new Error(`lessee challenge: ${url} sent no challenge`);
  return body.challenge;
}
