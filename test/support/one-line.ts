import { expect } from 'vitest';

/** True when no character of the text breaks or rewrites a log line: no control characters, no line or paragraph separators. */
export function isOneLine(text: string): boolean {
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029) return false;
  }
  return true;
}

/** Fails with the text when it would not stay one line in a log. */
export function expectOneLine(text: string): void {
  expect(isOneLine(text), JSON.stringify(text)).toBe(true);
}
