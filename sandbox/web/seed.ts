import { campaignKey } from '../../src/domain/lead.js';
import { type LeadPostOptions, leadPost } from '../../src/slack/blocks/leadPost.js';
import { LEAD_POST_EVENT_TYPE } from '../../src/slack/ids.js';
import type { LeadForPost, Store } from '../../src/storage/store.js';
import type { FakeSlack } from '../fake-slack.js';
import { type GeneratedLead, type GenerateOptions, generateHistory, planHistory } from '../generate.js';

/**
 * A month of history for the demo: every lead, post and decision in the database (so /leadstats
 * and the digest have real numbers), and the latest posts also in the sandbox's leads channel,
 * drawn by the bot's own Block Kit builder from what the database holds, with the reactions that
 * stand on them. Seeded before the bot starts, so both sides agree from the first request.
 */

const DAY = 24 * 60 * 60_000;

export interface SeedOptions {
  seed: number;
  now: number;
  leads: number;
  campaigns: number;
  reps: number;
  channel: string;
  /** How many of the latest leads get a post in the sandbox channel. */
  visible: number;
  post: LeadPostOptions;
}

export interface SeedResult {
  leads: number;
  decisions: number;
  campaigns: string[];
  reps: string[];
  /** Ids of the leads whose posts are in the channel, oldest first. */
  visibleLeadIds: number[];
}

export function historyOptions(options: SeedOptions): GenerateOptions {
  return {
    seed: options.seed,
    leads: options.leads,
    // The last hour stays empty: the newest posts are the ones the bot makes while the demo runs.
    start: options.now - 30 * DAY,
    end: options.now - 60 * 60_000,
    campaigns: options.campaigns,
    reps: options.reps,
    now: options.now,
    channel: options.channel,
  };
}

/** The lead as the store hands it to the post builder, from the row it stored. */
function forPost(store: Store, id: number, campaign: string): LeadForPost {
  const row = store.leadById(id);
  if (!row) throw new Error(`seeded lead ${id} is missing`);
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    company: row.company,
    title: row.title,
    phone: row.phone,
    country: row.country,
    campaign,
    source: row.source,
    score: row.score,
    url: row.url,
    notes: row.notes,
    createdAt: row.createdAt,
    postAttempts: row.postAttempts,
    postStartedAt: row.postStartedAt,
  };
}

export function seedHistory(store: Store, fake: FakeSlack, options: SeedOptions): SeedResult {
  const generate = historyOptions(options);
  const plan = planHistory(generate);
  // The store names a campaign after its first spelling, which the generator keeps canonical.
  const canonical = new Map(plan.campaigns.map((c) => [campaignKey(c.name), c.name]));
  const items: GeneratedLead[] = [...generateHistory(generate)];
  const ids = store.insertHistory(items);
  const decisions = items.reduce((n, item) => n + item.decisions.length, 0);

  const visibleFrom = Math.max(0, items.length - options.visible);
  const visibleLeadIds: number[] = [];
  items.slice(visibleFrom).forEach((item, offset) => {
    const id = ids[visibleFrom + offset] as number;
    const campaign = canonical.get(campaignKey(item.lead.campaign)) ?? item.lead.campaign;
    const decided = store.leadDecisions(id);
    const content = leadPost(forPost(store, id, campaign), options.post, {
      ...decided,
      postedAt: item.postedAt,
    });
    fake.addMessage(item.channel, {
      ts: item.ts,
      ...content,
      user: fake.botUserId,
      bot_id: fake.botId,
      metadata: { event_type: LEAD_POST_EVENT_TYPE, event_payload: { lead_id: String(id) } },
    });
    for (const reaction of store.standingReactions(id)) {
      if (reaction.reaction) fake.addReaction(item.channel, item.ts, reaction.reaction, reaction.userId);
    }
    visibleLeadIds.push(id);
  });
  return {
    leads: items.length,
    decisions,
    campaigns: plan.campaigns.map((c) => c.name),
    reps: plan.reps,
    visibleLeadIds,
  };
}
