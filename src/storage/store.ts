import { and, asc, desc, eq, gte, isNotNull, isNull, lt, lte, min, sql } from 'drizzle-orm';
import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core';
import type { Timers } from '../clock.js';
import { deriveLeadState, type Verdict } from '../domain/decision.js';
import { campaignKey, type LeadInput } from '../domain/lead.js';
import type { StorageStatus } from './availability.js';
import type { Db } from './db.js';
import { GroupCommit } from './groupCommit.js';
import {
  campaigns,
  type DecisionRow,
  decisions,
  leads,
  type PostStatus,
  slackEvents,
  userNotices,
} from './schema.js';

/**
 * All SQL lives here, behind functions named for what the caller means. Callers pass times in
 * (no function reads the clock), so tests decide what "now" is.
 */

export type IngestStatus = 'queued' | 'duplicate';
export interface IngestResult {
  id: string;
  status: IngestStatus;
}

/** Everything a lead post shows, plus the posting bookkeeping. */
export interface LeadForPost {
  id: number;
  email: string | null;
  name: string | null;
  company: string | null;
  title: string | null;
  phone: string | null;
  country: string | null;
  campaign: string;
  source: string | null;
  score: number | null;
  url: string | null;
  notes: string | null;
  createdAt: number;
  postAttempts: number;
  postStartedAt: number | null;
}

export interface DueLead extends LeadForPost {
  postStatus: PostStatus;
}

const leadForPostColumns = {
  id: leads.id,
  email: leads.email,
  name: leads.name,
  company: leads.company,
  title: leads.title,
  phone: leads.phone,
  country: leads.country,
  campaign: campaigns.name,
  source: leads.source,
  score: leads.score,
  url: leads.url,
  notes: leads.notes,
  createdAt: leads.createdAt,
  postAttempts: leads.postAttempts,
  postStartedAt: leads.postStartedAt,
};

export class Store {
  private readonly ingestQueries: ReturnType<typeof prepareIngestQueries>;
  private readonly historyQueries: ReturnType<typeof prepareHistoryQueries>;
  private readonly decisionQueries: ReturnType<typeof prepareDecisionQueries>;
  private readonly commits: GroupCommit;

  constructor(
    readonly db: Db,
    options: { timers?: Timers; status?: StorageStatus } = {},
  ) {
    this.commits = new GroupCommit(db.$client, options);
    this.ingestQueries = prepareIngestQueries(db);
    this.historyQueries = prepareHistoryQueries(db);
    this.decisionQueries = prepareDecisionQueries(db);
  }

  /**
   * Stores a validated batch in one transaction: all of it or none of it. A lead whose
   * externalId was stored before (or earlier in this batch) is reported as a duplicate of the
   * stored lead and not stored again. New leads join the posting queue at once, unless
   * `placement` (by index in `inputs`) puts them elsewhere (history imports).
   */
  insertLeads(
    inputs: readonly LeadInput[],
    receivedAt: number,
    onProgress?: (done: number) => void,
    placement?: (index: number) => LeadPlacement,
  ): IngestResult[] {
    return this.db.transaction(() => this.insertBatch(inputs, receivedAt, onProgress, placement), {
      behavior: 'immediate',
    });
  }

  /**
   * Several independent batches (concurrent POST /leads requests) in one transaction: one commit,
   * one fsync, for all of them. Each batch gets its own results, as if stored alone.
   */
  insertLeadBatches(batches: readonly (readonly LeadInput[])[], receivedAt: number): IngestResult[][] {
    return this.db.transaction(() => batches.map((batch) => this.insertBatch(batch, receivedAt)), {
      behavior: 'immediate',
    });
  }

