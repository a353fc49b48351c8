import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
 * - history: imported with `leadloop import --history`: never posted, never queued; posted_at is
 *   the lead's created time so that stats count it in its cohort (src/storage/history.ts)
 */
export const POST_STATUSES = ['queued', 'posting', 'posted', 'failed', 'history'] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

export const LEAD_STATES = ['pending', 'accepted', 'rejected'] as const;
export const VERDICTS = ['accept', 'reject'] as const;
/** `import`: an outcome read from a CRM export by `leadloop import --history`, not a rep's. */
export const DECISION_SOURCES = ['reaction', 'button', 'reconcile', 'import'] as const;

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
    /**
     * The lead's state, derived from its standing decisions by deriveLeadState (src/domain) and
     * written in the same transaction as every decision. A cache of the history, kept so stats
     * over a million leads read one row per lead.
     */
    state: text('state', { enum: LEAD_STATES }).notNull().default('pending'),
    /** The winning decision (latest standing): who, when, why. */
    stateBy: text('state_by'),
    stateAt: integer('state_at'),
    stateReason: text('state_reason'),
    /** The earliest standing decision: time to decision is this minus posted_at. */
    firstDecidedAt: integer('first_decided_at'),
    /** Bumped with every change the lead post shows; the post updater renders until it catches up. */
    postVersion: integer('post_version').notNull().default(0),
    postRenderedVersion: integer('post_rendered_version').notNull().default(0),
  },
  (t) => [
    uniqueIndex('leads_external_id_unique').on(t.externalId),
    // The posting queue: only rows still to post, so it stays tiny however many leads exist.
    // Queries that compare post_next_at imply IS NOT NULL, which lets SQLite use this index.
    index('leads_post_queue_idx').on(t.postNextAt, t.id).where(sql`post_next_at IS NOT NULL`),
    // Reactions and button clicks name a message; this finds its lead.
    uniqueIndex('leads_post_message_unique').on(t.postChannel, t.postTs),
    // Stats select cohorts by post time. This index covers every column the cohort aggregates
    // read, so they never touch the table rows.
    index('leads_cohort_idx').on(
      t.postedAt,
      t.campaignId,
      t.state,
      t.firstDecidedAt,
      t.stateReason,
      t.source,
    ),
    index('leads_campaign_posted_at_idx').on(t.campaignId, t.postedAt),
    // The oldest pending leads, whatever the number of leads.
    index('leads_pending_idx').on(t.postedAt).where(sql`state = 'pending'`),
    // Lead posts whose shown state is behind: the post updater's queue, tiny like the posting one.
    index('leads_post_render_idx').on(t.id).where(sql`post_version > post_rendered_version`),
  ],
);

/**
 * One rep's accept or reject of one lead. Rows are never deleted and never re-decided: a
 * retraction only stamps retracted_at, and a reason given later only fills reason and note.
 */
export const decisions = sqliteTable(
  'decisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    leadId: integer('lead_id')
      .notNull()
      .references(() => leads.id),
    userId: text('user_id').notNull(),
    verdict: text('verdict', { enum: VERDICTS }).notNull(),
    source: text('source', { enum: DECISION_SOURCES }).notNull(),
    /** The emoji, for decisions made by reaction: removing that reaction retracts this decision. */
    reaction: text('reaction'),
    reason: text('reason'),
    note: text('note'),
    decidedAt: integer('decided_at').notNull(),
    retractedAt: integer('retracted_at'),
    /**
     * The lead's posted_at, copied here by triggers (drizzle/0005_stats_rollup_triggers.sql) so
     * that per-rep stats read a cohort's standing decisions from one covering index instead of
     * one lookup per lead. Null while the lead is not posted.
     */
    leadPostedAt: integer('lead_posted_at'),
  },
  (t) => [
    index('decisions_lead_idx').on(t.leadId, t.decidedAt),
    index('decisions_user_idx').on(t.userId, t.decidedAt),
    index('decisions_cohort_idx')
      .on(t.leadPostedAt, t.leadId, t.userId, t.verdict, t.decidedAt, t.id)
      .where(sql`retracted_at IS NULL`),
  ],
);

