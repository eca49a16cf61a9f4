/** A user error in a run's options or scenario that no schema catches (bad policy name, inconsistent costs): one line, no stack trace. */
export class RunOptionError extends Error {
  override name = 'RunOptionError';
}