  /** Must run inside a transaction. */
  private insertBatch(
    inputs: readonly LeadFields[],
    receivedAt: number,
    onProgress?: (done: number) => void,
    placement?: (index: number) => LeadPlacement,
  ): IngestResult[] {
    const q = this.ingestQueries;
    const campaignIds = new Map<string, number>();
    const batchIds = new Map<string, number>();
    const results: IngestResult[] = [];
    const queued: LeadPlacement = { ...QUEUED, postNextAt: receivedAt };
    for (const [index, lead] of inputs.entries()) {
      if (onProgress && results.length > 0 && results.length % 1000 === 0) onProgress(results.length);
      const externalId = lead.externalId ?? null;
      if (externalId !== null) {
        const prior = batchIds.get(externalId) ?? q.leadIdByExternalId.get({ externalId })?.id;
        if (prior !== undefined) {
          results.push({ id: String(prior), status: 'duplicate' });
          continue;
        }
      }
      const key = campaignKey(lead.campaign);
      let campaignId = campaignIds.get(key);
      if (campaignId === undefined) {
        campaignId =
          q.campaignIdByKey.get({ key })?.id ??
          (q.insertCampaign.get({ key, name: lead.campaign, createdAt: receivedAt }) as { id: number }).id;
        campaignIds.set(key, campaignId);
      }
      const { id } = q.insertLead.get({
        externalId,
        email: lead.email ?? null,
        name: lead.name ?? null,
        company: lead.company ?? null,
        title: lead.title ?? null,
        phone: lead.phone ?? null,
        country: lead.country ?? null,
        campaignId,
        source: lead.source ?? null,
        score: lead.score ?? null,
        url: lead.url ?? null,
        notes: lead.notes ?? null,
        createdAt: lead.createdAt?.getTime() ?? receivedAt,
        receivedAt,
        ...(placement ? placement(index) : queued),
      }) as { id: number };
      if (externalId !== null) batchIds.set(externalId, id);
      results.push({ id: String(id), status: 'queued' });
    }
    return results;
  }

  /**
   * Loads leads that were already posted and decided (generated demo and bench data, or a
   * migration from another tool): each lead with its post and its decision history, the state
   * derived as for live decisions. One transaction per call.
   */
  insertHistory(items: readonly HistoricalLead[]): number[] {
    const q = this.historyQueries;
    return this.db.transaction(
      () => {
        const [first] = items;
        if (!first) return [];
        const ids = this.insertBatch(
          items.map((i) => i.lead),
          first.receivedAt,
        ).map((r) => Number(r.id));
        items.forEach((item, index) => {
          const leadId = ids[index] as number;
          const history = item.decisions.map((d) => {
            const values = {
              leadId,
              userId: d.userId,
              verdict: d.verdict,
              source: d.source ?? 'reaction',
              reaction: d.reaction ?? null,
              reason: d.reason ?? null,
              note: d.note ?? null,
              decidedAt: d.decidedAt,
              retractedAt: d.retractedAt ?? null,
            };
            return this.decisionQueries.insertDecision.get(values) as DecisionRow;
          });
          const derived = deriveLeadState(history);
          q.markHistoricalPost.run({
            id: leadId,
            receivedAt: item.receivedAt,
            channel: item.channel,
            ts: item.ts,
            postedAt: item.postedAt,
            state: derived.state,
            stateBy: derived.winner?.userId ?? null,
            stateAt: derived.winner?.decidedAt ?? null,
            stateReason: derived.winner?.reason ?? null,
            firstDecidedAt: derived.firstDecidedAt ?? null,
          });
        });
        return ids;
      },
      { behavior: 'immediate' },
    );
  }

  /** Leads not yet posted (queued or in doubt). Reading it doubles as the health check. */
  queueDepth(): number {
    return (
      this.db.select({ n: sql<number>`count(*)` }).from(leads).where(isNotNull(leads.postNextAt)).get()?.n ??
      0
    );
  }

  /**
   * The lead whose next step is due soonest, if one is due: a queued lead to post, or a post in
   * doubt (status 'posting') to look for in the channel history before posting it again.
   */
  nextDueLead(now: number): DueLead | undefined {
    return this.db
      .select({ ...leadForPostColumns, postStatus: leads.postStatus })
      .from(leads)
      .innerJoin(campaigns, eq(campaigns.id, leads.campaignId))
      .where(lte(leads.postNextAt, now))
      .orderBy(asc(leads.postNextAt), asc(leads.id))
      .limit(1)
      .get();
  }

