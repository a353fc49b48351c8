import type { Logger } from '@slack/logger';
import type { WebClient } from '@slack/web-api';
import type { Clock } from '../clock.js';
import {
  baseEmoji,
  type DecisionRules,
  mayDecide,
  type Verdict,
  verdictForReaction,
} from '../domain/decision.js';
import type { RejectReason } from '../domain/reasons.js';
import type { Metrics } from '../metrics.js';
import { who } from '../slack/blocks/leadPost.js';
import { type RejectModalMetadata, reasonPrompt, rejectModal } from '../slack/blocks/rejectReason.js';
import { classifySlackError } from '../slack/errors.js';
import { storageProblem } from '../storage/availability.js';
import type { InboxStore } from '../storage/inbox.js';
import type { DecisionOutcome, NewDecision, Store } from '../storage/store.js';

export interface DecisionSettings extends DecisionRules {
  reasons: readonly RejectReason[];
  botUserId: string;
}

export interface DecisionDeps {
  store: Store;
  /** The interactive client (src/slack/lanes.ts): a queue per method, fails fast. */
  client: WebClient;
  logger: Logger;
  clock: Clock;
  metrics: Metrics;
  /** A lead's post must be re-rendered (the post updater picks it up). */
  onPostChanged: () => void;
  /** The durable inbox: an entry is settled in the transaction that applies it. */
  inbox?: InboxStore;
  /** A decision was recorded: a removal that came before its reaction may apply now (src/jobs/inbox.ts). */
  onDecided?: () => void;
}

/** A reaction kept because what it is about is not recorded yet: looked at again this soon. */
export const WAITING_RETRY_MS = 5_000;

/** Sends a message to a Slack response_url (ephemeral prompts cannot be edited any other way). */
export type Respond = (message: Record<string, unknown>) => Promise<unknown>;

export interface ReactionInput {
  user: string;
  reaction: string;
  item: { type: string; channel?: string; ts?: string };
  eventTs?: string;
  eventId?: string;
  /** Its durable inbox entry (src/slack/inbox.ts), settled when this is applied. */
  inboxId?: number;
}

export type ModalResult = { ok: true } | { ok: false; errors: Record<string, string> };

/** Milliseconds from Slack's "1763900000.000100" event timestamps. */
function slackTsMs(ts: string | undefined): number | undefined {
  const seconds = Number.parseFloat(ts ?? '');
  return Number.isFinite(seconds) ? Math.round(seconds * 1000) : undefined;
}

/**
 * What a rep's reaction or click means, recorded once. Listeners parse Slack's payloads and
 * call this; it owns the rules (who may decide, what a repeat means, when to ask for a reason)
 * and tells the post updater when a post must change.
 */
export class DecisionService {
  constructor(
    private readonly deps: DecisionDeps,
    private readonly settings: DecisionSettings,
  ) {}

  verdictFor(reaction: string): Verdict | undefined {
    return verdictForReaction(this.settings, reaction);
  }

  mayDecide(userId: string): boolean {
    return mayDecide(this.settings, userId);
  }

  /**
   * The lead a reaction is about: undefined when it is not a decision on a message; `waiting`
   * when it could be one on a lead post whose ts is not recorded yet (Slack shows a post before
   * chat.postMessage answers), so it is kept and matched once it is.
   */
  private reactionTarget(input: ReactionInput) {
    if (!this.verdictFor(input.reaction)) return undefined;
    if (input.item.type !== 'message' || !input.item.channel || !input.item.ts) return undefined;
    if (input.user === this.settings.botUserId) return undefined;
    const lead = this.deps.store.leadByPost(input.item.channel, input.item.ts);
    return lead ? { lead, channel: input.item.channel } : ('waiting' as const);
  }

  /** A request the listener cannot read (it names no lead): nothing to apply. */
  discard(inboxId: number | undefined): Promise<void> {
    return this.settle(inboxId);
  }

  /** Nothing to apply (or applied elsewhere): the inbox entry goes. */
  private async settle(inboxId: number | undefined): Promise<void> {
    const { inbox } = this.deps;
    if (inboxId === undefined || !inbox) return;
    await this.deps.store.soon(() => inbox.settle(inboxId));
  }

