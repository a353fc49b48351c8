import type { Logger } from '@slack/logger';
import type { WebClient, WebClientOptions } from '@slack/web-api';
import type { Clock } from '../clock.js';
import {
  baseEmoji,
  type DecisionRules,
  mayDecide,
  type Verdict,
  verdictForReaction,
} from '../domain/decision.js';
import { LeadloopError } from '../errors.js';
import { classifySlackError } from '../slack/errors.js';
import type { DecisionRow } from '../storage/schema.js';
import type { Store } from '../storage/store.js';

/**
 * Slack does not replay events after an outage (or while the bot was down), so a reaction made
 * then never reaches DecisionService. Reconciliation reads each recent lead post's reactions with
 * reactions.get and does what the lost reaction_added / reaction_removed events would have done.
 */

export interface ReconcileSettings extends DecisionRules {
  botUserId: string;
}

export interface ReconcileDeps {
  store: Store;
  /** Built with RECONCILE_CLIENT_OPTIONS: it waits out 429s by itself. */
  client: WebClient;
  logger: Logger;
  clock: Clock;
  settings: ReconcileSettings;
}

export interface ReconcileOptions {
  /** Leads posted at or after this time (ms since the epoch) are checked. */
  since: number;
  onProgress?: (done: number, total: number) => void;
}

export interface ReconcileSummary {
  /** Lead posts whose reactions were read and compared. */
  leadsChecked: number;
  added: number;
  retracted: number;
  /** Lead posts that could not be read (message_not_found: the post was deleted). */
  failed: { leadId: number; code: string }[];
}

