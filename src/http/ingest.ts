import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@slack/logger';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { guessWho } from '../domain/attention.js';
import type { LeadIssue } from '../domain/lead.js';
import { DatabaseGoneError } from '../errors.js';
import {
  interpretBody,
  type LeadMapping,
  PROFILE_NAMES,
  type ProfileName,
  type VendorItem,
} from '../intake/index.js';
import type { Metrics } from '../metrics.js';
import {
  type AttentionInput,
  AttentionStore,
  type IntakeBatch,
  type IntakeStored,
} from '../storage/attention.js';
import { retryWhileBusy, type StorageStatus, storageProblem } from '../storage/availability.js';
import type { DatabaseFile } from '../storage/databaseFile.js';
import type { IngestResult, Store } from '../storage/store.js';
import { BodyTooLargeError, readBody, sendJson } from './respond.js';

export const INGEST_BODY_LIMIT = 1024 * 1024;

export interface IngestDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Unset disables the endpoint. */
  ingestToken: string | undefined;
  /** Called after new leads are committed, to wake the poster. */
  onQueued: () => void;
  /** Where vendor items that cannot be leads are kept; by default, beside the leads. */
  attention?: AttentionStore;
  /** Called after needs-attention items are committed, to wake the announcer. */
  onAttention?: () => void;
  /** How vendors' bodies are read: the admin mapping, and the zone of times without an offset. */
  intake: { mapping: LeadMapping; timezone: string };
  metrics: Metrics;
  /** Checked before and after storing: no 202 for leads written to a deleted database file. */
  databaseFile?: DatabaseFile;
  /** Told of every storage failure and success (for /healthz). */
  storageStatus?: StorageStatus;
}

/** `?profile=` names the sender's shape; `?campaign=` is the campaign of leads that name none. */
const querySchema = z.object({
  profile: z
    .enum(PROFILE_NAMES, {
      error: (issue) =>
        `Unknown profile "${String(issue.input)}": use one of ${PROFILE_NAMES.join(', ')}, e.g. POST /leads?profile=hubspot (or leave it out to have the body recognised).`,
    })
    .optional(),
  campaign: z
    .string()
    .trim()
    .max(200, { error: 'The campaign in ?campaign= is over 200 characters: send a shorter name.' })
    .transform((v) => (v === '' ? undefined : v))
    .optional(),
});

type Query = { profile?: ProfileName; campaign?: string };

function readQuery(url: string | undefined): { ok: true; query: Query } | { ok: false; message: string } {
  const params = new URL(url ?? '/', 'http://localhost').searchParams;
  const parsed = querySchema.safeParse({
    profile: params.get('profile')?.trim().toLowerCase() || undefined,
    campaign: params.get('campaign') ?? undefined,
  });
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((i) => i.message).join(' ') };
  const { profile, campaign } = parsed.data;
  return {
    ok: true,
    query: { ...(profile === undefined ? {} : { profile }), ...(campaign === undefined ? {} : { campaign }) },
  };
}

/** One slot of the 202's `results`, in the order of the body's items. */
export type IngestSlot =
  | IngestResult
  | { status: 'needs_attention'; attentionId: string; reason: string; issues: LeadIssue[] };

/**
 * Group commit: the batches of requests that finish arriving in the same turn of the event loop
 * are stored in one transaction, so a burst of single-lead requests costs one fsync, not one
 * each. Every request still gets its 202 only after the commit that holds its leads and its
 * needs-attention items.
 */
export class GroupCommitter {
  private pending: {
    batch: IntakeBatch;
    resolve: (r: IntakeStored) => void;
    reject: (e: unknown) => void;
  }[] = [];

  constructor(
    private readonly store: Store,
    private readonly attention: AttentionStore,
    private readonly clock: Clock,
    private readonly status?: StorageStatus,
  ) {}

  /** A request's leads and needs-attention items: committed together, with the other requests of this turn. */
  submit(batch: IntakeBatch): Promise<IntakeStored> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ batch, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const group = this.pending;
    this.pending = [];
    const now = this.clock.now();
    const store = (batches: IntakeBatch[]) =>
      // While another process holds the write lock: wait for it on a timer, not on the event loop.
      retryWhileBusy(() => this.attention.storeIntake(this.store, batches, now), {
        client: this.store.db.$client,
      });
    try {
      const stored = await store(group.map((g) => g.batch));
      this.status?.succeeded();
      group.forEach((g, i) => {
        g.resolve(stored[i] ?? { results: [], attentionIds: [] });
      });
    } catch (error) {
      if (storageProblem(error)) {
        this.status?.failed(error);
        for (const g of group) g.reject(error);
        return;
      }
      // One batch's failure must not fail the others: store each on its own.
      for (const g of group) {
        try {
          const [stored] = await store([g.batch]);
          g.resolve(stored ?? { results: [], attentionIds: [] });
        } catch (error) {
          g.reject(error);
        }
      }
    }
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time: comparing fixed-length digests hides both the token's content and its length. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return timingSafeEqual(digest(match?.[1] ?? ''), digest(token)) && match !== null;
}

