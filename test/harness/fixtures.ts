import { leadInputSchema } from '../../src/domain/lead.js';
import type { HistoricalLead } from '../../src/storage/store.js';

/**
 * Hand-built lead histories for stats tests, loaded with Store.insertHistory: each lead already
 * posted at a chosen instant, with its decisions given as offsets from that post, so a test can
 * state its expected times to decision and SLA breaches in plain arithmetic.
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const FIXTURE_CHANNEL = 'C0LEADS001';

/** An ISO time written with its offset, so each fixture states its local time explicitly. */
export function at(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad fixture time ${iso}`);
  return ms;
}

export interface FixtureDecision {
  user: string;
  verdict: 'accept' | 'reject';
  /** ms after the post. */
  after: number;
  reason?: string;
  note?: string;
  /** ms after the post when the decision was retracted (its reaction removed). */
  retractedAfter?: number;
  source?: 'reaction' | 'button';
}

export interface FixtureLead {
  campaign: string;
  postedAt: number;
  name?: string;
  email?: string;
  company?: string;
  source?: string;
  decisions?: FixtureDecision[];
  channel?: string;
}

let sequence = 0;

/** One lead as insertHistory takes it; the lead itself goes through the ingest schema. */
export function historicalLead(f: FixtureLead): HistoricalLead {
  sequence += 1;
  const lead = leadInputSchema.parse({
    name: f.name ?? (f.email ? undefined : `Lead ${sequence}`),
    email: f.email,
    company: f.company,
    campaign: f.campaign,
    source: f.source,
  });
  return {
    lead,
    receivedAt: f.postedAt - MINUTE,
    postedAt: f.postedAt,
    channel: f.channel ?? FIXTURE_CHANNEL,
    // Unique per post (the store keys posts on channel + ts), shaped like Slack's ts.
    ts: `${Math.floor(f.postedAt / 1000)}.${String(sequence).padStart(6, '0')}`,
    decisions: (f.decisions ?? []).map((d) => {
      const source = d.source ?? 'reaction';
      return {
        userId: d.user,
        verdict: d.verdict,
        source,
        reaction: source === 'reaction' ? (d.verdict === 'accept' ? 'white_check_mark' : 'x') : undefined,
        reason: d.reason,
        note: d.note,
        decidedAt: f.postedAt + d.after,
        retractedAt: d.retractedAfter === undefined ? undefined : f.postedAt + d.retractedAfter,
      };
    }),
  };
}

export const historicalLeads = (leads: readonly FixtureLead[]): HistoricalLead[] => leads.map(historicalLead);
