/**
 * Text from outside (a payload, a file, a field name) put into a reason or
 * an error message, kept to one line: control characters, DEL and the
 * Unicode line and paragraph separators are escaped (`\u000a`), so a name
 * with a line break cannot split a message or forge a log line.
 */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
