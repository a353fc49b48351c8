import type { WebClient } from '@slack/web-api';
import { type InDoubtTiming, type InDoubtVerdict, inDoubtVerdict, searchWindow } from '../domain/inDoubt.js';

export interface SentMessageQuery {
  channel: string;
  /** The metadata event type the message was sent with. */
  eventType: string;
  /** Whether the metadata payload is the one recorded before the send (e.g. this lead's id). */
  matches: (payload: Record<string, unknown>) => boolean;
  /** When the send began, by our clock, as recorded before it. */
  sentAt: number;
  now: number;
  timing: InDoubtTiming;
}

/** Slack's recommended page size for conversations.history. */
const PAGE_SIZE = 200;
/**
 * At most this many pages (4,000 messages) in the window of one send: more than a leads channel
 * gets in the minutes around a post. Past it the search ends as not found (a possible duplicate
 * beats a lost lead), with `truncated` set so the caller can say so.
 */
const MAX_PAGES = 20;

/**
 * The one way the poster and the digest sender find out whether a send of unknown outcome
 * reached the channel: the bot's own message carrying the metadata recorded before the send,
 * searched in the time window around that send, page after page (newest first, so any number of
 * newer messages is paged past), and a verdict that says "not posted" only once Slack is done
 * with the send. Slack errors are thrown for the caller to classify.
 */
export async function findSentMessage(
  client: WebClient,
  query: SentMessageQuery,
): Promise<InDoubtVerdict & { pages: number; truncated: boolean }> {
  const { oldest, latest } = searchWindow(query.sentAt, query.timing);
  let cursor: string | undefined;
  let pages = 0;
  let foundTs: string | undefined;
  let truncated = false;
  do {
    const page = await client.conversations.history({
      channel: query.channel,
      oldest: toSlackTs(oldest),
      latest: toSlackTs(latest),
      inclusive: true,
      include_all_metadata: true,
      limit: PAGE_SIZE,
      ...(cursor ? { cursor } : {}),
    });
    pages += 1;
    foundTs = page.messages?.find(
      (m) =>
        m.metadata?.event_type === query.eventType &&
        typeof m.metadata.event_payload === 'object' &&
        m.metadata.event_payload !== null &&
        query.matches(m.metadata.event_payload as Record<string, unknown>),
    )?.ts;
    cursor = page.has_more ? page.response_metadata?.next_cursor || undefined : undefined;
    if (cursor && pages >= MAX_PAGES) {
      truncated = true;
      cursor = undefined;
    }
  } while (foundTs === undefined && cursor);
  return { ...inDoubtVerdict(foundTs, query.sentAt, query.now, query.timing), pages, truncated };
}

function toSlackTs(ms: number): string {
  return (ms / 1000).toFixed(6);
}
