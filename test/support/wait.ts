/** Polls `ok` every 20 ms until it holds; fails naming `what` after `ms` (tests of live, wall-clock parts only). */
export async function waitUntil(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
