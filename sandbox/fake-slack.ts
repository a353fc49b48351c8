import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type WebSocket, WebSocketServer } from 'ws';
import { REQUIRED_BOT_SCOPES } from '../src/doctor/scopes.js';
import { checkCall, loadWebApiSpec } from './spec.js';

/**
 * A local stand-in for Slack's Web API, served over real HTTP so the bot's own WebClient (retries,
 * rate-limit handling, form encoding) is exercised exactly as it would be against slack.com.
 */

export interface RecordedCall {
  method: string;
  /** Request arguments with JSON-string fields (blocks, attachments, metadata, view, files) decoded. */
  args: Record<string, unknown>;
  token: string | undefined;
  /** Date.now() when the request body had been received. */
  at: number;
  /** HTTP status sent; 0 while the response is still pending (e.g. behind a delay fault). */
  status: number;
  /** The JSON body sent, or the text body for non-JSON fault responses; undefined while pending. */
  response: unknown;
}

/**
 * An injected failure. With only `delayMs`, the call is processed on arrival (a post is stored at
 * once) and only the response is held back, which is what a slow Slack looks like to a client that
 * times out and retries. Any other fault leaves state untouched.
 */
export interface Fault {
  /** Respond HTTP 200 `{ ok: false, error }`. */
  error?: string;
  /** Respond with this HTTP status; 429 also gets `Retry-After: retryAfter ?? 1`. */
  status?: number;
  retryAfter?: number;
  delayMs?: number;
  /**
   * Slack acts on the call only after this long, then answers at once: a slow Slack whose post
   * appears in the channel after a client with a shorter timeout has given up on it. Happens
   * even if the client went away meanwhile (not if the fake is closed).
   */
  lateMs?: number;
  /** How many calls this fault applies to; default 1, Infinity until cleared. */
  times?: number;
}

export interface FakeSlackOptions {
  port?: number;
  botToken?: string;
  botUserId?: string;
  botId?: string;
  teamId?: string;
  /** App-level token accepted by apps.connections.open (Socket Mode); default 'xapp-test-token'. */
  appToken?: string;
  checkSpec?: boolean;
  /** Scopes granted to the bot token, sent as `x-oauth-scopes` on every answer; default: manifest.yml's. */
  scopes?: readonly string[];
  /**
   * Slack's "now" in ms, for the ts of new messages (default: the wall clock). A simulation that
   * moves the bot's clock moves Slack's with it, since the bot reads post times from the ts.
   */
  now?: () => number;
}

/** What the app answered to an envelope sent over Socket Mode. */
export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: unknown;
  user?: string;
  bot_id?: string;
  thread_ts?: string;
  reactions: { name: string; users: string[] }[];
}

export interface StoredEphemeral {
  channel: string;
  user: string;
  text?: string;
  blocks?: unknown[];
  thread_ts?: string;
}

export interface StoredFile {
  id: string;
  title?: string;
  filename?: string;
  channel?: string;
  thread_ts?: string;
  initial_comment?: string;
  bytes: Buffer;
}

export interface FakeUser {
  id: string;
  name?: string;
  real_name?: string;
  display_name?: string;
  tz?: string;
  is_bot?: boolean;
}

type Json = Record<string, unknown>;
type Handler = (args: Json) => Json;

/** Thrown by handlers to produce Slack's `{ ok: false, error }` answer. */
class SlackApiError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