  /** When the earliest lead in the posting queue becomes due, for the poster's timer. */
  nextPostDueAt(): number | undefined {
    return (
      this.db
        .select({ at: min(leads.postNextAt) })
        .from(leads)
        .where(isNotNull(leads.postNextAt))
        .get()?.at ?? undefined
    );
  }

  /**
   * Recorded before chat.postMessage is sent, so a crash mid-send leaves the lead in doubt, not
   * lost and not silently re-sent. `checkAt` is when to look for it in history if nothing is
   * recorded by then.
   */
  markPosting(id: number, now: number, checkAt: number): void {
    this.updateLead(id, {
      postStatus: 'posting',
      postStartedAt: now,
      postNextAt: checkAt,
      postAttempts: sql`${leads.postAttempts} + 1`,
    });
  }

  /** The send's outcome is unknown (timeout, 5xx): stay in doubt, check history at `checkAt`. */
  markInDoubt(id: number, checkAt: number, error: string): void {
    this.updateLead(id, { postStatus: 'posting', postNextAt: checkAt, postError: error });
  }

  markPosted(id: number, post: { channel: string; ts: string; postedAt: number }): void {
    this.updateLead(id, {
      postStatus: 'posted',
      postChannel: post.channel,
      postTs: post.ts,
      postedAt: post.postedAt,
      postNextAt: null,
      postError: null,
    });
  }

  /** Back to the queue, to be tried again no earlier than `nextAt`. */
  markPostRetry(id: number, nextAt: number, error: string): void {
    this.updateLead(id, { postStatus: 'queued', postNextAt: nextAt, postError: error });
  }

  /** Slack refused this lead's content itself: retrying cannot help, and must not block the queue. */
  markPostFailed(id: number, error: string): void {
    this.updateLead(id, { postStatus: 'failed', postNextAt: null, postError: error });
  }

  private updateLead(id: number, values: SQLiteUpdateSetSource<typeof leads>): void {
    this.db.update(leads).set(values).where(eq(leads.id, id)).run();
  }

  leadById(id: number) {
    return this.decisionQueries.leadById.get({ id });
  }

  /**
   * Runs `work` (calls of this store's write methods) in a transaction shared with all the work
   * submitted in the same event-loop turn: one commit for a burst of Slack events. Resolves
   * after that commit.
   */
  soon<T>(work: (store: this) => T): Promise<T> {
    return this.commits.run(() => work(this));
  }

  /** The lead whose post is this message, if it is a lead post. */
  leadByPost(channel: string, ts: string): { id: number; postedAt: number | null } | undefined {
    return this.decisionQueries.leadByPost.get({ channel, ts });
  }

  /**
   * Records that a Slack event was handled, inside the caller's transaction. False when it was
   * seen before: Slack redelivers with the same event_id, and the effect must happen once.
   */
  private claimEvent(eventId: string | undefined, now: number): boolean {
    if (eventId === undefined) return true;
    return this.decisionQueries.claimEvent.get({ eventId, receivedAt: now }) !== undefined;
  }

  /** Recomputes the lead's state from its history and bumps the post version when it changed. */
  private refreshState(leadId: number): LeadDecisions {
    const history = this.decisionQueries.historyOf.all({ leadId });
    const derived = deriveLeadState(history);
    this.decisionQueries.updateState.run({
      id: leadId,
      state: derived.state,
      stateBy: derived.winner?.userId ?? null,
      stateAt: derived.winner?.decidedAt ?? null,
      stateReason: derived.winner?.reason ?? null,
      firstDecidedAt: derived.firstDecidedAt ?? null,
    });
    return { ...derived, history };
  }

