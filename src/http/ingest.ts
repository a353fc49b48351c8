import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@slack/logger';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { LeadInput, LeadIssue } from '../domain/lead.js';
import {
  type Interpretation,
  interpretBody,
  type LeadMapping,
  PROFILE_NAMES,
  type ProfileName,
} from '../intake/index.js';
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
  /** How vendors' bodies are read: the admin mapping, and the zone of times without an offset. */
  intake: { mapping: LeadMapping; timezone: string };
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

/** The leads to store, or every issue (each with its item's index in the body). */
function leadsOf(
  interpretation: Interpretation,
): { ok: true; leads: LeadInput[] } | { ok: false; issues: LeadIssue[] } {
  if (interpretation.kind === 'native') return interpretation.parse;
  const leads: LeadInput[] = [];
  const issues: LeadIssue[] = [];
  interpretation.items.forEach((item, index) => {
    if (item.ok) leads.push(item.lead);
    else issues.push(...item.issues.map((issue) => ({ ...issue, index })));
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, leads };
}

/**
 * Group commit: the batches of requests that finish arriving in the same turn of the event loop
 * are stored in one transaction, so a burst of single-lead requests costs one fsync, not one
 * each. Every request still gets its 202 only after the commit that holds its leads.
 */
export class GroupCommitter {
  private pending: {
    leads: LeadInput[];
    resolve: (r: IngestResult[]) => void;
    reject: (e: unknown) => void;
  }[] = [];

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  submit(leads: LeadInput[]): Promise<IngestResult[]> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({ leads, resolve, reject });
    });
  }

  private flush(): void {
    const group = this.pending;
    this.pending = [];
    const now = this.clock.now();
    try {
      const results = this.store.insertLeadBatches(
        group.map((g) => g.leads),
        now,
      );
      group.forEach((g, i) => {
        g.resolve(results[i] ?? []);
      });
    } catch {
      // One batch's failure must not fail the others: store each on its own.
      for (const g of group) {
        try {
          g.resolve(this.store.insertLeads(g.leads, now));
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
  const committer = new GroupCommitter(deps.store, deps.clock);
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
    const parsed = leadsOf(interpretation);
    if (!parsed.ok) {
      // A vendor's lead that cannot be one is refused whole for now, naming the real problem.
      const profile = interpretation.kind === 'vendor' ? { profile: interpretation.profile } : {};
      sendJson(res, 400, { error: 'invalid_lead', ...profile, issues: parsed.issues });
      return;
    }
    let results: IngestResult[];
    try {
      results = await committer.submit(parsed.leads);
    } catch (error) {
      logger.error('Storing leads failed', error);
      sendJson(res, 503, { error: 'storage_unavailable', message: 'The leads were not stored. Try again.' });
      return;
    }
    sendJson(res, 202, { results });
    if (results.some((r) => r.status === 'queued')) deps.onQueued();
  };
}