function isJson(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

/**
 * POST /leads: authenticate, limit, parse and validate, then store the whole batch in one
 * transaction. The 202 goes out only after the commit: a lead that got a 202 is never lost.
 */
export function ingestHandler(deps: IngestDeps) {
  const { logger } = deps;
  const committer = new GroupCommitter(
    deps.store,
    deps.attention ?? new AttentionStore(deps.store.db),
    deps.clock,
    deps.storageStatus,
  );
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') {
      sendJson(res, 405, { error: 'method_not_allowed', message: 'Use POST /leads.' }, { allow: 'POST' });
      return;
    }
    if (deps.ingestToken === undefined) {
      sendJson(res, 404, {
        error: 'ingest_disabled',
        message: 'POST /leads is turned off. Set INGEST_TOKEN (24+ characters) to turn it on.',
      });
      return;
    }
    if (!bearerMatches(req.headers.authorization, deps.ingestToken)) {
      sendJson(
        res,
        401,
        { error: 'unauthorized', message: 'Send the ingest token as: Authorization: Bearer <INGEST_TOKEN>.' },
        { 'www-authenticate': 'Bearer' },
      );
      return;
    }
    const query = readQuery(req.url);
    if (!query.ok) {
      sendJson(res, 400, { error: 'invalid_query', message: query.message });
      return;
    }
    if (!isJson(req.headers['content-type'])) {
      sendJson(res, 415, {
        error: 'unsupported_media_type',
        message: 'Send the lead as JSON with Content-Type: application/json.',
      });
      return;
    }
    let raw: Buffer;
    try {
      raw = await readBody(req, INGEST_BODY_LIMIT);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        // The rest of the body is not read, so the connection cannot be reused.
        res.once('finish', () => req.socket.destroy());
        sendJson(
          res,
          413,
          {
            error: 'payload_too_large',
            message: 'The body is over 1 MiB. Send at most 1000 leads per request.',
          },
          { connection: 'close' },
        );
        return;
      }
      throw error;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      sendJson(res, 400, {
        error: 'invalid_json',
        message: `The body is not valid JSON: ${(error as Error).message}`,
      });
      return;
    }
    const interpretation = interpretBody(body, { ...deps.intake, ...query.query });
    let batch: IntakeBatch;
    if (interpretation.kind === 'native') {
      // Leadloop's own shape: a developer wants the error at once, so any invalid lead refuses all.
      if (!interpretation.parse.ok) {
        sendJson(res, 400, { error: 'invalid_lead', issues: interpretation.parse.issues });
        return;
      }
      batch = { leads: interpretation.parse.leads, attention: [] };
    } else {
      // A vendor's shape: its sender does not retry a 4xx, so what cannot be a lead is kept.
      const { items } = interpretation;
      const wholeBody = items.length === 1 ? raw.toString('utf8') : undefined;
      batch = {
        leads: items.flatMap((item) => (item.ok ? [item.lead] : [])),
        attention: items.flatMap((item, index): AttentionInput[] =>
          item.ok
            ? []
            : [
                {
                  profile: interpretation.profile,
                  profileParam: query.query.profile,
                  campaignParam: query.query.campaign,
                  raw: wholeBody ?? JSON.stringify(item.raw),
                  itemIndex: index,
                  itemCount: items.length,
                  who: guessWho(item.raw),
                  reason: item.reason,
                  issues: item.issues.map((issue) => ({ ...issue, index })),
                },
              ],
        ),
      };
    }
    let stored: IntakeStored;
    try {
      deps.databaseFile?.assertPresent();
      stored = await committer.submit(batch);
      deps.databaseFile?.assertPresent();
    } catch (error) {
      const gone = error instanceof DatabaseGoneError;
      const problem = gone ? error.message : storageProblem(error);
      if (gone) logger.error(error.message);
      else if (problem) logger.warn(`POST /leads answered 503: ${problem}`);
      else logger.error('Storing leads failed', error);
      sendJson(res, 503, {
        error: 'storage_unavailable',
        message: gone
          ? error.message
          : `The leads were not stored${problem ? ` (${problem})` : ''}. Try again.`,
      });
      return;
    }
    const results: IngestSlot[] =
      interpretation.kind === 'native' ? stored.results : slots(interpretation.items, stored);
    sendJson(res, 202, { results });
    const queued = stored.results.filter((r) => r.status === 'queued').length;
    const kept = stored.attentionIds.length;
    if (queued > 0) deps.metrics.leadsReceived.inc({ result: 'queued' }, queued);
    if (queued < stored.results.length)
      deps.metrics.leadsReceived.inc({ result: 'duplicate' }, stored.results.length - queued);
    if (kept > 0) deps.metrics.leadsReceived.inc({ result: 'needs_attention' }, kept);
    if (queued > 0) deps.onQueued();
    if (interpretation.kind === 'vendor' && kept > 0) {
      logger.warn(
        `${kept} lead(s) of a ${interpretation.profile} body could not be stored; kept as needing attention (leadloop attention list)`,
      );
      deps.onAttention?.();
    }
  };
}

/** The 202's results in the body's order: each item's lead result or its needs-attention id. */
function slots(items: readonly VendorItem[], stored: IntakeStored): IngestSlot[] {
  let lead = 0;
  let kept = 0;
  return items.map((item, index): IngestSlot => {
    if (item.ok) return stored.results[lead++] as IngestResult;
    return {
      status: 'needs_attention',
      attentionId: String(stored.attentionIds[kept++]),
      reason: item.reason,
      // Indexed in the body, as in a 400.
      issues: item.issues.map((issue) => ({ ...issue, index })),
    };
  });
}
