/**
 * Which agents a process runs: comma-separated globs over agent ids
 * (`cobot-*`, `cobot-[1-4],supplier-?`), `*` any run of characters, `?` one,
 * `[…]` a character class. Returns why a pattern is unusable instead of a
 * matcher.
 */
export function idPattern(pattern: string): { ok: true; matches: (id: string) => boolean } | { ok: false; reason: string } {
  const parts = pattern.split(',').map((p) => p.trim());
  if (parts.some((p) => p.length === 0)) return { ok: false, reason: `agent pattern "${pattern}" has an empty part` };
  const regexps: RegExp[] = [];
  for (const p of parts) {
    let source = '';
    for (let i = 0; i < p.length; i++) {
      const c = p[i];
      if (c === '*') source += '.*';
      else if (c === '?') source += '.';
      else if (c === '[') {
        const end = p.indexOf(']', i + 1);
        if (end < 0) return { ok: false, reason: `agent pattern "${p}": "[" without "]"` };
        const cls = p.slice(i + 1, end);
        if (!/^[A-Za-z0-9_-]+$/.test(cls)) return { ok: false, reason: `agent pattern "${p}": only letters, digits, _ and ranges inside [ ]` };
        source += `[${cls}]`;
        i = end;
      } else source += c.replace(/[.+^${}()|\\/]/g, '\\$&');
    }
    regexps.push(new RegExp(`^${source}$`));
  }
  return { ok: true, matches: (id) => regexps.some((r) => r.test(id)) };
}
