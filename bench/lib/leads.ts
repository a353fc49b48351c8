/**
 * Leads shaped like marketing's: most fields set, a handful of campaigns, a unique externalId each
 * (so every request stores a new lead and none is a cheap duplicate).
 */

const CAMPAIGNS = [
  '2026-Q4 Webinar: Freight AI',
  'Trade show: LogiMAT 2026',
  'Paid search: route optimisation',
  'Newsletter November',
  'Partner referral programme',
];
const SOURCES = ['webinar', 'event', 'paid-search', 'email', 'referral'];

export function benchLead(runId: string, i: number) {
  return {
    externalId: `bench-${runId}-${i}`,
    email: `lead${i}.${runId}@acme-${i % 97}.example`,
    name: `Lead Number ${i}`,
    company: `Acme Logistics ${i % 113}`,
    title: 'VP Operations',
    phone: '+1 555 0100',
    country: 'US',
    campaign: CAMPAIGNS[i % CAMPAIGNS.length],
    source: SOURCES[i % SOURCES.length],
    score: i % 101,
    url: `https://crm.example.com/contacts/${i}`,
    notes: 'Asked about pricing for 50 seats',
    createdAt: '2026-11-20T14:03:00Z',
  };
}

/** `count` single-lead bodies, numbered from `from`. */
export function singleLeadBodies(runId: string, count: number, from = 0): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.from(JSON.stringify(benchLead(runId, from + i))));
}

/** `total` leads as bodies of `batch` leads each (the last may be smaller). */
export function batchBodies(runId: string, total: number, batch: number): Buffer[] {
  const bodies: Buffer[] = [];
  for (let from = 0; from < total; from += batch) {
    const size = Math.min(batch, total - from);
    bodies.push(
      Buffer.from(JSON.stringify(Array.from({ length: size }, (_, i) => benchLead(runId, from + i)))),
    );
  }
  return bodies;
}

let runs = 0;
/** A prefix that keeps externalIds unique across the runs of one bench process. */
export function newRunId(): string {
  runs += 1;
  return `${Date.now().toString(36)}${runs}`;
}