  /**
   * Records one decision and the lead's new state in one transaction.
   * - A decision by reaction is a new decision (each reaction can be retracted alone), unless
   *   that user's same reaction already stands.
   * - A decision by button that repeats the rep's standing verdict changes nothing (a double
   *   click), except that a reject given a reason fills in a standing reject that had none.
   * Returns undefined when the event was handled before.
   */
  recordDecision(input: NewDecision): DecisionOutcome | undefined {
    return this.db.transaction(
      (tx) => {
        if (!this.claimEvent(input.eventId, input.decidedAt)) return undefined;
        const mine = this.standingOf(input.leadId, input.userId);
        if (input.reaction !== undefined) {
          // One user cannot react twice with one emoji: the same reaction seen again (reconcile
          // after a late event, or the other way round) is the same decision.
          const same = this.standingReaction(input.leadId, input.userId, input.reaction);
          if (same)
            return { changed: false, inserted: false, decision: same, ...this.currentState(input.leadId) };
        } else if (mine && mine.verdict === input.verdict) {
          const sameReason =
            input.reason === undefined ||
            (mine.reason === input.reason && (input.note ?? null) === mine.note);
          if (sameReason)
            return { changed: false, inserted: false, decision: mine, ...this.currentState(input.leadId) };
          if (input.verdict === 'reject' && mine.reason === null) {
            tx.update(decisions)
              .set({ reason: input.reason ?? null, note: input.note ?? null })
              .where(eq(decisions.id, mine.id))
              .run();
            const state = this.refreshState(input.leadId);
            return {
              changed: true,
              inserted: false,
              decision: { ...mine, reason: input.reason ?? null, note: input.note ?? null },
              ...state,
            };
          }
        }
        const decision = this.decisionQueries.insertDecision.get({
          leadId: input.leadId,
          userId: input.userId,
          verdict: input.verdict,
          source: input.source,
          reaction: input.reaction ?? null,
          reason: input.reason ?? null,
          note: input.note ?? null,
          decidedAt: input.decidedAt,
          retractedAt: null,
        }) as DecisionRow;
        return { changed: true, inserted: true, decision, ...this.refreshState(input.leadId) };
      },
      { behavior: 'immediate' },
    );
  }

  /**
   * A reaction was removed: the rep's latest standing decision made with that emoji, if made at
   * or before the removal, no longer stands. Returns undefined for a repeated event,
   * `changed: false` when nothing stood. With `waitIfNothingStands`, a removal that finds nothing
   * is not consumed (`waiting: true`): its reaction may still be on its way (Slack does not keep
   * order), and the caller keeps it to apply once that arrives.
   */
  retractReaction(input: {
    leadId: number;
    userId: string;
    reaction: string;
    at: number;
    eventId?: string;
    waitIfNothingStands?: boolean;
  }):
    | (LeadDecisions & { changed: boolean; retracted: DecisionRow | undefined; waiting?: boolean })
    | undefined {
    return this.db.transaction(
      (tx) => {
        const standing = this.standingReaction(input.leadId, input.userId, input.reaction);
        if (!standing && input.waitIfNothingStands) {
          if (input.eventId !== undefined && this.eventSeen(input.eventId)) return undefined;
          return { changed: false, retracted: undefined, waiting: true, ...this.currentState(input.leadId) };
        }
        if (!this.claimEvent(input.eventId, input.at)) return undefined;
        // From Slack (waiting allowed), a reaction given after this removal is a new one: the
        // removal is not about it.
        const target =
          standing && (!input.waitIfNothingStands || standing.decidedAt <= input.at) ? standing : undefined;
        if (!target) return { changed: false, retracted: undefined, ...this.currentState(input.leadId) };
        tx.update(decisions).set({ retractedAt: input.at }).where(eq(decisions.id, target.id)).run();
        return {
          changed: true,
          retracted: { ...target, retractedAt: input.at },
          ...this.refreshState(input.leadId),
        };
      },
      { behavior: 'immediate' },
    );
  }

  private eventSeen(eventId: string): boolean {
    return this.decisionQueries.eventSeen.get({ eventId }) !== undefined;
  }

