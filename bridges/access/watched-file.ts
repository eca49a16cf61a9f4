import { readFileSync, unwatchFile, watchFile } from 'node:fs';

/**
 * A policy file read once and again whenever it changes (tokens, principals,
 * broker passwords and ACLs): revoking access is an edit, not a restart. A
 * change that no longer parses keeps the previous value and is reported.
 * The watcher does not keep the process alive.
 */
export class WatchedFile<T> {
  private current: T;

  /**
   * `parse` throws its module's own error for bad content; `unreadable`
   * makes that error for a file that cannot be read at all.
   */
  constructor(
    readonly file: string,
    private readonly parse: (file: string, text: string) => T,
    private readonly unreadable: (file: string, detail: string) => Error,
    private readonly onReload?: (line: string) => void,
  ) {
    this.current = this.read();
    watchFile(file, { interval: 500, persistent: false }, () => this.reload());
  }

  get value(): T {
    return this.current;
  }

  /** Reads the file again now (the watcher does it within half a second of a change). */
  reload(): void {
    try {
      this.current = this.read();
      this.onReload?.(`${this.file} read again`);
    } catch (e) {
      this.onReload?.(`${(e as Error).message}; the previous version stays in force`);
    }
  }

  close(): void {
    unwatchFile(this.file);
  }

  private read(): T {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      throw this.unreadable(this.file, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    return this.parse(this.file, text);
  }
}
