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