/** Slack event ids already handled: Slack retries deliveries with the same id. */
export const slackEvents = sqliteTable(
  'slack_events',
  {
    eventId: text('event_id').primaryKey(),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [index('slack_events_received_at_idx').on(t.receivedAt)],
);

export const INBOX_STATES = ['received', 'pending'] as const;

/**
 * The durable inbox: a Slack event or interaction that changes decisions is written here (and
 * committed) before Slack gets its 200, and removed in the transaction that applies it. A row
 * left by a crash or a storage failure is replayed; a reaction that cannot apply yet (its post's
 * ts is not recorded, or a removal came before its reaction) waits here as `pending`.
 */
export const slackInbox = sqliteTable(
  'slack_inbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    receivedAt: integer('received_at').notNull(),
    /** The body as Bolt receives it (JSON): replayed through the same listeners. */
    body: text('body').notNull(),
    state: text('state', { enum: INBOX_STATES }).notNull().default('received'),
    /** When the replayer may take it: a grace period for the live listener, then a backoff. */
    nextAt: integer('next_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
  },
  (t) => [index('slack_inbox_next_at_idx').on(t.nextAt)],
);

/** Things told to a user once per lead (e.g. "only sales can decide"), so they are not told twice. */
export const userNotices = sqliteTable(
  'user_notices',
  {
    leadId: integer('lead_id')
      .notNull()
      .references(() => leads.id),
    userId: text('user_id').notNull(),
    kind: text('kind').notNull(),
    sentAt: integer('sent_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.leadId, t.userId, t.kind] })],
);

export type CampaignRow = typeof campaigns.$inferSelect;
export type LeadRow = typeof leads.$inferSelect;
export type NewLeadRow = typeof leads.$inferInsert;
export type DecisionRow = typeof decisions.$inferSelect;

/**
 * One row per (ISO week, channel) the digest goes to. The row is claimed ('sending') before the
 * message is sent and marked 'sent' with its ts after, so a restart, a second cron firing or two
 * overlapping runs never send a week twice; 'failed' rows are retried later on their own.
 */
export const DIGEST_STATUSES = ['sending', 'sent', 'failed'] as const;

export const digestSends = sqliteTable(
  'digest_sends',
  {
    week: text('week').notNull(),
    channel: text('channel').notNull(),
    status: text('status', { enum: DIGEST_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    startedAt: integer('started_at').notNull(),
    sentAt: integer('sent_at'),
    ts: text('ts'),
    chartFileId: text('chart_file_id'),
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.week, t.channel] })],
);

/** Small facts about this installation (e.g. when it first ran, so catch-up never predates it). */
export const appMeta = sqliteTable('app_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/**
 * Rollups: a cache of the stats aggregates of the leads posted in one ended UTC month or day,
 * so that a long period reads a few thousand rows instead of a million, and a short one reads its
 * days instead of its leads. Never the source of truth: a bucket is used only while it is listed
 * in stats_fresh, and triggers on leads and decisions (drizzle/0005_stats_rollup_triggers.sql)
 * unlist the day and the month of a lead's post in the same transaction as any change to the
 * lead or its decisions, whoever writes it. See src/storage/stats.ts and
 * docs/decisions/0005-stats-rollups.md.
 *
 * `bucket` is YYYYMM for a UTC month and YYYYMMDD for a UTC day. Buckets are UTC so that they do
 * not depend on TIMEZONE or DECISION_SLA_HOURS: a period in TIMEZONE reads whole UTC months and
 * days from here and its ragged ends (less than a day each) from leads.
 */
export const statsBuckets = sqliteTable(
  'stats_buckets',
  {
    bucket: integer('bucket').notNull(),
    campaignId: integer('campaign_id').notNull(),
    source: text('source'),
    posted: integer('posted').notNull(),
    accepted: integer('accepted').notNull(),
    rejected: integer('rejected').notNull(),
    rejectedNoReason: integer('rejected_no_reason').notNull(),
    pending: integer('pending').notNull(),
    /** Time to decision (ms) of each decided lead, ascending, as little-endian float64s. */
    times: blob('times', { mode: 'buffer' }).notNull(),
    /** Rejected leads by reason, JSON [[reason or null, count], …]. */
    reasons: text('reasons').notNull(),
    /**
     * posted_at of each lead still pending, ascending, as little-endian float64s: which of them
     * breach the SLA depends on when one asks, so it is counted when read.
     */
    pendingPosted: blob('pending_posted', { mode: 'buffer' }).notNull(),
  },
  (t) => [index('stats_buckets_bucket_idx').on(t.bucket, t.campaignId)],
);

/** Per rep and bucket: standing verdicts on that bucket's leads and the rep's decision times. */
export const statsBucketReps = sqliteTable(
  'stats_bucket_reps',
  {
    bucket: integer('bucket').notNull(),
    userId: text('user_id').notNull(),
    accepted: integer('accepted').notNull(),
    rejected: integer('rejected').notNull(),
    /** Time from post to the rep's first standing decision (ms), ascending, little-endian float64s. */
    times: blob('times', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.userId] })],
);

/** The buckets whose rollup rows match the leads and decisions right now. */
export const statsFresh = sqliteTable('stats_fresh', {
  bucket: integer('bucket').primaryKey(),
  builtAt: integer('built_at').notNull(),
  /** Random, new with every build: a process may keep a bucket's rows decoded while it matches. */
  version: integer('version').notNull(),
});

/**
 * Buckets being rolled up. A build claims its bucket here, computes it from a read snapshot
 * without holding the write lock, and publishes only if the claim is still here: the same
 * triggers that unlist fresh buckets drop the claim of any bucket that changes meanwhile.
 */
export const statsBuilding = sqliteTable('stats_building', {
  bucket: integer('bucket').primaryKey(),
  claimedAt: integer('claimed_at').notNull(),
});

/**
 * What came in from a vendor (a HubSpot workflow, Zapier …) that could not be stored as a lead:
 * such senders do not retry a 4xx, so the item is kept here with its raw body and the reason,
 * announced in Slack, and handled with `leadloop attention`. Rows are never deleted: a retried
 * item points at its lead, a dropped one stays as a record.
 * - open: waiting for an admin
 * - retried: stored as lead lead_id (after the mapping was fixed)
 * - dropped: an admin decided it is not a lead
 */
export const ATTENTION_STATES = ['open', 'retried', 'dropped'] as const;
export type AttentionState = (typeof ATTENTION_STATES)[number];

export const needsAttention = sqliteTable(
  'needs_attention',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    receivedAt: integer('received_at').notNull(),
    /** The source profile the item was read as (named or recognised), for display. */
    profile: text('profile').notNull(),
    /** ?profile= of the request, if any: a retry reads the body with it again (else recognises it). */
    profileParam: text('profile_param'),
    /** ?campaign= of the request, if any: a retry reads the body with it again. */
    campaignParam: text('campaign_param'),
    /**
     * The item as received: the request body's exact text when the body held one item (the usual
     * webhook), else this item of the batch as JSON. At most the 1 MiB request limit.
     */
    raw: text('raw').notNull(),
    itemIndex: integer('item_index').notNull().default(0),
    itemCount: integer('item_count').notNull().default(1),
    /** Who it seems to be (an email or name found in the body), for people looking at the list. */
    who: text('who'),
    /** Why it could not be stored (the latest reason, if a retry failed again). */
    reason: text('reason').notNull(),
    /** JSON [{index, path, message}, …] (LeadIssue). */
    issues: text('issues').notNull(),
    state: text('state', { enum: ATTENTION_STATES }).notNull().default('open'),
    leadId: integer('lead_id').references(() => leads.id),
    resolvedAt: integer('resolved_at'),
    retryCount: integer('retry_count').notNull().default(0),
  },
  (t) => [index('needs_attention_open_idx').on(t.id).where(sql`state = 'open'`)],
);

export type NeedsAttentionRow = typeof needsAttention.$inferSelect;
