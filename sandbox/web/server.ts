import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { Clock } from '../../src/clock.js';
import type { FakeSlack } from '../fake-slack.js';
import { blockAction, postSigned, reactionEvent, slashCommand, viewSubmission } from '../slack-requests.js';
import {
  commandFragment,
  digestFragment,
  leadsFragment,
  modalFragment,
  type PageSettings,
  pageHtml,
} from './page.js';
import type { RenderContext } from './render.js';
import type { Area, Workspace } from './workspace.js';

/**
 * The sandbox page's server. Reads come from the fake Slack and the workspace state; every
 * action is sent to the bot as Slack sends it (signed, to /slack/events), and new leads go
 * through the bot's own POST /leads. Binds to loopback only.
 */

export interface PageServerOptions {
  fake: FakeSlack;
  workspace: Workspace;
  settings: PageSettings;
  /** The bot's base URL, e.g. http://127.0.0.1:3001 */
  botUrl: string;
  signingSecret: string;
  ingestToken: string;
  timeZone: string;
  clock: Clock;
  /** Sends the digest now (the CLI's path); resolves with what the command printed. */
  sendDigest: () => Promise<string>;
  port: number;
}

export interface PageServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 256 * 1024;

const userField = z.string().regex(/^[UW][A-Z0-9]+$/, 'a Slack user id');
const reactBody = z.object({
  user: userField,
  channel: z.string().min(1),
  ts: z.string().min(1),
  name: z.string().min(1),
});
const actionBody = z.object({
  user: userField,
  channel: z.string().min(1),
  ts: z.string().optional(),
  ephemeral: z.string().optional(),
  actionId: z.string().min(1),
  blockId: z.string().optional(),
  value: z.string().optional(),
  text: z.string().optional(),
  selected: z.string().optional(),
  selectedLabel: z.string().optional(),
});
const viewBody = z.object({
  user: userField,
  viewId: z.string().min(1),
  values: z
    .array(
      z.object({
        block: z.string(),
        action: z.string(),
        type: z.enum(['static_select', 'plain_text_input']),
        value: z.string(),
        label: z.string().nullish(),
      }),
    )
    .max(100),
});
const userBody = z.object({ user: userField });
const commandBody = z.object({ user: userField, text: z.string().max(4000) });
const leadBody = z.object({ user: userField, fields: z.record(z.string(), z.string().max(5000)) });

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY) throw new BadRequest('body too large');
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest('invalid JSON');
  }
}

class BadRequest extends Error {}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new BadRequest(z.prettifyError(result.error));
  return result.data;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

/** `/leadstats 7d reasons` → command and text, as Slack splits what was typed. */
export function splitCommand(typed: string): { command: string; text: string } {
  const trimmed = typed.trim();
  const match = /^(\/[a-z0-9_-]+)\s*([\s\S]*)$/i.exec(trimmed);
  return match
    ? { command: (match[1] ?? '').toLowerCase(), text: match[2] ?? '' }
    : { command: '/leadstats', text: trimmed };
}

/** What the typed lead form fields become in POST /leads: empty fields left out, the score a number. */
export function leadFromForm(fields: Record<string, string>): Record<string, unknown> {
  const lead: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(fields)) {
    const value = raw.trim();
    if (value === '') continue;
    lead[key] = key === 'score' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  return lead;
}

