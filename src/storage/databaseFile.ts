import { statSync } from 'node:fs';
import { DatabaseGoneError } from '../errors.js';

/**
 * Whether the file at DATABASE_PATH is still the one this process has open. SQLite keeps
 * writing to a file deleted (or renamed over) under it, and every write succeeds: without this
 * check a lead would get its 202 and be stored where nothing will ever read it.
 */
export class DatabaseFile {
  private readonly opened: string | undefined;
  private found: string | undefined;
  /**
   * Set while the file was found in place during this turn of the event loop: every request of a
   * group commit checks before and after, and one stat a turn answers them all. The check was
   * never exact (the file can go right after it); a deletion is seen from the next turn on.
   */
  private presentThisTurn = false;

  /** Call right after opening the database, so that the file seen now is the one opened. */
  constructor(private readonly path: string) {
    this.opened = path === ':memory:' ? undefined : identity(path);
  }

  /** Undefined while all is well; otherwise what happened and what to do (once gone, always gone). */
  problem(): string | undefined {
    if (this.opened === undefined || this.found !== undefined || this.presentThisTurn) return this.found;
    let now: string | undefined;
    try {
      now = identity(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (now === this.opened) {
      this.presentThisTurn = true;
      setImmediate(() => {
        this.presentThisTurn = false;
      });
      return undefined;
    }
    this.found =
      now === undefined
        ? `The database file ${this.path} was deleted while Leadloop was running, so nothing it receives can be kept: it answers 503 until it is restarted. Stop Leadloop, restore the last backup (leadloop restore <backup file>) and start it again.`
        : `The database file ${this.path} was replaced while Leadloop was running (a restore or a copy over it), so what it stores now would be lost: it answers 503 until it is restarted. Restart Leadloop to use the new file.`;
    return this.found;
  }

  /** Throws DatabaseGoneError when the file is not the one open. */
  assertPresent(): void {
    const problem = this.problem();
    if (problem !== undefined) throw new DatabaseGoneError(problem);
  }
}

function identity(path: string): string {
  const s = statSync(path, { bigint: true });
  return `${s.dev}:${s.ino}`;
}
