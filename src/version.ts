import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** package.json sits one level above this file in both src/ and dist/, as it ships. */
export const PACKAGE_JSON = fileURLToPath(new URL('../package.json', import.meta.url));

const packageSchema = z.object({ version: z.string().min(1) });

/** Leadloop's version, as its package.json states it (read when asked, not at import). */
export function leadloopVersion(path: string = PACKAGE_JSON): string {
  return packageSchema.parse(JSON.parse(readFileSync(path, 'utf8'))).version;
}

/**
 * The oldest Node.js major Leadloop runs on. better-sqlite3 13 needs 22: on Node 20 it does not
 * throw, it kills the process (SIGSEGV) at the first database opened, with no message at all.
 */
export const OLDEST_NODE_MAJOR = 22;

/** What to tell a person whose Node.js is too old to run Leadloop, or undefined when it is fine. */
export function unsupportedNode(version: string = process.versions.node): string | undefined {
  if (Number.parseInt(version, 10) >= OLDEST_NODE_MAJOR) return undefined;
  return (
    `Leadloop needs Node.js 22 or 24 (LTS); this is Node.js ${version}. Install one (nodejs.org, ` +
    '`nvm install 24`, or npm\'s `node` package: see "Try it" in the README) and run again.'
  );
}
