import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { z } from 'zod';

const families = z.array(
  z.object({
    name: z.string(),
    help: z.string(),
    type: z.string(),
    metrics: z.array(
      z.object({ value: z.string().optional(), labels: z.record(z.string(), z.string()).optional() }),
    ),
  }),
);

export type MetricFamilies = z.infer<typeof families>;

/** A /metrics page read as Prometheus reads it (a third-party parser of the text format). */
export class Scrape {
  constructor(readonly families: MetricFamilies) {}

  static parse(text: string): Scrape {
    return new Scrape(families.parse(parsePrometheusTextFormat(text)));
  }

  family(name: string) {
    return this.families.find((f) => f.name === name);
  }

  /** The sample of `name` whose labels include `labels`; 0 when none has been recorded yet. */
  value(name: string, labels: Record<string, string> = {}): number {
    const family = this.family(name);
    if (!family) throw new Error(`no metric ${name} on the page`);
    const sample = family.metrics.find((m) =>
      Object.entries(labels).every(([key, value]) => m.labels?.[key] === value),
    );
    return sample?.value === undefined ? 0 : Number(sample.value);
  }
}