const JSON_STRING_FIELDS = ['blocks', 'attachments', 'metadata', 'view', 'files'];
const MAX_BODY_BYTES = 50 * 1024 * 1024;
// Slack rejects more than 50 blocks and more than 40k characters of text; bots hit both in practice.
const MAX_BLOCKS = 50;
const MAX_TEXT_LENGTH = 40_000;
const SEEDED_USER = 'UHUMAN';
const WORKSPACE_URL = 'https://leadloop-sandbox.slack.com/';

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(args: Json, key: string): string | undefined {
  const value = args[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function requireStr(args: Json, key: string, error: string): string {
  const value = str(args, key);
  if (!value) throw new SlackApiError(error);
  return value;
}

/** Form bodies carry booleans as strings, JSON bodies as booleans. */
function flag(args: Json, key: string): boolean {
  const value = args[key];
  return value === true || value === 1 || value === 'true' || value === '1';
}

/** Drops undefined-valued keys so stored and returned objects look like Slack's JSON. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Slack timestamps are seconds plus six fractional digits; as integer microseconds they stay well
 * below 2^53, so they compare exactly, unlike parsing them as floats.
 */
function tsToMicros(ts: string): number {
  const match = /^(\d+)(?:\.(\d{1,6}))?$/.exec(ts.trim());
  if (!match?.[1]) return Number.NaN;
  return Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'));
}

function microsToTs(micros: number): string {
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

function compareTs(a: string, b: string): number {
  return tsToMicros(a) - tsToMicros(b);
}

function blocksArg(args: Json): unknown[] | undefined {
  const blocks = args.blocks;
  if (blocks === undefined || blocks === '') return undefined;
  if (!Array.isArray(blocks)) throw new SlackApiError('invalid_blocks_format');
  if (blocks.length > MAX_BLOCKS || !blocks.every((b) => isRecord(b) && typeof b.type === 'string')) {
    throw new SlackApiError('invalid_blocks');
  }
  return blocks;
}

function attachmentsArg(args: Json): unknown[] | undefined {
  const attachments = args.attachments;
  if (attachments === undefined || attachments === '') return undefined;
  if (!Array.isArray(attachments)) throw new SlackApiError('invalid_attachments');
  return attachments;
}

function metadataArg(args: Json): unknown {
  const metadata = args.metadata;
  if (metadata === undefined || metadata === '') return undefined;
  if (!isRecord(metadata) || typeof metadata.event_type !== 'string' || !isRecord(metadata.event_payload)) {
    throw new SlackApiError('invalid_metadata_format');
  }
  return metadata;
}

function viewArg(args: Json): Json {
  const view = args.view;
  if (!isRecord(view) || typeof view.type !== 'string') throw new SlackApiError('invalid_arguments');
  return view;
}

function textArg(args: Json): string | undefined {
  const text = str(args, 'text');
  if (text !== undefined && text.length > MAX_TEXT_LENGTH) throw new SlackApiError('msg_too_long');
  return text;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

async function parseMultipart(contentType: string, body: Buffer): Promise<[string, string | Buffer][]> {
  // undici's Response already implements multipart parsing; no need for a hand-rolled parser.
  const form = await new Response(new Uint8Array(body), {
    headers: { 'content-type': contentType },
  }).formData();
  const entries: [string, string | Buffer][] = [];
  for (const [key, value] of form.entries()) {
    entries.push([key, typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer())]);
  }
  return entries;
}

class InvalidJsonError extends Error {}

async function parseArgs(contentType: string, body: Buffer): Promise<Json> {
  if (body.length === 0) return {};
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new InvalidJsonError();
    }
    if (!isRecord(parsed)) throw new InvalidJsonError();
    return parsed;
  }
  if (type === 'multipart/form-data') return Object.fromEntries(await parseMultipart(contentType, body));
  return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
}

function decodeJsonFields(args: Json): void {
  for (const key of JSON_STRING_FIELDS) {
    const value = args[key];
    if (typeof value !== 'string') continue;
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed === 'object' && parsed !== null) args[key] = parsed;
    } catch {
      // Left as a string so the handler answers with Slack's format error for that field.
    }
  }
}

function describeCall(call: RecordedCall): string {
  if (call.status === 0) return `${call.method}:pending`;
  if (call.status !== 200) return `${call.method}:HTTP ${call.status}`;
  if (isRecord(call.response) && call.response.ok === true) return `${call.method}:ok`;
  const error = isRecord(call.response) ? String(call.response.error) : 'non-JSON';
  return `${call.method}:error=${error}`;
}

function isOkCall(call: RecordedCall): boolean {
  return call.status === 200 && isRecord(call.response) && call.response.ok === true;
}

interface QueuedFault {
  fault: Fault;
  remaining: number;
}

interface PendingUpload {
  filename: string;
  length: number;
  bytes?: Buffer;
}

/** How long Slack accepts a trigger_id after the click. */
const TRIGGER_LIFETIME_MS = 3000;

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

export class FakeSlack {
  readonly url: string;
  readonly botToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;

  private readonly server: Server;
  private readonly origin: string;
  private readonly checkSpec: boolean;
  private readonly events = new EventEmitter<{
    responded: [RecordedCall];
    closed: [];
    responseUrl: [string];
  }>();
  // Aborts pending delay faults on close() so no timer outlives the server.
  private readonly closing = new AbortController();
  private closed: Promise<void> | undefined;

  private recorded: RecordedCall[] = [];
  private violations: string[] = [];
  private faults = new Map<string, QueuedFault[]>();
  private channels = new Map<string, StoredMessage[]>();
  private ephemeralList: StoredEphemeral[] = [];
  private responseList: { tag: string; body: Json; at: number }[] = [];
  private fileList: StoredFile[] = [];
  private uploads = new Map<string, PendingUpload>();
  private views = new Map<string, Json>();
  // trigger_ids handed out by trigger(): Slack takes each once, and only within 3 s of the click.
  private triggers = new Map<string, { issuedAt: number; used: boolean }>();
  private users = new Map<string, FakeUser>();
  // The bot is a member of every channel except these (see setMembership).
  private channelsLeft = new Set<string>();
  private readonly scopes: readonly string[];
  private readonly now: () => number;
  // Never reset: the bot may keep old ts values in its database, and they must not collide.
  private lastTsMicros = 0;
  private idCounter = 0;

  private readonly handlers: ReadonlyMap<string, Handler> = new Map<string, Handler>([
    ['auth.test', () => this.authTest()],
    ['chat.postMessage', (a) => this.postMessage(a)],
    ['chat.update', (a) => this.update(a)],
    ['chat.delete', (a) => this.deleteMessage(a)],
    ['chat.postEphemeral', (a) => this.postEphemeral(a)],
    ['chat.getPermalink', (a) => this.getPermalink(a)],
    ['conversations.history', (a) => this.history(a)],
    ['conversations.replies', (a) => this.replies(a)],
    ['conversations.open', (a) => this.openConversation(a)],
    ['reactions.get', (a) => this.reactionsGet(a)],
    ['reactions.add', (a) => this.reactionsAdd(a)],
    ['reactions.remove', (a) => this.reactionsRemove(a)],
    ['views.open', (a) => this.viewsOpen(a)],
    ['views.push', (a) => this.viewsOpen(a)],
    ['views.update', (a) => this.viewsUpdate(a)],
    ['views.publish', (a) => this.viewsPublish(a)],
    ['users.info', (a) => this.usersInfo(a)],
    ['files.getUploadURLExternal', (a) => this.getUploadUrl(a)],
    ['files.completeUploadExternal', (a) => this.completeUpload(a)],
    ['apps.connections.open', () => this.openSocketConnection()],
  ]);

