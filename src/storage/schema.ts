import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * The one schema. Migrations in drizzle/ are generated from it with `npm run db:generate` and
 * never edited by hand. Times are integer milliseconds since the epoch (UTC).
 */

export const campaigns = sqliteTable('campaigns', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** Normalised name (see campaignKey): what stats group by. */
  key: text('key').notNull().unique(),
  /** The first spelling seen, for display. */
  name: text('name').notNull(),
  createdAt: integer('created_at').notNull(),
});

/**
 * Lifecycle of a lead post. The row that says a lead still needs posting is the row that
 * records the posted message, so the two can never disagree.
 * - queued: waiting for its turn (post_next_at says when it may be tried)
 * - posting: a chat.postMessage was sent and its outcome is not known yet; on restart or after
 *   an ambiguous failure the channel history is checked before trying again
 * - posted: post_channel/post_ts hold the message
 * - failed: Slack refused this lead's content; it is not retried (see post_error)
 */
export const POST_STATUSES = ['queued', 'posting', 'posted', 'failed'] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

export const leads = sqliteTable(
  'leads',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    externalId: text('external_id'),
    email: text('email'),
    name: text('name'),
    company: text('company'),
    title: text('title'),
    phone: text('phone'),
    country: text('country'),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    source: text('source'),
    score: integer('score'),
    url: text('url'),
    notes: text('notes'),
    createdAt: integer('created_at').notNull(),
    receivedAt: integer('received_at').notNull(),
    postStatus: text('post_status', { enum: POST_STATUSES }).notNull().default('queued'),
    postAttempts: integer('post_attempts').notNull().default(0),
    /**
     * Set while the lead is in the posting queue (queued or posting): the earliest time the next
     * attempt may run. Cleared once posted or failed, which keeps the queue index tiny.
     */
    postNextAt: integer('post_next_at'),
    /** When the current or last attempt started: bounds the history search for an in-doubt post. */
    postStartedAt: integer('post_started_at'),
    postError: text('post_error'),
    postChannel: text('post_channel'),
    postTs: text('post_ts'),
    postedAt: integer('posted_at'),
  },
  (t) => [
    uniqueIndex('leads_external_id_unique').on(t.externalId),
    // The posting queue: only rows still to post, so it stays tiny however many leads exist.
    // Queries that compare post_next_at imply IS NOT NULL, which lets SQLite use this index.
    index('leads_post_queue_idx').on(t.postNextAt, t.id).where(sql`post_next_at IS NOT NULL`),
    // Reactions and button clicks name a message; this finds its lead.
    uniqueIndex('leads_post_message_unique').on(t.postChannel, t.postTs),
    // Stats select cohorts by post time, overall and per campaign.
    index('leads_posted_at_idx').on(t.postedAt),
    index('leads_campaign_posted_at_idx').on(t.campaignId, t.postedAt),
  ],
);

export type CampaignRow = typeof campaigns.$inferSelect;
export type LeadRow = typeof leads.$inferSelect;
export type NewLeadRow = typeof leads.$inferInsert;
