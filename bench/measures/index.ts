import type { Measure } from '../lib/context.js';
import { beforeAfter } from './beforeAfter.js';
import { breakdown } from './breakdown.js';
import { csvImport } from './csvImport.js';
import { digest } from './digest.js';
import { ingest } from './ingest.js';
import { latency } from './latency.js';
import { memory } from './memory.js';
import { reactions } from './reactions.js';
import { stats } from './stats.js';

/** Every measure, in the order a plain `npm run bench` runs them. Later issues add theirs here. */
export const MEASURES: readonly Measure[] = [
  ingest,
  memory,
  latency,
  breakdown,
  reactions,
  stats,
  digest,
  csvImport,
  beforeAfter,
];