  // --- Socket Mode: apps.connections.open hands out a ws:// URL served by this same server ---
  readonly appToken: string;
  private readonly sockets = new WebSocketServer({ noServer: true });
  private readonly acks = new Map<string, (ack: SocketAck) => void>();

  private constructor(server: Server, port: number, options: FakeSlackOptions) {
    this.server = server;
    this.origin = `http://127.0.0.1:${port}`;
    this.url = `${this.origin}/api/`;
    this.botToken = options.botToken ?? 'xoxb-test-token';
    this.botUserId = options.botUserId ?? 'UBOT';
    this.botId = options.botId ?? 'BBOT';
    this.teamId = options.teamId ?? 'T0001';
    this.checkSpec = options.checkSpec ?? true;
    this.appToken = options.appToken ?? 'xapp-test-token';
    this.scopes = options.scopes ?? REQUIRED_BOT_SCOPES;
    this.now = options.now ?? Date.now;
    this.events.setMaxListeners(0);
    server.on('upgrade', (req, socket, head) => {
      if (!new URL(req.url ?? '/', this.origin).pathname.startsWith('/socket')) {
        socket.destroy();
        return;
      }
      this.sockets.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.onRequest(req, res).catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`fake-slack internal error: ${error instanceof Error ? error.message : String(error)}`);
        }
      });
    });
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    // Load now so a missing spec file fails the test setup, not some later call.
    if (options.checkSpec ?? true) loadWebApiSpec();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    return new FakeSlack(server, port, options);
  }

  // --- inspection and control -------------------------------------------------------------

  calls(method?: string): RecordedCall[] {
    return this.recorded.filter((c) => method === undefined || c.method === method).map((c) => ({ ...c }));
  }

  /** Resolves with the first `count` calls to `method` that were answered `ok: true`. */
  waitForCalls(method: string, count: number, options: { timeoutMs?: number } = {}): Promise<RecordedCall[]> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const ready = (): RecordedCall[] | undefined => {
      const ok = this.recorded.filter((c) => c.method === method && isOkCall(c));
      return ok.length >= count ? ok.slice(0, count).map((c) => ({ ...c })) : undefined;
    };
    const already = ready();
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.events.off('responded', onResponded);
        this.events.off('closed', onClosed);
      };
      const onResponded = (): void => {
        const result = ready();
        if (!result) return;
        cleanup();
        resolve(result);
      };
      const onClosed = (): void => {
        cleanup();
        reject(new Error(`FakeSlack closed while waiting for ${count} successful ${method} call(s)`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(this.describeWaitTimeout(method, count, timeoutMs)));
      }, timeoutMs);
      this.events.on('responded', onResponded);
      this.events.on('closed', onClosed);
    });
  }

  /** Calls `listener` after each call is answered; returns a function that unsubscribes. */
  onCall(listener: (call: RecordedCall) => void): () => void {
    this.events.on('responded', listener);
    return () => this.events.off('responded', listener);
  }

  fail(method: string, fault: Fault): void {
    const times = fault.times ?? 1;
    if (!(times > 0)) throw new Error(`fault.times must be positive (or Infinity), got ${times}`);
    if (
      fault.status !== undefined &&
      !(Number.isInteger(fault.status) && fault.status >= 200 && fault.status < 600)
    ) {
      throw new Error(`fault.status must be an HTTP status, got ${fault.status}`);
    }
    if (
      fault.error === undefined &&
      fault.status === undefined &&
      fault.delayMs === undefined &&
      fault.lateMs === undefined
    ) {
      throw new Error('a fault needs error, status, delayMs or lateMs');
    }
    if (fault.lateMs !== undefined && (fault.error !== undefined || fault.status !== undefined)) {
      throw new Error('lateMs is a slow success: it does not go with error or status');
    }
    const queue = this.faults.get(method) ?? [];
    queue.push({ fault: { ...fault }, remaining: times });
    this.faults.set(method, queue);
  }

  clearFaults(method?: string): void {
    if (method === undefined) this.faults.clear();
    else this.faults.delete(method);
  }

  /**
   * A trigger_id as Slack puts in an interaction payload. views.open accepts it once
   * (`exchanged_trigger_id` after) and within 3 s of this call (`expired_trigger_id` after), as
   * Slack does; ids not made here (plain test strings) are accepted as before.
   */
  trigger(): string {
    const id = this.nextId('trigger-');
    this.triggers.set(id, { issuedAt: Date.now(), used: false });
    return id;
  }

  /** Stored messages, oldest first, including thread replies. */
  messages(channel?: string): StoredMessage[] {
    const all =
      channel === undefined ? [...this.channels.values()].flat() : (this.channels.get(channel) ?? []);
    return all.toSorted((a, b) => compareTs(a.ts, b.ts)).map((m) => structuredClone(m));
  }

  /**
   * Seeds a message as if someone else had posted it (user defaults to 'UHUMAN'). A given `ts` is
   * kept, so tests can seed messages in the past; otherwise a fresh one is assigned.
   */
  addMessage(channel: string, message: Partial<StoredMessage> & { text?: string } = {}): StoredMessage {
    if (message.ts !== undefined) {
      const micros = tsToMicros(message.ts);
      if (Number.isNaN(micros)) throw new Error(`not a Slack ts: ${message.ts}`);
      if (this.findMessage(channel, message.ts))
        throw new Error(`message ${channel}/${message.ts} already exists`);
      this.lastTsMicros = Math.max(this.lastTsMicros, micros);
    }
    const stored: StoredMessage = compact({
      ...message,
      user: message.user ?? (message.bot_id === undefined ? SEEDED_USER : undefined),
      channel,
      ts: message.ts ?? this.nextTs(),
      reactions: (message.reactions ?? []).map((r) => ({ name: r.name, users: [...r.users] })),
    });
    this.storeMessage(stored);
    return structuredClone(stored);
  }

  addReaction(channel: string, ts: string, name: string, user: string): void {
    const message = this.findMessage(channel, ts);
    if (!message) throw new Error(`no message ${channel}/${ts} to react to`);
    this.react(message, name, user);
  }

  /** Takes `user`'s reaction off a message, as a person clicking their own reaction does. */
  removeReaction(channel: string, ts: string, name: string, user: string): boolean {
    const message = this.findMessage(channel, ts);
    if (!message) throw new Error(`no message ${channel}/${ts} to remove a reaction from`);
    const reaction = message.reactions.find((r) => r.name === name);
    if (!reaction?.users.includes(user)) return false;
    reaction.users = reaction.users.filter((u) => u !== user);
    if (reaction.users.length === 0) message.reactions.splice(message.reactions.indexOf(reaction), 1);
    return true;
  }

  /** A view as stored by views.open / views.update / views.publish (with its id), if any. */
  view(id: string): Record<string, unknown> | undefined {
    const view = this.views.get(id);
    return view ? structuredClone(view) : undefined;
  }

  /**
   * Whether the bot is in `channel`; it is in every channel unless told otherwise. Outside one,
   * conversations.history and conversations.replies answer not_in_channel, as Slack does for a bot
   * (chat.postMessage still works: chat:write.public).
   */
  setMembership(channel: string, isMember: boolean): void {
    if (isMember) this.channelsLeft.delete(channel);
    else this.channelsLeft.add(channel);
  }

  /** Lets users.info return realistic names; unknown users get names derived from their id. */
  addUser(user: FakeUser): void {
    this.users.set(user.id, { ...user });
  }

  ephemerals(): StoredEphemeral[] {
    return this.ephemeralList.map((e) => structuredClone(e));
  }

  files(): StoredFile[] {
    return this.fileList.map((f) => ({ ...f, bytes: Buffer.from(f.bytes) }));
  }

  specViolations(): string[] {
    return [...this.violations];
  }

  reset(): void {
    this.recorded = [];
    this.violations = [];
    this.faults = new Map();
    this.channels = new Map();
    this.ephemeralList = [];
    this.responseList = [];
    this.fileList = [];
    this.uploads = new Map();
    this.views = new Map();
    this.users = new Map();
    this.channelsLeft = new Set();
  }

  /** Resolves once a Socket Mode client is connected (it got its hello). */
  socketConnected(timeoutMs = 5_000): Promise<void> {
    if (this.openSockets().length > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('No Socket Mode client connected')), timeoutMs);
      this.sockets.once('connection', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Sends an envelope over Socket Mode as Slack does (events_api, interactive, slash_commands)
   * and resolves with the app's ack.
   */
  sendEnvelope(
    type: 'events_api' | 'interactive' | 'slash_commands',
    payload: unknown,
    options: { retryAttempt?: number; timeoutMs?: number } = {},
  ): Promise<SocketAck> {
    const socket = this.openSockets()[0];
    if (!socket) return Promise.reject(new Error('No Socket Mode client is connected'));
    this.idCounter += 1;
    const envelopeId = `env-${this.idCounter}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks.delete(envelopeId);
        reject(new Error(`No ack for ${type} envelope ${envelopeId}`));
      }, options.timeoutMs ?? 5_000);
      this.acks.set(envelopeId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
      socket.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: type !== 'events_api',
          retry_attempt: options.retryAttempt ?? 0,
          retry_reason: options.retryAttempt ? 'timeout' : '',
        }),
      );
    });
  }

  /**
   * Sends any text over Socket Mode, as a broken or hostile Slack might (a malformed envelope),
   * and resolves with the ack for `envelopeId` if the app sends one within `timeoutMs`, else
   * undefined.
   */
  sendRaw(
    text: string,
    options: { envelopeId?: string; timeoutMs?: number } = {},
  ): Promise<SocketAck | undefined> {
    const socket = this.openSockets()[0];
    if (!socket) return Promise.reject(new Error('No Socket Mode client is connected'));
    const envelopeId = options.envelopeId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (envelopeId) this.acks.delete(envelopeId);
        resolve(undefined);
      }, options.timeoutMs ?? 1_000);
      if (envelopeId) {
        this.acks.set(envelopeId, (ack) => {
          clearTimeout(timer);
          resolve(ack);
        });
      }
      socket.send(text);
    });
  }

  private openSockets(): WebSocket[] {
    return [...this.sockets.clients].filter((ws) => ws.readyState === ws.OPEN);
  }

  private openSocketConnection(): Json {
    this.idCounter += 1;
    return { url: `${this.origin.replace('http', 'ws')}/socket?ticket=${this.idCounter}` };
  }

  private onSocket(ws: WebSocket): void {
    ws.on('message', (data) => {
      let ack: SocketAck;
      try {
        ack = JSON.parse(data.toString()) as SocketAck;
      } catch {
        return;
      }
      this.acks.get(ack.envelope_id)?.(ack);
      this.acks.delete(ack.envelope_id);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'fake-slack', approximate_connection_time: 3600 },
        connection_info: { app_id: 'A0LEADLOOP' },
      }),
    );
  }

  close(): Promise<void> {
    if (!this.closed) {
      for (const ws of this.sockets.clients) ws.terminate();
      this.sockets.close();
      this.closing.abort();
      this.events.emit('closed');
      this.closed = new Promise<void>((resolve, reject) => {
        this.server.close((error) => (error ? reject(error) : resolve()));
        // server.close() alone waits for idle keep-alive sockets from the WebClient's fetch pool.
        this.server.closeAllConnections();
      });
    }
    return this.closed;
  }

  /**
   * A response_url as Slack puts in interaction payloads: what the bot POSTs there (replace or
   * delete an ephemeral, reply to a command) is recorded under `tag`.
   */
  responseUrl(tag: string): string {
    return `${this.origin}/response/${tag}`;
  }

  responses(tag?: string): { tag: string; body: Json; at: number }[] {
    return this.responseList.filter((r) => tag === undefined || r.tag === tag);
  }

  /** Calls `listener` after each POST to a response_url; returns a function that unsubscribes. */
  onResponse(listener: (response: { tag: string; body: Json; at: number }) => void): () => void {
    const onTag = (tag: string) => {
      const latest = this.responseList.findLast((r) => r.tag === tag);
      if (latest) listener(latest);
    };
    this.events.on('responseUrl', onTag);
    return () => this.events.off('responseUrl', onTag);
  }

  // --- HTTP plumbing ------------------------------------------------------------------------

  private async onResponseUrl(tag: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('invalid_json');
      return;
    }
    this.responseList.push({ tag, body: isRecord(parsed) ? parsed : { value: parsed }, at: Date.now() });
    this.events.emit('responseUrl', tag);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestUrl = new URL(req.url ?? '/', this.origin);
    const upload = /^\/upload\/([A-Za-z0-9]+)$/.exec(requestUrl.pathname);
    if (upload?.[1]) return this.onUpload(upload[1], req, res);
    const response = /^\/response\/([A-Za-z0-9_-]+)$/.exec(requestUrl.pathname);
    if (response?.[1]) return this.onResponseUrl(response[1], req, res);
    const api = /^\/api\/([A-Za-z0-9_.]+)$/.exec(requestUrl.pathname);
    if (!api?.[1]) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const method = api[1];

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      res.writeHead(413, { 'content-type': 'text/plain' });
      res.end(error instanceof Error ? error.message : 'request too large');
      return;
    }
    let args: Json = Object.fromEntries(requestUrl.searchParams);
    let invalidJson = false;
    try {
      args = { ...args, ...(await parseArgs(req.headers['content-type'] ?? '', body)) };
    } catch (error) {
      if (!(error instanceof InvalidJsonError)) throw error;
      invalidJson = true;
    }
    const bodyToken = str(args, 'token');
    delete args.token;
    decodeJsonFields(args);
    const header = req.headers.authorization;
    const token = header === undefined ? bodyToken : /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const tokenPresent = header !== undefined || bodyToken !== undefined;

    const call: RecordedCall = { method, args, token, at: Date.now(), status: 0, response: undefined };
    this.recorded.push(call);
    if (this.checkSpec) this.violations.push(...checkCall(method, args));

    const fault = this.takeFault(method);
    let reply: Reply;
    if (fault && (fault.error !== undefined || (fault.status ?? 200) !== 200)) {
      if (fault.delayMs && !(await this.delay(fault.delayMs))) return;
      reply = this.faultReply(fault);
    } else {
      if (fault?.lateMs && !(await this.delay(fault.lateMs))) return;
      reply = invalidJson
        ? { status: 200, body: { ok: false, error: 'invalid_json' } }
        : this.dispatch(method, args, token, tokenPresent);
      if (fault?.delayMs && !(await this.delay(fault.delayMs))) return;
    }
    this.send(res, call, reply);
  }

  /** False when the server closed during the wait, in which case nobody is left to answer. */
  private async delay(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.closing.signal });
      return true;
    } catch {
      return false;
    }
  }

  private send(res: ServerResponse, call: RecordedCall, reply: Reply): void {
    if (res.destroyed) return;
    const isText = typeof reply.body === 'string';
    res.writeHead(reply.status, {
      'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
      'x-oauth-scopes': this.scopes.join(','),
      ...reply.headers,
    });
    res.end(isText ? reply.body : JSON.stringify(reply.body));
    call.status = reply.status;
    call.response = reply.body;
    this.events.emit('responded', call);
  }

  private takeFault(method: string): Fault | undefined {
    const queue = this.faults.get(method);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    return head.fault;
  }

  private faultReply(fault: Fault): Reply {
    if (fault.status === 429) {
      return {
        status: 429,
        body: { ok: false, error: 'ratelimited' },
        headers: { 'retry-after': String(fault.retryAfter ?? 1) },
      };
    }
    if (fault.status !== undefined && fault.status !== 200) {
      return { status: fault.status, body: `fake-slack: injected HTTP ${fault.status}` };
    }
    return { status: 200, body: { ok: false, error: fault.error } };
  }

  private dispatch(method: string, args: Json, token: string | undefined, tokenPresent: boolean): Reply {
    const handler = this.handlers.get(method);
    if (!handler) {
      const body: Json = { ok: false, error: 'unknown_method' };
      // Surfaces through WebClient's logger, so a gap in the fake is not mistaken for a bot bug.
      if (this.checkSpec && loadWebApiSpec().methods.has(method)) {
        body.response_metadata = { messages: [`[WARN] fake-slack does not implement ${method}`] };
      }
      return { status: 200, body };
    }
    if (!tokenPresent) return { status: 200, body: { ok: false, error: 'not_authed' } };
    const expected = method === 'apps.connections.open' ? this.appToken : this.botToken;
    if (token !== expected) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    try {
      return { status: 200, body: { ok: true, ...handler(args) } };
    } catch (error) {
      if (error instanceof SlackApiError) return { status: 200, body: { ok: false, error: error.code } };
      throw error;
    }
  }

  private async onUpload(fileId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pending = this.uploads.get(fileId);
    const body = await readBody(req);
    if (!pending) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`unknown upload ${fileId}`);
      return;
    }
    const contentType = req.headers['content-type'] ?? '';
    if (contentType.toLowerCase().startsWith('multipart/form-data')) {
      // WebClient wraps the bytes in a multipart form; keep the file part, not the envelope.
      const file = (await parseMultipart(contentType, body)).find(([, v]) => Buffer.isBuffer(v))?.[1];
      pending.bytes = Buffer.isBuffer(file) ? file : Buffer.alloc(0);
    } else {
      pending.bytes = body;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${pending.bytes.length}`);
  }

  private describeWaitTimeout(method: string, count: number, timeoutMs: number): string {
    const ofMethod = this.recorded.filter((c) => c.method === method);
    const okCount = ofMethod.filter(isOkCall).length;
    const recent = this.recorded.slice(-30).map(describeCall);
    const more =
      this.recorded.length > recent.length ? ` (last ${recent.length} of ${this.recorded.length})` : '';
    return (
      `Timed out after ${timeoutMs} ms waiting for ${count} successful ${method} call(s): ` +
      `got ${okCount} successful of ${ofMethod.length} ${method} call(s). ` +
      `Calls seen${more}: ${recent.length > 0 ? recent.join(', ') : 'none'}`
    );
  }

  // --- state helpers ------------------------------------------------------------------------

  private nextTs(): string {
    const nowMicros = Math.floor(this.now() / 1000) * 1_000_000;
    this.lastTsMicros = Math.max(nowMicros + 100, this.lastTsMicros + 100);
    return microsToTs(this.lastTsMicros);
  }

  private nextId(prefix: string): string {
    this.idCounter += 1;
    return `${prefix}${String(this.idCounter).padStart(8, '0')}`;
  }

  private storeMessage(message: StoredMessage): void {
    const list = this.channels.get(message.channel) ?? [];
    list.push(message);
    list.sort((a, b) => compareTs(a.ts, b.ts));
    this.channels.set(message.channel, list);
  }

  private findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.channels.get(channel)?.find((m) => m.ts === ts);
  }

  private requireMessage(args: Json, tsKey: string): StoredMessage {
    const channel = requireStr(args, 'channel', 'channel_not_found');
    const ts = requireStr(args, tsKey, tsKey === 'timestamp' ? 'bad_timestamp' : 'message_not_found');
    const message = this.findMessage(channel, ts);
    if (!message) throw new SlackApiError('message_not_found');
    return message;
  }

  private requireMember(channel: string): void {
    if (this.channelsLeft.has(channel)) throw new SlackApiError('not_in_channel');
  }

  private react(message: StoredMessage, rawName: string, user: string): boolean {
    const name = rawName.replace(/^:|:$/g, '');
    let reaction = message.reactions.find((r) => r.name === name);
    if (!reaction) {
      reaction = { name, users: [] };
      message.reactions.push(reaction);
    }
    if (reaction.users.includes(user)) return false;
    reaction.users.push(user);
    return true;
  }

  /** The shape conversations.history and friends return; metadata only when asked for, as Slack does. */
  private apiMessage(message: StoredMessage, includeMetadata: boolean): Json {
    const replies = (this.channels.get(message.channel) ?? []).filter(
      (m) => m.thread_ts === message.ts && m.ts !== message.ts,
    );
    const isParent = replies.length > 0;
    return compact({
      type: 'message',
      user: message.user,
      bot_id: message.bot_id,
      text: message.text ?? '',
      ts: message.ts,
      team: this.teamId,
      blocks: message.blocks,
      attachments: message.attachments,
      thread_ts: message.thread_ts ?? (isParent ? message.ts : undefined),
      reply_count: isParent ? replies.length : undefined,
      latest_reply: isParent ? replies.at(-1)?.ts : undefined,
      metadata: includeMetadata ? message.metadata : undefined,
      // Slack omits the key entirely when there are no reactions.
      reactions:
        message.reactions.length > 0
          ? message.reactions.map((r) => ({ name: r.name, users: [...r.users], count: r.users.length }))
          : undefined,
    });
  }

  // --- method handlers ----------------------------------------------------------------------

  private authTest(): Json {
    return {
      url: WORKSPACE_URL,
      team: 'Sandbox',
      user: 'leadloop',
      team_id: this.teamId,
      user_id: this.botUserId,
      bot_id: this.botId,
      is_enterprise_install: false,
    };
  }

  private postMessage(args: Json): Json {
    const channel = requireStr(args, 'channel', 'channel_not_found');
    const text = textArg(args);
    const blocks = blocksArg(args);
    const attachments = attachmentsArg(args);
    if (!text && !blocks?.length && !attachments?.length) throw new SlackApiError('no_text');
    const message: StoredMessage = compact({
      channel,
      ts: this.nextTs(),
      text,
      blocks,
      attachments,
      metadata: metadataArg(args),
      user: this.botUserId,
      bot_id: this.botId,
      thread_ts: str(args, 'thread_ts') || undefined,
      reactions: [],
    });
    this.storeMessage(message);
    return { channel, ts: message.ts, message: this.apiMessage(message, true) };
  }

  private update(args: Json): Json {
    const message = this.requireMessage(args, 'ts');
    if (message.user !== this.botUserId) throw new SlackApiError('cant_update_message');
    const text = textArg(args);
    const blocks = blocksArg(args);
    const attachments = attachmentsArg(args);
    const metadata = metadataArg(args);
    // Omitted fields keep their old value; an empty blocks array removes the blocks, as in Slack.
    if (text !== undefined) message.text = text;
    if (blocks?.length) message.blocks = blocks;
    else if (blocks) delete message.blocks;
    if (attachments !== undefined) message.attachments = attachments;
    if (metadata !== undefined) message.metadata = metadata;
    return {
      channel: message.channel,
      ts: message.ts,
      text: message.text ?? '',
      message: this.apiMessage(message, true),
    };
  }

  private deleteMessage(args: Json): Json {
    const message = this.requireMessage(args, 'ts');
    if (message.user !== this.botUserId) throw new SlackApiError('cant_delete_message');
    const list = this.channels.get(message.channel) ?? [];
    list.splice(list.indexOf(message), 1);
    return { channel: message.channel, ts: message.ts };
  }

  private postEphemeral(args: Json): Json {
    const channel = requireStr(args, 'channel', 'channel_not_found');
    const user = requireStr(args, 'user', 'user_not_in_channel');
    const text = textArg(args);
    const blocks = blocksArg(args);
    if (!text && !blocks?.length && !attachmentsArg(args)?.length) throw new SlackApiError('no_text');
    this.ephemeralList.push(compact({ channel, user, text, blocks, thread_ts: str(args, 'thread_ts') }));
    return { message_ts: this.nextTs() };
  }

  private getPermalink(args: Json): Json {
    const message = this.requireMessage(args, 'message_ts');
    return {
      channel: message.channel,
      permalink: `${WORKSPACE_URL}archives/${message.channel}/p${message.ts.replace('.', '')}`,
    };
  }

  private history(args: Json): Json {
    const channel = requireStr(args, 'channel', 'channel_not_found');
    this.requireMember(channel);
    const inclusive = flag(args, 'inclusive');
    const bound = (key: 'oldest' | 'latest'): number | undefined => {
      const value = str(args, key);
      if (value === undefined || value === '') return undefined;
      const micros = tsToMicros(value);
      if (Number.isNaN(micros)) throw new SlackApiError(`invalid_ts_${key}`);
      return micros;
    };
    const oldest = bound('oldest');
    let latest = bound('latest');
    const cursor = str(args, 'cursor');
    if (cursor) {
      // Our cursor is just the ts of the last message on the previous page, base64-wrapped.
      const cursorTs = Buffer.from(cursor, 'base64').toString('utf8').replace(/^ts:/, '');
      const micros = tsToMicros(cursorTs);
      if (Number.isNaN(micros)) throw new SlackApiError('invalid_cursor');
      latest = latest === undefined ? micros : Math.min(latest, micros);
    }
    const limit = Math.min(Math.max(Number(str(args, 'limit') ?? 100) || 100, 1), 999);
    const includeMetadata = flag(args, 'include_all_metadata');
    const matching = (this.channels.get(channel) ?? [])
      // Thread replies live in conversations.replies, not in the channel history.
      .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts)
      .filter((m) => {
        const t = tsToMicros(m.ts);
        if (oldest !== undefined && (inclusive ? t < oldest : t <= oldest)) return false;
        if (latest !== undefined && (inclusive && !cursor ? t > latest : t >= latest)) return false;
        return true;
      })
      .toSorted((a, b) => compareTs(b.ts, a.ts));
    const page = matching.slice(0, limit);
    const hasMore = matching.length > limit;
    const last = page.at(-1);
    return compact({
      messages: page.map((m) => this.apiMessage(m, includeMetadata)),
      has_more: hasMore,
      pin_count: 0,
      response_metadata:
        hasMore && last ? { next_cursor: Buffer.from(`ts:${last.ts}`).toString('base64') } : undefined,
    });
  }

  private replies(args: Json): Json {
    this.requireMember(requireStr(args, 'channel', 'channel_not_found'));
    const parent = this.requireMessage(args, 'ts');
    const includeMetadata = flag(args, 'include_all_metadata');
    const thread = (this.channels.get(parent.channel) ?? []).filter(
      (m) => m === parent || m.thread_ts === parent.ts,
    );
    return { messages: thread.map((m) => this.apiMessage(m, includeMetadata)), has_more: false };
  }

  private openConversation(args: Json): Json {
    const users = (str(args, 'users') ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    const channel = str(args, 'channel');
    if (users.length === 0) {
      if (!channel) throw new SlackApiError('users_list_not_supplied');
      return { channel: { id: channel } };
    }
    const id = users.length === 1 ? `D${users[0]}` : `G${users.toSorted().join('')}`;
    return { channel: { id } };
  }

  private reactionsGet(args: Json): Json {
    const message = this.requireMessage(args, 'timestamp');
    return { type: 'message', channel: message.channel, message: this.apiMessage(message, false) };
  }

  private reactionsAdd(args: Json): Json {
    const message = this.requireMessage(args, 'timestamp');
    const name = requireStr(args, 'name', 'invalid_name');
    if (!this.react(message, name, this.botUserId)) throw new SlackApiError('already_reacted');
    return {};
  }

  private reactionsRemove(args: Json): Json {
    const message = this.requireMessage(args, 'timestamp');
    const name = requireStr(args, 'name', 'invalid_name').replace(/^:|:$/g, '');
    const reaction = message.reactions.find((r) => r.name === name);
    if (!reaction?.users.includes(this.botUserId)) throw new SlackApiError('no_reaction');
    reaction.users = reaction.users.filter((u) => u !== this.botUserId);
    if (reaction.users.length === 0) message.reactions.splice(message.reactions.indexOf(reaction), 1);
    return {};
  }

  private storeView(id: string, view: Json): Json {
    const stored: Json = {
      ...view,
      id,
      team_id: this.teamId,
      state: { values: {} },
      hash: `${Date.now()}.${this.nextId('h')}`,
      root_view_id: id,
      bot_id: this.botId,
    };
    this.views.set(id, stored);
    return { view: stored };
  }

  private viewsOpen(args: Json): Json {
    const trigger = this.triggers.get(requireStr(args, 'trigger_id', 'invalid_arguments'));
    if (trigger?.used) throw new SlackApiError('exchanged_trigger_id');
    if (trigger && Date.now() - trigger.issuedAt > TRIGGER_LIFETIME_MS) {
      throw new SlackApiError('expired_trigger_id');
    }
    if (trigger) trigger.used = true;
    return this.storeView(this.nextId('V'), viewArg(args));
  }

  private viewsUpdate(args: Json): Json {
    const view = viewArg(args);
    const viewId = str(args, 'view_id');
    const externalId = str(args, 'external_id');
    if (!viewId && !externalId) throw new SlackApiError('invalid_arguments');
    const byExternal = [...this.views.values()].find((v) => externalId && v.external_id === externalId);
    const id = viewId || (typeof byExternal?.id === 'string' ? byExternal.id : this.nextId('V'));
    return this.storeView(id, view);
  }

  private viewsPublish(args: Json): Json {
    const userId = requireStr(args, 'user_id', 'invalid_arguments');
    // Each user has one Home tab, so its view id is stable across publishes.
    return this.storeView(`VHOME${userId}`, viewArg(args));
  }

  private usersInfo(args: Json): Json {
    const id = requireStr(args, 'user', 'user_not_found');
    const isBot = id === this.botUserId;
    const known = this.users.get(id);
    const name = known?.name ?? (isBot ? 'leadloop' : id.toLowerCase());
    const realName = known?.real_name ?? (isBot ? 'Leadloop' : `User ${id}`);
    return {
      user: {
        id,
        team_id: this.teamId,
        name,
        real_name: realName,
        deleted: false,
        is_bot: known?.is_bot ?? isBot,
        tz: known?.tz ?? 'UTC',
        tz_offset: 0,
        profile: { display_name: known?.display_name ?? name, real_name: realName },
      },
    };
  }

  private getUploadUrl(args: Json): Json {
    const filename = requireStr(args, 'filename', 'invalid_arguments');
    const length = Number(str(args, 'length'));
    if (!Number.isInteger(length) || length < 0) throw new SlackApiError('invalid_arguments');
    const fileId = this.nextId('F');
    this.uploads.set(fileId, { filename, length });
    return { upload_url: `${this.origin}/upload/${fileId}`, file_id: fileId };
  }

  private completeUpload(args: Json): Json {
    const files = args.files;
    if (!Array.isArray(files) || files.length === 0) throw new SlackApiError('invalid_arguments');
    const entries = files.map((f) => {
      if (!isRecord(f) || typeof f.id !== 'string') throw new SlackApiError('invalid_arguments');
      const pending = this.uploads.get(f.id);
      if (!pending?.bytes) throw new SlackApiError('file_not_found');
      return {
        id: f.id,
        title: typeof f.title === 'string' ? f.title : undefined,
        pending,
        bytes: pending.bytes,
      };
    });
    const channel = str(args, 'channel_id') || undefined;
    const response = entries.map(({ id, title, pending, bytes }) => {
      this.uploads.delete(id);
      this.fileList.push(
        compact({
          id,
          title,
          filename: pending.filename,
          channel,
          thread_ts: str(args, 'thread_ts') || undefined,
          initial_comment: str(args, 'initial_comment') || undefined,
          bytes,
        }),
      );
      return compact({
        id,
        title: title ?? pending.filename,
        name: pending.filename,
        size: bytes.length,
        channels: channel ? [channel] : [],
      });
    });
    return { files: response };
  }
}