  /** Inside the applying transaction: the entry goes with the change it made. */
  private settleIn(inboxId: number | undefined): void {
    if (inboxId !== undefined) this.deps.inbox?.settle(inboxId);
  }

  /** Kept for later; without an inbox entry (no inbox), dropped as before. */
  private async wait(inboxId: number | undefined): Promise<void> {
    const { inbox } = this.deps;
    if (inboxId === undefined || !inbox) return;
    await this.deps.store.soon(() => inbox.defer(inboxId, this.deps.clock.now() + WAITING_RETRY_MS));
  }

  async reactionAdded(input: ReactionInput): Promise<void> {
    const target = this.reactionTarget(input);
    const verdict = this.verdictFor(input.reaction);
    if (target === 'waiting') return this.wait(input.inboxId);
    if (!target || !verdict) return this.settle(input.inboxId);
    if (!this.mayDecide(input.user)) {
      await this.settle(input.inboxId);
      await this.tellNotAllowed(target.lead.id, input.user, target.channel);
      return;
    }
    const decision: NewDecision = {
      leadId: target.lead.id,
      userId: input.user,
      verdict,
      source: 'reaction',
      reaction: baseEmoji(input.reaction),
      decidedAt: slackTsMs(input.eventTs) ?? this.deps.clock.now(),
      eventId: input.eventId,
    };
    const outcome = this.counted(
      decision,
      await this.deps.store.soon((store) => {
        const recorded = store.recordDecision(decision);
        this.settleIn(input.inboxId);
        return recorded;
      }),
    );
    if (!outcome) return;
    this.deps.onPostChanged();
    // A removal that came first may be waiting for this reaction.
    if (outcome.inserted) this.deps.onDecided?.();
    if (verdict === 'reject' && outcome.decision.reason === null) {
      await this.askForReason(target.lead.id, input.user, target.channel);
    }
  }

  async reactionRemoved(input: ReactionInput): Promise<void> {
    const target = this.reactionTarget(input);
    if (target === 'waiting') return this.wait(input.inboxId);
    if (!target || !this.mayDecide(input.user)) return this.settle(input.inboxId);
    const outcome = await this.deps.store.soon((store) => {
      const retracted = store.retractReaction({
        leadId: target.lead.id,
        userId: input.user,
        reaction: baseEmoji(input.reaction),
        at: slackTsMs(input.eventTs) ?? this.deps.clock.now(),
        eventId: input.eventId,
        waitIfNothingStands: input.inboxId !== undefined && this.deps.inbox !== undefined,
      });
      if (!retracted?.waiting) this.settleIn(input.inboxId);
      return retracted;
    });
    if (outcome?.waiting) return this.wait(input.inboxId);
    if (!outcome) this.deps.metrics.slackEventDuplicates.inc();
    if (outcome?.changed) this.deps.onPostChanged();
  }

  async acceptClicked(input: {
    leadId: number;
    userId: string;
    channel: string | undefined;
    inboxId?: number;
  }): Promise<void> {
    if (!this.deps.store.leadById(input.leadId)) return this.settle(input.inboxId);
    if (!this.mayDecide(input.userId)) {
      await this.settle(input.inboxId);
      if (input.channel) await this.tellNotAllowed(input.leadId, input.userId, input.channel);
      return;
    }
    const decision: NewDecision = {
      leadId: input.leadId,
      userId: input.userId,
      verdict: 'accept',
      source: 'button',
      decidedAt: this.deps.clock.now(),
    };
    const outcome = this.counted(
      decision,
      await this.deps.store.soon((store) => {
        const recorded = store.recordDecision(decision);
        this.settleIn(input.inboxId);
        return recorded;
      }),
    );
    if (outcome?.changed) this.deps.onPostChanged();
  }

  /** Reject button: the reason modal. Nothing is recorded until it is submitted. */
  async rejectClicked(input: {
    leadId: number;
    userId: string;
    channel: string | undefined;
    triggerId: string;
  }): Promise<void> {
    const lead = this.deps.store.leadById(input.leadId);
    if (!lead) return;
    if (!this.mayDecide(input.userId)) {
      if (input.channel) await this.tellNotAllowed(input.leadId, input.userId, input.channel);
      return;
    }
    try {
      await this.openModal(input.triggerId, lead, { leadId: lead.id, via: 'button' });
    } catch (error) {
      // A trigger_id lasts 3 s and is spent once: the rep's next click is the only retry.
      if (!input.channel) throw error;
      const { code } = classifySlackError(error);
      this.deps.logger.info(`Could not open the reason form for ${input.userId} (${code})`, {
        code,
        method: 'views.open',
        channel: input.channel,
        leadId: lead.id,
      });
      await this.tellEphemeral(
        input.channel,
        input.userId,
        'Slack did not open the reject form in time (it is busy), so nothing was recorded: click Reject again.',
      );
    }
  }

