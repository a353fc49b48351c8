import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = resolve(BENCH_DIR, '..');
export const OUT_DIR = join(BENCH_DIR, 'out');
export const LOG_DIR = join(OUT_DIR, 'logs');
export const PROFILE_DIR = join(OUT_DIR, 'prof');
