import type { BenchOptions } from './options.js';
import type { MeasureReport } from './report.js';

export interface BenchContext {
  options: BenchOptions;
  /** A progress line on stderr, so the report on stdout stays clean. */
  progress(message: string): void;
}

/** One measure: `npm run bench -- <name>` runs it. Add a file in measures/ and list it in measures/index.ts. */
export interface Measure {
  name: string;
  title: string;
  /** Part of a plain `npm run bench` (diagnostic measures may opt out). */
  byDefault: boolean;
  run(ctx: BenchContext): Promise<MeasureReport>;
}