  /** A reason chosen in the prompt after a reject reaction. */
  async promptReasonChosen(input: {
    leadId: number;
    userId: string;
    reason: string;
    triggerId: string;
    respond: Respond;
    responseUrl: string | undefined;
    inboxId?: number;
  }): Promise<void> {
    const lead = this.deps.store.leadById(input.leadId);
    const reason = this.settings.reasons.find((r) => r.key === input.reason);
    if (!lead || !reason || reason.noteRequired) await this.settle(input.inboxId);
    if (!lead || !reason) return;
    if (reason.noteRequired) {
      await this.openModal(
        input.triggerId,
        lead,
        { leadId: lead.id, via: 'prompt', responseUrl: input.responseUrl },
        { reason: reason.key, note: null },
      );
      return;
    }
    const outcome = await this.deps.store.soon((store) => {
      const attached = store.attachReason({
        leadId: lead.id,
        userId: input.userId,
        reason: reason.key,
        note: null,
      });
      this.settleIn(input.inboxId);
      return attached;
    });
    if (!outcome) {
      await input.respond({
        replace_original: true,
        text: 'You no longer have a reject standing on this lead (the reaction was removed), so no reason was recorded.',
      });
      return;
    }
    if (outcome.changed) this.deps.onPostChanged();
    await input.respond({ replace_original: true, text: `Thanks: reason recorded (${reason.label}).` });
  }

  async promptNoteClicked(input: {
    leadId: number;
    userId: string;
    triggerId: string;
    responseUrl: string | undefined;
  }): Promise<void> {
    const lead = this.deps.store.leadById(input.leadId);
    if (!lead) return;
    const mine = this.deps.store.leadDecisions(lead.id).standing.find((d) => d.userId === input.userId);
    await this.openModal(
      input.triggerId,
      lead,
      { leadId: lead.id, via: 'prompt', responseUrl: input.responseUrl },
      mine?.verdict === 'reject' ? { reason: mine.reason, note: mine.note } : undefined,
    );
  }

  /**
   * The reason modal was submitted. Runs before the ack (it is quick: no Slack calls), so that
   * problems are shown in place; what talks to Slack happens after, in `afterModal`.
   */
  async rejectModalSubmitted(input: {
    userId: string;
    metadata: RejectModalMetadata;
    reason: string | undefined;
    note: string | undefined;
  }): Promise<ModalResult> {
    const reason = this.settings.reasons.find((r) => r.key === input.reason);
    const note = input.note?.trim() || null;
    const errors: Record<string, string> = {};
    if (!reason) errors.reason = 'Choose a reason.';
    if (reason?.noteRequired && !note)
      errors.note = `A note is required for “${reason.label}”: say what was wrong.`;
    if (!this.deps.store.leadById(input.metadata.leadId)) errors.reason = 'This lead no longer exists.';
    if (!this.mayDecide(input.userId)) errors.reason = 'Only the sales team can reject leads.';
    if (Object.keys(errors).length > 0 || !reason) return { ok: false, errors };

    try {
      return await this.recordModal(input.userId, input.metadata, reason.key, note);
    } catch (error) {
      const problem = storageProblem(error);
      if (!problem) throw error;
      this.deps.logger.warn(`A reject reason could not be stored: ${problem}`);
      return { ok: false, errors: { reason: 'Could not save this just now. Submit again in a moment.' } };
    }
  }