/** The run cannot go on (a token or scope problem, or Slack keeps failing); what was done is kept. */
export class ReconcileStoppedError extends LeadloopError {
  readonly code = 'leadloop_reconcile_stopped';
  constructor(
    message: string,
    readonly summary: ReconcileSummary,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * reactions.get is Tier 3 (about 50 calls a minute per workspace). Calls go one at a time; on a
 * 429 the client pauses for Retry-After and retries the call itself (rejectRateLimitedCalls
 * stays false), so a long run slows to Slack's pace instead of failing. reactions.get only
 * reads, so the client may also retry it after a timeout or a 5xx.
 */
export const RECONCILE_CLIENT_OPTIONS = {
  maxRequestConcurrency: 1,
  timeout: 15_000,
  rejectRateLimitedCalls: false,
  retryConfig: { retries: 5, factor: 2, minTimeout: 1_000, maxTimeout: 30_000, randomize: false },
} satisfies WebClientOptions;

/**
 * A decision recorded this shortly before reactions.get was asked may be newer than Slack's
 * answer (its event raced the call; event times are Slack's clock): it is left for the next run
 * rather than retracted on a stale view.
 */
const SNAPSHOT_MARGIN_MS = 60_000;

/** This many lead posts failing in a row (not "deleted") means Slack is down or refusing: stop. */
const MAX_FAILURES_IN_A_ROW = 5;

/** The post is gone; nothing to reconcile, and the next post may well be fine. */
const POST_GONE = new Set(['message_not_found']);

export interface SlackReaction {
  name?: string;
  users?: string[];
  count?: number;
}

export interface ReconcileRules {
  verdictFor(reaction: string): Verdict | undefined;
  mayDecide(userId: string): boolean;
  botUserId: string;
}

export interface ReconcilePlan {
  add: { userId: string; reaction: string; verdict: Verdict }[];
  /** Standing decisions whose reaction is gone; one entry per decision row. */
  retract: { userId: string; reaction: string }[];
}

const pairKey = (userId: string, reaction: string) => `${userId}\u0000${reaction}`;

/**
 * What one post's reactions (as reactions.get returns them) mean against the decisions that stand
 * on its lead, judged by the same rules as the live reaction events. Pure.
 *
 * Slack may list fewer `users` than `count` for a very popular reaction. A missing decision by a
 * user left out of that list is not found (acceptable: a lead post rarely draws that many
 * votes); and a standing decision is never retracted on the strength of a truncated list.
 */
export function planReconciliation(
  reactions: readonly SlackReaction[],
  standing: readonly DecisionRow[],
  rules: ReconcileRules,
  askedAt: number,
): ReconcilePlan {
  const inSlack = new Map<string, { userId: string; reaction: string; verdict: Verdict }>();
  const truncated = new Set<string>();
  for (const entry of reactions) {
    if (!entry.name) continue;
    // Skin tones are separate entries ("+1::skin-tone-2"); decisions are kept by base name.
    const reaction = baseEmoji(entry.name);
    const verdict = rules.verdictFor(reaction);
    if (!verdict) continue;
    const users = entry.users ?? [];
    if ((entry.count ?? users.length) > users.length) truncated.add(reaction);
    for (const userId of users) {
      if (userId === rules.botUserId || !rules.mayDecide(userId)) continue;
      inSlack.set(pairKey(userId, reaction), { userId, reaction, verdict });
    }
  }

  const byReaction = standing.flatMap((d) =>
    d.source !== 'button' && d.reaction !== null ? [{ ...d, reaction: d.reaction }] : [],
  );
  const recorded = new Set(byReaction.map((d) => pairKey(d.userId, d.reaction)));
  return {
    add: [...inSlack.entries()].filter(([key]) => !recorded.has(key)).map(([, wanted]) => wanted),
    retract: byReaction
      .filter(
        (d) =>
          !inSlack.has(pairKey(d.userId, d.reaction)) &&
          !truncated.has(d.reaction) &&
          d.decidedAt < askedAt - SNAPSHOT_MARGIN_MS &&
          // As reaction_removed would: emojis that no longer decide and users who may not are ignored.
          rules.verdictFor(d.reaction) !== undefined &&
          rules.mayDecide(d.userId),
      )
      .map((d) => ({ userId: d.userId, reaction: d.reaction })),
  };
}

/**
 * Reconciles every lead posted since `options.since`, oldest first, one reactions.get each.
 * A post that is gone is reported and skipped; a configuration problem (token, scope, channel)
 * stops the run with what to fix, keeping what was recorded before it.
 */
export async function reconcileReactions(
  deps: ReconcileDeps,
  options: ReconcileOptions,
): Promise<ReconcileSummary> {
  const { store, client, logger, clock, settings } = deps;
  // The same rules the live reaction events go through.
  const rules: ReconcileRules = {
    verdictFor: (reaction) => verdictForReaction(settings, reaction),
    mayDecide: (userId) => mayDecide(settings, userId),
    botUserId: settings.botUserId,
  };

  const leads = store.postedLeadsSince(options.since);
  const summary: ReconcileSummary = { leadsChecked: 0, added: 0, retracted: 0, failed: [] };
  const stop = (why: string, cause: unknown) =>
    new ReconcileStoppedError(
      `${why} Stopped after checking ${summary.leadsChecked} of ${leads.length} lead post(s); the ${summary.added} decision(s) recorded and ${summary.retracted} retracted so far are kept.`,
      summary,
      { cause },
    );
  let failuresInARow = 0;
  options.onProgress?.(0, leads.length);

  for (const [index, lead] of leads.entries()) {
    const askedAt = clock.now();
    let reactions: SlackReaction[];
    try {
      const answer = await client.reactions.get({ channel: lead.channel, timestamp: lead.ts, full: true });
      reactions = answer.message?.reactions ?? [];
      failuresInARow = 0;
    } catch (error) {
      const failure = classifySlackError(error, { channel: lead.channel });
      if (failure.kind === 'misconfigured') throw stop(failure.fix, error);
      summary.failed.push({ leadId: lead.id, code: failure.code });
      logger.warn(`Cannot read the reactions on the post of lead ${lead.id} (${failure.code}); skipped`);
      if (!POST_GONE.has(failure.code) && ++failuresInARow >= MAX_FAILURES_IN_A_ROW) {
        throw stop(
          `Reading reactions failed for ${failuresInARow} lead posts in a row (last: ${failure.code}): check the network, SLACK_API_URL if set, and https://slack-status.com, then run again.`,
          error,
        );
      }
      options.onProgress?.(index + 1, leads.length);
      continue;
    }

    // Read after the answer, so a decision whose event arrived meanwhile is seen and not doubled.
    const plan = planReconciliation(reactions, store.standingReactions(lead.id), rules, askedAt);
    // Retractions first: a rep who swapped ✅ for ✔️ must end with the ✔️ standing.
    for (const gone of plan.retract) {
      const outcome = store.retractReaction({ leadId: lead.id, ...gone, at: clock.now() });
      if (!outcome?.changed) continue;
      summary.retracted += 1;
      logger.info(`Lead ${lead.id}: retracted ${gone.userId}'s :${gone.reaction}: (the reaction is gone)`);
    }
    for (const found of plan.add) {
      // reactions.get does not say when a reaction was made: the decision is timed now.
      const outcome = store.recordDecision({
        leadId: lead.id,
        userId: found.userId,
        verdict: found.verdict,
        source: 'reconcile',
        reaction: found.reaction,
        decidedAt: clock.now(),
      });
      if (!outcome?.changed) continue;
      summary.added += 1;
      logger.info(`Lead ${lead.id}: recorded ${found.userId}'s ${found.verdict} by :${found.reaction}:`);
    }
    summary.leadsChecked += 1;
    options.onProgress?.(index + 1, leads.length);
  }
  return summary;
}