  /**
   * A reason given after a reject (from the ephemeral prompt, the DM or its modal) attaches to
   * the rep's standing reject. Undefined when the rep has no standing reject any more.
   */
  attachReason(input: { leadId: number; userId: string; reason: string; note: string | null }) {
    return this.db.transaction(
      (tx) => {
        const mine = this.standingOf(input.leadId, input.userId);
        if (mine?.verdict !== 'reject') return undefined;
        if (mine.reason === input.reason && mine.note === input.note) {
          return { changed: false, decision: mine, ...this.currentState(input.leadId) };
        }
        tx.update(decisions)
          .set({ reason: input.reason, note: input.note })
          .where(eq(decisions.id, mine.id))
          .run();
        return {
          changed: true,
          decision: { ...mine, reason: input.reason, note: input.note },
          ...this.refreshState(input.leadId),
        };
      },
      { behavior: 'immediate' },
    );
  }

  /** The rep's latest standing decision on a lead made with this reaction. */
  private standingReaction(leadId: number, userId: string, reaction: string): DecisionRow | undefined {
    return this.decisionQueries.standingReaction.get({ leadId, userId, reaction });
  }

  /** The rep's latest standing decision on a lead. */
  private standingOf(leadId: number, userId: string): DecisionRow | undefined {
    return this.decisionQueries.standingOf.get({ leadId, userId });
  }

  private currentState(leadId: number): LeadDecisions {
    const history = this.decisionQueries.historyOf.all({ leadId });
    return { ...deriveLeadState(history), history };
  }

  /** The lead's decisions and derived state, for rendering its post. */
  leadDecisions(leadId: number): LeadDecisions {
    return this.currentState(leadId);
  }

  /** Standing decisions by reaction on a lead, for reconciliation against reactions.get. */
  standingReactions(leadId: number): DecisionRow[] {
    return this.db
      .select()
      .from(decisions)
      .where(and(eq(decisions.leadId, leadId), isNotNull(decisions.reaction), isNull(decisions.retractedAt)))
      .all();
  }

  /** Posted leads whose post was made at or after `since`, oldest first. */
  postedLeadsSince(since: number): { id: number; channel: string; ts: string; postedAt: number }[] {
    return this.db
      .select({ id: leads.id, channel: leads.postChannel, ts: leads.postTs, postedAt: leads.postedAt })
      .from(leads)
      .where(and(eq(leads.postStatus, 'posted'), gte(leads.postedAt, since)))
      .orderBy(asc(leads.postedAt))
      .all()
      .filter((r): r is { id: number; channel: string; ts: string; postedAt: number } =>
        Boolean(r.channel && r.ts && r.postedAt !== null),
      );
  }

  /** True the first time (lead, user, kind) is noted; false after. */
  noteOnce(leadId: number, userId: string, kind: string, now: number): boolean {
    return (
      this.db
        .insert(userNotices)
        .values({ leadId, userId, kind, sentAt: now })
        .onConflictDoNothing()
        .returning({ leadId: userNotices.leadId })
        .get() !== undefined
    );
  }

  /** Forgets handled event ids older than `before`; Slack stops retrying after about 5 minutes. */
  pruneSlackEvents(before: number): number {
    return this.db.delete(slackEvents).where(lt(slackEvents.receivedAt, before)).run().changes;
  }

  /** A lead post that shows an older state than the lead has, if any. */
  nextPostToRender(): PostToRender | undefined {
    return this.db
      .select({
        ...leadForPostColumns,
        channel: leads.postChannel,
        ts: leads.postTs,
        postedAt: leads.postedAt,
        postVersion: leads.postVersion,
      })
      .from(leads)
      .innerJoin(campaigns, eq(campaigns.id, leads.campaignId))
      .where(sql`${leads.postVersion} > ${leads.postRenderedVersion} AND ${leads.postStatus} = 'posted'`)
      .orderBy(asc(leads.id))
      .limit(1)
      .get() as PostToRender | undefined;
  }

