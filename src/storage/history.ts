import { eq, sql } from 'drizzle-orm';
import type { LeadInput } from '../domain/lead.js';
import type { ImportedOutcome } from '../domain/outcome.js';
import { decisions, leads } from './schema.js';
import type { IngestResult, Store } from './store.js';

/**
 * Leads imported as history (`leadloop import --history`): last quarter's leads, stored so that
 * /leadstats and the digest have a baseline, and never posted.
 *
 * - The lead is stored as any import stores it (same campaign and duplicate rules), then marked
 *   `post_status = 'history'` with no place in the posting queue; its post time (`posted_at`, what
 *   stats select cohorts by) is the lead's created time.
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
    return this.store.db.transaction(
      () => {
        const results = this.store.insertLeads(
          items.map((i) => i.lead),
          receivedAt,
          onProgress,
        );
        results.forEach((result, index) => {
          if (result.status !== 'queued') return;
          const item = items[index] as HistoryLeadInput;
          const leadId = Number(result.id);
          const postedAt = item.lead.createdAt?.getTime() ?? receivedAt;
          const outcome = item.outcome;
          // One decision at most: it is the lead's state (what deriveLeadState makes of a single decision).
          q.markHistory.run({
            id: leadId,
            postedAt,
            state: outcome ? (outcome.verdict === 'accept' ? 'accepted' : 'rejected') : 'pending',
            stateBy: outcome ? IMPORT_DECIDER : null,
            stateAt: outcome ? postedAt : null,
            stateReason: outcome?.reason ?? null,
          });
          if (outcome) {
            q.insertDecision.run({
              leadId,
              userId: IMPORT_DECIDER,
              verdict: outcome.verdict,
              reason: outcome.reason ?? null,
              note: outcome.note ?? null,
              decidedAt: postedAt,
              leadPostedAt: postedAt,
            });
          }
        });
        return results;
      },
      { behavior: 'immediate' },
    );
  }
}

function prepareQueries(store: Store) {
  const p = (name: string) => sql.placeholder(name);
  const { db } = store;
  return {
    insertDecision: db
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
    // Before the decision, so that the decision is written with its lead's post time (no trigger fix-up).
    markHistory: db
      .update(leads)
      .set({
        postStatus: 'history',
        postNextAt: null,
        postedAt: sql`${p('postedAt')}`,
        state: sql`${p('state')}`,
        stateBy: sql`${p('stateBy')}`,
        stateAt: sql`${p('stateAt')}`,
        stateReason: sql`${p('stateReason')}`,
      })
      .where(eq(leads.id, sql`${p('id')}`))
      .prepare(),
  };
}
