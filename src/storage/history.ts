import { sql } from 'drizzle-orm';
import type { LeadInput } from '../domain/lead.js';
import type { ImportedOutcome } from '../domain/outcome.js';
import { decisions } from './schema.js';
import type { IngestResult, LeadPlacement, Store } from './store.js';

/**
 * Leads imported as history (`leadloop import --history`): last quarter's leads, stored so that
 * /leadstats and the digest have a baseline, and never posted.
 *
 * - The lead is stored as any import stores it (same campaign and duplicate rules), but in place:
 *   `post_status = 'history'`, no place in the posting queue, and a post time (`posted_at`, what
 *   stats select cohorts by) that is the lead's created time.
 * - An outcome from the file is one decision, `source = 'import'`, by the pseudo-user
 *   IMPORT_DECIDER, at the post time: a CRM export does not say when sales decided. The lead's
 *   `first_decided_at` stays empty, so imported outcomes count in rates and reasons but not in
 *   time-to-decision medians or SLA breaches, and the reps view leaves IMPORT_DECIDER out.
 * - A lead without an outcome is pending, as it was in the CRM.
 */

export const IMPORT_DECIDER = 'import';

export interface HistoryLeadInput {
  lead: LeadInput;
  outcome?: ImportedOutcome | undefined;
}

export class HistoryStore {
  private readonly queries: ReturnType<typeof prepareQueries>;

  constructor(private readonly store: Store) {
    this.queries = prepareQueries(store);
  }

  /** All of them or none, in one transaction; duplicates (same externalId) are skipped as by any import. */
  insertImported(
    items: readonly HistoryLeadInput[],
    receivedAt: number,
    onProgress?: (done: number) => void,
  ): IngestResult[] {
    const q = this.queries;
    const postedAt = (index: number) => items[index]?.lead.createdAt?.getTime() ?? receivedAt;
    return this.store.db.transaction(
      () => {
        // Stored in place: one insert per lead, never in the posting queue. With one decision
        // at most, the decision is the lead's state (what deriveLeadState makes of it).
        const results = this.store.insertLeads(
          items.map((i) => i.lead),
          receivedAt,
          onProgress,
          (index): LeadPlacement => {
            const outcome = items[index]?.outcome;
            return {
              postStatus: 'history',
              postNextAt: null,
              postedAt: postedAt(index),
              state: outcome ? (outcome.verdict === 'accept' ? 'accepted' : 'rejected') : 'pending',
              stateBy: outcome ? IMPORT_DECIDER : null,
              stateAt: outcome ? postedAt(index) : null,
              stateReason: outcome?.reason ?? null,
            };
          },
        );
        results.forEach((result, index) => {
          const outcome = items[index]?.outcome;
          if (result.status !== 'queued' || !outcome) return;
          q.insertDecision.run({
            leadId: Number(result.id),
            userId: IMPORT_DECIDER,
            verdict: outcome.verdict,
            reason: outcome.reason ?? null,
            note: outcome.note ?? null,
            decidedAt: postedAt(index),
            leadPostedAt: postedAt(index),
          });
        });
        return results;
      },
      { behavior: 'immediate' },
    );
  }
}

function prepareQueries(store: Store) {
  const p = (name: string) => sql.placeholder(name);
  return {
    insertDecision: store.db
      .insert(decisions)
      .values({
        leadId: p('leadId'),
        userId: p('userId'),
        verdict: p('verdict'),
        source: 'import',
        reason: p('reason'),
        note: p('note'),
        decidedAt: p('decidedAt'),
        leadPostedAt: p('leadPostedAt'),
      })
      .prepare(),
  };
}
