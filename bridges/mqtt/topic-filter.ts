/**
 * MQTT topic filters (MQTT 3.1.1 §4.7): `+` matches one level, `#` (last)
 * matches the level it stands at and all below. One client holds several
 * subscriptions but receives one stream of messages, so the port adapter
 * routes each message to the handlers whose filter matches.
 */

/** Why a filter is not valid, or undefined when it is. */
export function filterProblem(filter: string): string | undefined {
  if (filter.length === 0) return 'an empty topic filter';
  const levels = filter.split('/');
  for (const [i, level] of levels.entries()) {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return `"#" must be a whole last level in "${filter}"`;
    if (level.includes('+') && level !== '+') return `"+" must be a whole level in "${filter}"`;
  }
  return undefined;
}

/** Why a topic name is not valid for publishing, or undefined when it is. */
export function topicProblem(topic: string): string | undefined {
  if (topic.length === 0) return 'an empty topic';
  if (/[+#]/.test(topic)) return `wildcards cannot be published to ("${topic}")`;
  return undefined;
}

export function topicMatches(filter: string, topic: string): boolean {
  // Topics starting with `$` (broker statistics) are not matched by leading wildcards.
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