  /** The post now shows `version` (or a later edit will show a newer one). */
  markRendered(id: number, version: number): void {
    this.updateLead(id, { postRenderedVersion: sql`max(${leads.postRenderedVersion}, ${version})` });
  }
}

/**
 * Ingest is the hot path (HTTP at thousands a second, imports of 100k rows): its statements
 * are prepared once instead of being built per row.
 */
function prepareIngestQueries(db: Db) {
  return {
    leadIdByExternalId: db
      .select({ id: leads.id })
      .from(leads)
      .where(eq(leads.externalId, sql.placeholder('externalId')))
      .prepare(),
    campaignIdByKey: db
      .select({ id: campaigns.id })
      .from(campaigns)
      .where(eq(campaigns.key, sql.placeholder('key')))
      .prepare(),
    insertCampaign: db
      .insert(campaigns)
      .values({
        key: sql.placeholder('key'),
        name: sql.placeholder('name'),
        createdAt: sql.placeholder('createdAt'),
      })
      .returning({ id: campaigns.id })
      .prepare(),
    insertLead: db
      .insert(leads)
      .values({
        externalId: sql.placeholder('externalId'),
        email: sql.placeholder('email'),
        name: sql.placeholder('name'),
        company: sql.placeholder('company'),
        title: sql.placeholder('title'),
        phone: sql.placeholder('phone'),
        country: sql.placeholder('country'),
        campaignId: sql.placeholder('campaignId'),
        source: sql.placeholder('source'),
        score: sql.placeholder('score'),
        url: sql.placeholder('url'),
        notes: sql.placeholder('notes'),
        createdAt: sql.placeholder('createdAt'),
        receivedAt: sql.placeholder('receivedAt'),
        postStatus: sql.placeholder('postStatus'),
        postNextAt: sql.placeholder('postNextAt'),
        postedAt: sql.placeholder('postedAt'),
        state: sql.placeholder('state'),
        stateBy: sql.placeholder('stateBy'),
        stateAt: sql.placeholder('stateAt'),
        stateReason: sql.placeholder('stateReason'),
      })
      .returning({ id: leads.id })
      .prepare(),
  };
}

/** The reaction and click path: hundreds of decisions a second at peak, each a few statements. */
function prepareDecisionQueries(db: Db) {
  const p = (name: string) => sql.placeholder(name);
  const latestFirst = [desc(decisions.decidedAt), desc(decisions.id)] as const;
  return {
    leadById: db
      .select()
      .from(leads)
      .where(eq(leads.id, p('id')))
      .prepare(),
    leadByPost: db
      .select({ id: leads.id, postedAt: leads.postedAt })
      .from(leads)
      .where(and(eq(leads.postChannel, p('channel')), eq(leads.postTs, p('ts'))))
      .prepare(),
    eventSeen: db
      .select({ eventId: slackEvents.eventId })
      .from(slackEvents)
      .where(eq(slackEvents.eventId, p('eventId')))
      .prepare(),
    claimEvent: db
      .insert(slackEvents)
      .values({ eventId: p('eventId'), receivedAt: p('receivedAt') })
      .onConflictDoNothing()
      .returning({ eventId: slackEvents.eventId })
      .prepare(),
    historyOf: db
      .select()
      .from(decisions)
      .where(eq(decisions.leadId, p('leadId')))
      .prepare(),
    standingOf: db
      .select()
      .from(decisions)
      .where(
        and(
          eq(decisions.leadId, p('leadId')),
          eq(decisions.userId, p('userId')),
          isNull(decisions.retractedAt),
        ),
      )
      .orderBy(...latestFirst)
      .limit(1)
      .prepare(),
    standingReaction: db
      .select()
      .from(decisions)
      .where(
        and(
          eq(decisions.leadId, p('leadId')),
          eq(decisions.userId, p('userId')),
          eq(decisions.reaction, p('reaction')),
          isNull(decisions.retractedAt),
        ),
      )
      .orderBy(...latestFirst)
      .limit(1)
      .prepare(),
    insertDecision: db
      .insert(decisions)
      .values({
        leadId: p('leadId'),
        userId: p('userId'),
        verdict: p('verdict'),
        source: p('source'),
        reaction: p('reaction'),
        reason: p('reason'),
        note: p('note'),
        decidedAt: p('decidedAt'),
        retractedAt: p('retractedAt'),
        leadPostedAt: sql`(SELECT ${sql.identifier('posted_at')} FROM ${leads} WHERE ${sql.identifier('id')} = ${p('leadId')})`,
      })
      .returning()
      .prepare(),
    updateState: db
      .update(leads)
      .set({
        state: sql`${p('state')}`,
        stateBy: sql`${p('stateBy')}`,
        stateAt: sql`${p('stateAt')}`,
        stateReason: sql`${p('stateReason')}`,
        firstDecidedAt: sql`${p('firstDecidedAt')}`,
        postVersion: sql`${leads.postVersion} + 1`,
      })
      .where(eq(leads.id, sql`${p('id')}`))
      .prepare(),
  };
}

