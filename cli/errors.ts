/** A mistake by the user (a bad flag, file or name): one line on stderr, exit code 2, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
