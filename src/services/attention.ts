import type { Clock } from '../clock.js';
import type { LeadInput, LeadIssue } from '../domain/lead.js';
import { interpretBody, type LeadMapping, PROFILE_NAMES, type ProfileName } from '../intake/index.js';
import type { AttentionItem, AttentionStore } from '../storage/attention.js';
import type { IngestResult, Store } from '../storage/store.js';

/** What `leadloop attention retry` did with one item. */
export type RetryReport =
  | { id: number; outcome: 'stored'; results: IngestResult[] }
  | { id: number; outcome: 'already'; state: 'retried' | 'dropped'; leadId: number | null }
  | { id: number; outcome: 'missing' }
  | { id: number; outcome: 'still_failing'; reason: string; issues: LeadIssue[] };

export interface RetryDeps {
  store: Store;
  attention: AttentionStore;
  clock: Clock;
}

type Reading = { ok: true; leads: LeadInput[] } | { ok: false; reason: string; issues: LeadIssue[] };

function describe(issues: readonly LeadIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

/**
 * The item's body read again as POST /leads would read it now: the same ?profile= and
 * ?campaign= it came with, and the mapping and TIMEZONE of the current configuration.
 */
export function reread(item: AttentionItem, intake: { mapping: LeadMapping; timezone: string }): Reading {
  if (item.raw === '') {
    const message = 'its body was erased (RETENTION_DAYS), so it cannot be read again: drop it';
    return { ok: false, reason: message, issues: [{ index: 0, path: '(body)', message }] };
  }
  let body: unknown;
  try {
    body = JSON.parse(item.raw);
  } catch (error) {
    const message = `the stored body is not JSON (${(error as Error).message})`;
    return { ok: false, reason: message, issues: [{ index: 0, path: '(body)', message }] };
  }
  const profile = (PROFILE_NAMES as readonly string[]).includes(item.profileParam ?? '')
    ? (item.profileParam as ProfileName)
    : undefined;
  const interpretation = interpretBody(body, {
    ...intake,
    ...(profile === undefined ? {} : { profile }),
    ...(item.campaignParam === null ? {} : { campaign: item.campaignParam }),
  });
  if (interpretation.kind === 'native') {
    const { parse } = interpretation;
    return parse.ok ? parse : { ok: false, reason: describe(parse.issues), issues: parse.issues };
  }
  const failed = interpretation.items.find((i) => !i.ok);
  if (failed && !failed.ok) return { ok: false, reason: failed.reason, issues: failed.issues };
  return { ok: true, leads: interpretation.items.flatMap((i) => (i.ok ? [i.lead] : [])) };
}

/**
 * Retries each item: a body that now reads as lead(s) is stored (queued for posting) and the
 * item points at its lead, in one transaction; one that still cannot stays open with the reason
 * of now. Items no longer open are reported, not touched, so running it twice changes nothing.
 */
export function retryAttention(
  deps: RetryDeps,
  ids: readonly number[],
  intake: { mapping: LeadMapping; timezone: string },
): RetryReport[] {
  const { attention, store, clock } = deps;
  return [...new Set(ids)].map((id): RetryReport => {
    const item = attention.byId(id);
    if (!item) return { id, outcome: 'missing' };
    if (item.state !== 'open') return { id, outcome: 'already', state: item.state, leadId: item.leadId };
    const reading = reread(item, intake);
    if (!reading.ok) {
      attention.recordFailedRetry(id, reading.reason, reading.issues);
      return { id, outcome: 'still_failing', reason: reading.reason, issues: reading.issues };
    }
    const outcome = attention.retryWithLeads(store, id, reading.leads, clock.now());
    if (outcome.ok) return { id, outcome: 'stored', results: outcome.results };
    // Retried or dropped by another run between the read and the write.
    if (outcome.state === 'missing') return { id, outcome: 'missing' };
    return { id, outcome: 'already', state: outcome.state, leadId: outcome.leadId ?? null };
  });
}
