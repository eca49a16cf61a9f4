/**
 * JSON text parsed, or where it stops being JSON: the offset, line and
 * column of the first bad character (JSON.parse names the position only in
 * some Node versions, so the position is found by a small scanner).
 */
export type JsonParse = { ok: true; value: unknown } | { ok: false; offset: number; line: number; column: number; message: string };

export function parseJsonText(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) };
  } catch {
    const offset = syntaxErrorOffset(text);
    const before = text.slice(0, offset).split('\n');
    const line = before.length;
    const column = before[before.length - 1].length + 1;
    const reason = offset >= text.length ? 'unexpected end of JSON' : `unexpected ${JSON.stringify(text[offset])}`;
    return { ok: false, offset, line, column, message: `not JSON: ${reason} at line ${line}, column ${column}` };
  }
}

/**
 * The offset of the first character that makes `text` invalid JSON (text.length when it ends too early).
 * Iterative, with a stack of the open arrays and objects: a recursive scanner overflowed the call stack
 * (RangeError) on nesting that JSON.parse takes, such as 100 000 `[`.
 */
export function syntaxErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const string = () => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (!/[0-9a-f]/i.test(text[i + k] ?? '')) {
              i += k;
              fail();
            }
          }
          i += 5;
        } else if (i < text.length && '"\\/bfnrt'.includes(text[i])) i++;
        else fail();
      } else i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const numberAt = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const number = () => {
    numberAt.lastIndex = i;
    const m = numberAt.exec(text);
    if (!m || m[0] === '' || m[0] === '-') fail();
    i += m![0].length;
  };
  /** An object's next key and its colon; the value comes next. */
  const key = () => {
    ws();
    string();
    ws();
    literal(':');
  };
  /** The arrays (`]`) and objects (`}`) open around the value being read, innermost last. */
  const open: (']' | '}')[] = [];
  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1;
    for (;;) {
      // A value starts here.
      ws();
      const c = text[i];
      if (c === '{' || c === '[') {
        const close = c === '{' ? '}' : ']';
        i++;
        ws();
        if (text[i] !== close) {
          open.push(close);
          if (close === '}') key();
          continue;
        }
        i++;
      } else if (c === '"') string();
      else if (c === 't') literal('true');
      else if (c === 'f') literal('false');
      else if (c === 'n') literal('null');
      else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
      else fail();
      // The value ended: close what it ends, up to the next element.
      for (;;) {
        ws();
        const close = open.at(-1);
        if (close === undefined) {
          if (i < text.length) fail();
          return text.length;
        }
        if (text[i] === ',') {
          i++;
          if (close === '}') key();
          break;
        }
        if (text[i] !== close) fail();
        i++;
        open.pop();
      }
    }
  } catch (at) {
    if (typeof at === 'number') return Math.min(at, text.length);
    throw at;
  }
}