/** Bulk loads of history (demo and bench data) insert hundreds of thousands of rows. */
function prepareHistoryQueries(db: Db) {
  const p = (name: string) => sql.placeholder(name);
  return {
    markHistoricalPost: db
      .update(leads)
      .set({
        receivedAt: sql`${p('receivedAt')}`,
        postStatus: 'posted',
        postNextAt: null,
        postChannel: sql`${p('channel')}`,
        postTs: sql`${p('ts')}`,
        postedAt: sql`${p('postedAt')}`,
        state: sql`${p('state')}`,
        stateBy: sql`${p('stateBy')}`,
        stateAt: sql`${p('stateAt')}`,
        stateReason: sql`${p('stateReason')}`,
        firstDecidedAt: sql`${p('firstDecidedAt')}`,
      })
      .where(eq(leads.id, sql`${p('id')}`))
      .prepare(),
  };
}

export interface LeadDecisions {
  state: 'pending' | 'accepted' | 'rejected';
  winner: DecisionRow | undefined;
  firstDecidedAt: number | undefined;
  standing: DecisionRow[];
  history: DecisionRow[];
}

/**
 * Where a new lead starts: in the posting queue (QUEUED, due at once), or elsewhere for loads
 * that are never posted (src/storage/history.ts).
 */
export interface LeadPlacement {
  postStatus: PostStatus;
  postNextAt: number | null;
  postedAt: number | null;
  state: 'pending' | 'accepted' | 'rejected';
  stateBy: string | null;
  stateAt: number | null;
  stateReason: string | null;
}

const QUEUED: Omit<LeadPlacement, 'postNextAt'> = {
  postStatus: 'queued',
  postedAt: null,
  state: 'pending',
  stateBy: null,
  stateAt: null,
  stateReason: null,
};

/** A lead's fields as storage takes them: validated input, where every field but the campaign may be absent. */
export type LeadFields = Partial<LeadInput> & { campaign: string };

export interface HistoricalLead {
  lead: LeadFields;
  receivedAt: number;
  postedAt: number;
  channel: string;
  ts: string;
  decisions: {
    userId: string;
    verdict: Verdict;
    source?: 'reaction' | 'button' | 'reconcile';
    reaction?: string;
    reason?: string;
    note?: string;
    decidedAt: number;
    retractedAt?: number;
  }[];
}

export interface NewDecision {
  leadId: number;
  userId: string;
  verdict: Verdict;
  source: 'reaction' | 'button' | 'reconcile';
  reaction?: string;
  reason?: string;
  note?: string | null;
  decidedAt: number;
  eventId?: string;
}

export interface DecisionOutcome extends LeadDecisions {
  /** False when the decision repeated what the rep already had standing. */
  changed: boolean;
  /** True when a new decision was recorded (not a repeat, nor a reason filled in). */
  inserted: boolean;
  decision: DecisionRow;
}

export interface PostToRender extends LeadForPost {
  channel: string;
  ts: string;
  postedAt: number;
  postVersion: number;
}
