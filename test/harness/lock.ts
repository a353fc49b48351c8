import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * Another process holding the database's write lock (as a backup or an import would) for `ms`:
 * resolves once the lock is held; `released` once that process has let go and exited.
 */
export async function lockFromAnotherProcess(path: string, ms: number): Promise<{ released: Promise<void> }> {
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const script = `const D = require(${JSON.stringify(sqlite)}); const db = new D(${JSON.stringify(path)});
db.exec('BEGIN IMMEDIATE'); console.log('locked');
setTimeout(() => { db.exec('ROLLBACK'); db.close(); }, ${ms});`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return { released: exited };
}