  private async recordModal(
    userId: string,
    metadata: RejectModalMetadata,
    reasonKey: string,
    note: string | null,
  ): Promise<ModalResult> {
    if (metadata.via === 'prompt') {
      const outcome = await this.deps.store.soon((store) =>
        store.attachReason({ leadId: metadata.leadId, userId, reason: reasonKey, note }),
      );
      if (!outcome) {
        return {
          ok: false,
          errors: { reason: 'You no longer have a reject standing on this lead (the reaction was removed).' },
        };
      }
      if (outcome.changed) this.deps.onPostChanged();
      return { ok: true };
    }
    const decision: NewDecision = {
      leadId: metadata.leadId,
      userId,
      verdict: 'reject',
      source: 'button',
      reason: reasonKey,
      note,
      decidedAt: this.deps.clock.now(),
    };
    const outcome = this.counted(
      decision,
      await this.deps.store.soon((store) => store.recordDecision(decision)),
    );
    if (outcome?.changed) this.deps.onPostChanged();
    return { ok: true };
  }

  /** After a modal from the prompt was accepted: the prompt has done its job. */
  async afterModal(
    metadata: RejectModalMetadata,
    respondTo: (url: string, body: unknown) => Promise<unknown>,
  ) {
    if (metadata.via === 'prompt' && metadata.responseUrl) {
      await respondTo(metadata.responseUrl, { delete_original: true });
    }
  }

  /**
   * Counts what recordDecision did: a new decision by verdict and source, a redelivered Slack
   * event as a duplicate; repeats (a double click, a reason filled in) are not new decisions.
   */
  private counted(input: NewDecision, outcome: DecisionOutcome | undefined): DecisionOutcome | undefined {
    const { metrics } = this.deps;
    if (!outcome) metrics.slackEventDuplicates.inc();
    else if (outcome.inserted) metrics.decisions.inc({ verdict: input.verdict, source: input.source });
    return outcome;
  }

  private async openModal(
    triggerId: string,
    lead: { id: number; name: string | null; email: string | null },
    metadata: RejectModalMetadata,
    current?: { reason: string | null; note: string | null },
  ): Promise<void> {
    await this.deps.client.views.open({
      trigger_id: triggerId,
      view: rejectModal({ id: lead.id, who: who(lead) }, this.settings.reasons, metadata, current),
    });
  }

  /**
   * Ephemeral first (it vanishes once answered); when Slack cannot show one (the rep is not in
   * the channel, or it is a shared channel), a DM.
   */
  private async askForReason(leadId: number, userId: string, channel: string): Promise<void> {
    const lead = this.deps.store.leadById(leadId);
    if (!lead) return;
    const content = reasonPrompt({ id: lead.id, who: who(lead) }, this.settings.reasons);
    try {
      await this.deps.client.chat.postEphemeral({ channel, user: userId, ...content });
      return;
    } catch (error) {
      const { code } = classifySlackError(error);
      this.deps.logger.info(
        `Could not show the reason prompt to ${userId} in ${channel} (${code}); sending a DM`,
        {
          code,
          method: 'chat.postEphemeral',
          channel,
        },
      );
    }
    let method = 'conversations.open';
    try {
      const dm = await this.deps.client.conversations.open({ users: userId });
      if (!dm.channel?.id) throw new Error('conversations.open returned no channel');
      method = 'chat.postMessage';
      await this.deps.client.chat.postMessage({ channel: dm.channel.id, ...content });
    } catch (error) {
      const failure = classifySlackError(error);
      this.deps.logger.warn(
        `Could not ask ${userId} for a reject reason (${failure.kind === 'misconfigured' ? failure.fix : failure.code}); the reject counts as "no reason given".`,
        { code: failure.code, method, channel, user: userId },
      );
    }
  }

  private async tellNotAllowed(leadId: number, userId: string, channel: string): Promise<void> {
    if (!this.deps.store.noteOnce(leadId, userId, 'not_sales', this.deps.clock.now())) return;
    await this.tellEphemeral(
      channel,
      userId,
      'Only the sales team can accept or reject leads here, so this was not recorded. If you should be able to, ask your Leadloop admin to add your Slack member ID to SALES_USER_IDS.',
    );
  }

  /** A short ephemeral note to one rep; if Slack cannot show it, the log says so and that is all. */
  private async tellEphemeral(channel: string, userId: string, text: string): Promise<void> {
    try {
      await this.deps.client.chat.postEphemeral({ channel, user: userId, text });
    } catch (error) {
      const { code } = classifySlackError(error);
      this.deps.logger.info(`Could not tell ${userId}: ${text} (${code})`, {
        code,
        method: 'chat.postEphemeral',
        channel,
      });
    }
  }
}
