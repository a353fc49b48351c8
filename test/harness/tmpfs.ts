import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real, small filesystem that fills up: a tmpfs of a given size, mounted on a fresh folder.
 * Mounting needs root (or CAP_SYS_ADMIN); CI runs as root. Where it is not permitted, tests that
 * need it say why (`tmpfsProbe.reason`) instead of running.
 */
export interface SmallDisk {
  dir: string;
  /** Takes every free byte of the disk with a file of its own (freed again by `free`). */
  fill(): number;
  free(): void;
  unmount(): void;
}

export function mountTmpfs(sizeBytes: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0755`, 'tmpfs', dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`mount -t tmpfs failed: ${stderr || (error as Error).message}`);
  }
  const filler = join(dir, 'filler');
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      let written = 0;
      try {
        // Big chunks, then ever smaller ones, down to one byte: not a byte left.
        for (let chunk = 1 << 20; chunk >= 1; chunk >>= 1) {
          const buffer = Buffer.alloc(chunk, 1);
          for (;;) {
            try {
              written += writeSync(fd, buffer);
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw error;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
      return written;
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      try {
        unlinkSync(filler);
      } catch {
        // Already freed.
      }
      execFileSync('umount', [dir], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether this machine lets the tests mount a tmpfs, and if not, why. */
export const tmpfsProbe: { ok: true } | { ok: false; reason: string } = (() => {
  try {
    mountTmpfs(1 << 20).unmount();
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      reason: `${(error as Error).message} (mounting needs root or CAP_SYS_ADMIN; CI runs as root)`,
    };
  }
})();
