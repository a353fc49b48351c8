import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';

/**
 * File permissions do not bind root, and CI machines may run tests as root. Tests about files a
 * user cannot write run their subject as an unprivileged user instead: as `nobody` (uid 65534)
 * when the tests run as root, as the current user otherwise.
 */
export const NOBODY = 65_534;
export const runsAsRoot = process.getuid?.() === 0;

const TSX = import.meta.resolve('tsx');

/**
 * Whether that user can run this checkout's code: always for a non-root user; for nobody, only
 * when every folder above the checkout lets others in (a clone under /root does not).
 */
export const canRunUnprivileged: boolean = (() => {
  if (!runsAsRoot) return true;
  try {
    execFileSync(
      process.execPath,
      ['-e', `require('fs').accessSync(${JSON.stringify(new URL(TSX).pathname)})`],
      {
        uid: NOBODY,
        gid: NOBODY,
        stdio: 'ignore',
      },
    );
    return true;
  } catch {
    return false;
  }
})();

/** spawn/execFile options that drop root, and nothing otherwise. */
export function unprivileged(): { uid?: number; gid?: number } {
  return runsAsRoot ? { uid: NOBODY, gid: NOBODY } : {};
}

/** Lets that user into a folder the tests made (mkdtemp makes them private to their owner). */
export function openFolder(dir: string): void {
  chmodSync(dir, 0o755);
}

/**
 * Calls `exportName(...args)` of a TypeScript module in a child process as that user, and
 * returns what it returned (through JSON).
 */
export function callAsUnprivileged(moduleUrl: URL, exportName: string, args: unknown[]): unknown {
  const script = `const m = await import(${JSON.stringify(moduleUrl.href)});
process.stdout.write(JSON.stringify(await m[${JSON.stringify(exportName)}](...${JSON.stringify(args)})));`;
  const out = execFileSync(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
    ...unprivileged(),
  });
  return JSON.parse(out);
}