export async function startPageServer(options: PageServerOptions): Promise<PageServer> {
  const { fake, workspace, settings } = options;
  const events = `${options.botUrl}/slack/events`;
  const defaultUser = settings.users[0]?.id ?? 'U0REP0001';
  const clients = new Set<ServerResponse>();

  const context = (): RenderContext => ({
    names: new Map(settings.users.map((u) => [u.id, u.name])),
    now: options.clock.now(),
    timeZone: options.timeZone,
  });
  const input = (user: string) => ({ fake, workspace, settings, context: context(), user });
  const toBot = (payload: { type: string }) =>
    payload.type === 'event_callback'
      ? postSigned(events, options.signingSecret, { json: payload })
      : postSigned(events, options.signingSecret, { form: { payload: JSON.stringify(payload) } });

  const offChange = workspace.onChange((area: Area) => {
    for (const client of clients) client.write(`event: change\ndata: ${area}\n\n`);
  });

  async function react(body: unknown): Promise<unknown> {
    const { user, channel, ts, name } = parse(reactBody, body);
    const message = fake.messages(channel).find((m) => m.ts === ts);
    if (!message) throw new BadRequest('no such message');
    const mine = message.reactions.some((r) => r.name === name && r.users.includes(user));
    // The fake holds the reaction first, as Slack does before it sends the event, so that
    // reactions.get (reconcile) always agrees with what the bot was told.
    if (mine) fake.removeReaction(channel, ts, name, user);
    else fake.addReaction(channel, ts, name, user);
    workspace.channelChanged(channel);
    const res = await toBot(
      reactionEvent({
        type: mine ? 'reaction_removed' : 'reaction_added',
        user,
        reaction: name,
        channel,
        ts,
        // The sandbox is Slack here: its events carry its own "now", the demo's clock.
        eventTs: (options.clock.now() / 1000).toFixed(6),
      }),
    );
    return { ok: res.ok, status: res.status };
  }

  async function action(body: unknown): Promise<unknown> {
    const a = parse(actionBody, body);
    const ephemeral = a.ephemeral ? workspace.ephemeral(a.ephemeral) : undefined;
    if (a.ephemeral && !ephemeral) throw new BadRequest('that message is gone');
    const res = await toBot(
      blockAction({
        user: a.user,
        actionId: a.actionId,
        blockId: a.blockId,
        value: a.value,
        text: a.text,
        selected: a.selected,
        selectedLabel: a.selectedLabel,
        channel: a.channel,
        messageTs: ephemeral ? ephemeral.id : a.ts,
        container: ephemeral ? 'ephemeral' : 'message',
        responseUrl: fake.responseUrl(ephemeral ? ephemeral.tag : workspace.nextTag('eph')),
        triggerId: workspace.trigger(a.user),
      }),
    );
    return { ok: res.ok, status: res.status };
  }

  async function submitView(body: unknown): Promise<unknown> {
    const { user, viewId, values } = parse(viewBody, body);
    const modal = workspace.modal(user);
    if (!modal || modal.viewId !== viewId) throw new BadRequest('that modal is closed');
    const state: Record<string, Record<string, unknown>> = {};
    for (const v of values) {
      const blockState = state[v.block] ?? {};
      blockState[v.action] =
        v.type === 'static_select'
          ? {
              type: 'static_select',
              selected_option:
                v.value === ''
                  ? null
                  : { text: { type: 'plain_text', text: v.label ?? v.value, emoji: true }, value: v.value },
            }
          : { type: 'plain_text_input', value: v.value === '' ? null : v.value };
      state[v.block] = blockState;
    }
    const res = await toBot(
      viewSubmission({
        user,
        callbackId: String(modal.view.callback_id ?? ''),
        privateMetadata: String(modal.view.private_metadata ?? ''),
        values: state,
        viewId,
      }),
    );
    const text = await res.text();
    const answer = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!res.ok) throw new Error(`the bot answered the view submission with HTTP ${res.status}`);
    if (answer.response_action === 'errors') {
      workspace.showModalErrors(user, (answer.errors ?? {}) as Record<string, string>);
      return { ok: false, errors: answer.errors };
    }
    if (answer.response_action === 'update' && answer.view && typeof answer.view === 'object') {
      workspace.replaceModalView(user, answer.view as Record<string, unknown>);
      return { ok: true };
    }
    workspace.closeModal(user);
    return { ok: true };
  }

  async function command(body: unknown): Promise<unknown> {
    const { user, text } = parse(commandBody, body);
    const typed = splitCommand(text);
    const run = workspace.startCommand(user, `${typed.command} ${typed.text}`.trim());
    const res = await postSigned(events, options.signingSecret, {
      form: slashCommand({
        command: typed.command,
        text: typed.text,
        user,
        userName: settings.users.find((u) => u.id === user)?.name ?? user,
        channel: settings.leadsChannel,
        channelName: settings.channelNames.get(settings.leadsChannel) ?? 'leads',
        responseUrl: fake.responseUrl(run.tag),
      }),
    });
    const ack = await res.text();
    if (!res.ok) {
      workspace.addCommandReply(run.tag, {
        via: 'ack',
        text: `${typed.command} failed: the app answered HTTP ${res.status}. ${ack}`,
        blocks: undefined,
        inChannel: false,
      });
    } else if (ack) {
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(ack) as Record<string, unknown>;
      } catch {
        parsed = { text: ack };
      }
      workspace.addCommandReply(run.tag, {
        via: 'ack',
        text: typeof parsed.text === 'string' ? parsed.text : '',
        blocks: Array.isArray(parsed.blocks) ? parsed.blocks : undefined,
        inChannel: parsed.response_type === 'in_channel',
      });
    } else {
      workspace.touch('command');
    }
    return { ok: res.ok, status: res.status };
  }

  async function newLead(body: unknown): Promise<{ status: number; body: unknown }> {
    const { fields } = parse(leadBody, body);
    const res = await fetch(`${options.botUrl}/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.ingestToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(leadFromForm(fields)),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Shown as text.
    }
    return { status: res.status, body: parsed };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const user = userField.safeParse(url.searchParams.get('user')).data ?? defaultUser;
    if (req.method === 'GET') {
      if (url.pathname === '/') return send(res, 200, 'text/html; charset=utf-8', pageHtml(input(user)));
      const fragment = /^\/fragment\/(leads|digest|modal|command)$/.exec(url.pathname)?.[1];
      if (fragment) {
        const render = {
          leads: leadsFragment,
          digest: digestFragment,
          modal: modalFragment,
          command: commandFragment,
        }[fragment as 'leads' | 'digest' | 'modal' | 'command'];
        return send(res, 200, 'text/html; charset=utf-8', render(input(user)));
      }
      const file = /^\/files\/([A-Za-z0-9]+)$/.exec(url.pathname)?.[1];
      if (file) {
        const found = fake.files().find((f) => f.id === file);
        if (!found) return send(res, 404, 'text/plain', 'no such file');
        return send(
          res,
          200,
          found.filename?.endsWith('.png') ? 'image/png' : 'application/octet-stream',
          found.bytes,
        );
      }
      if (url.pathname === '/events') {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        res.write(': connected\n\n');
        clients.add(res);
        req.on('close', () => clients.delete(res));
        return;
      }
      return send(res, 404, 'text/plain', 'not found');
    }
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'method not allowed');
    const body = await readJson(req);
    switch (url.pathname) {
      case '/api/react':
        return json(res, 200, await react(body));
      case '/api/action':
        return json(res, 200, await action(body));
      case '/api/view':
        return json(res, 200, await submitView(body));
      case '/api/modal/close':
        workspace.closeModal(parse(userBody, body).user);
        return json(res, 200, { ok: true });
      case '/api/command':
        return json(res, 200, await command(body));
      case '/api/digest':
        parse(userBody, body);
        return json(res, 200, { ok: true, output: await options.sendDigest() });
      case '/api/lead': {
        const answer = await newLead(body);
        return json(res, answer.status, answer.body);
      }
      default:
        return send(res, 404, 'text/plain', 'not found');
    }
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.end();
        return;
      }
      const status = error instanceof BadRequest ? 400 : 500;
      json(res, status, { error: error instanceof Error ? error.message : String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const keepAlive = setInterval(() => {
    for (const client of clients) client.write(': ping\n\n');
  }, 15_000);
  keepAlive.unref();
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(keepAlive);
        offChange();
        for (const client of clients) client.end();
        clients.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
