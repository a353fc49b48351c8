import { ActionId } from '../../src/slack/ids.js';
import type { FakeSlack, StoredMessage } from '../fake-slack.js';
import { CLIENT_SCRIPT } from './client.js';
import { blocksToHtml, emoji, escapeHtml, type RenderContext } from './render.js';
import type { Ephemeral, Workspace } from './workspace.js';

/**
 * The sandbox page: a Slack-like view of the workspace, server-rendered. Each area is a fragment
 * of its own, so the script can re-fetch just the part that changed.
 */

export interface PageSettings {
  leadsChannel: string;
  digestChannels: readonly string[];
  channelNames: ReadonlyMap<string, string>;
  /** The people the page can act as. */
  users: readonly { id: string; name: string }[];
  /** Reactions offered on every lead post (the bot's first accept and reject emoji). */
  acceptEmoji: string;
  rejectEmoji: string;
  /** How many of the latest lead posts to show. */
  visiblePosts: number;
  /** Where `POST /leads` and the bot's Slack endpoint are, shown for the curious. */
  botUrl: string;
}

export interface PageInput {
  fake: FakeSlack;
  workspace: Workspace;
  settings: PageSettings;
  context: RenderContext;
  user: string;
}

function channelName(settings: PageSettings, id: string): string {
  return settings.channelNames.get(id) ?? id;
}

function timeOf(ts: string, context: RenderContext): string {
  const ms = Number(ts.split('.')[0]) * 1000;
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: context.timeZone ?? 'UTC',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(ms));
}

/** The lead id a lead post carries in its Accept button, to put a lead's ephemerals under it. */
function leadIdOf(message: StoredMessage): string | undefined {
  for (const block of message.blocks ?? []) {
    const elements = (block as { elements?: unknown }).elements;
    if (!Array.isArray(elements)) continue;
    const accept = elements.find((e) => (e as { action_id?: unknown }).action_id === ActionId.accept);
    if (accept) return String((accept as { value?: unknown }).value ?? '');
  }
  return undefined;
}

/** The reactions on a message; on a lead post also the ✅ / ❌ a rep can add. */
function reactionsBar(message: StoredMessage, input: PageInput, offer: boolean): string {
  const { user, settings } = input;
  const chips = message.reactions.map((r) => {
    const mine = r.users.includes(user);
    const who = r.users.map((u) => input.context.names?.get(u) ?? u).join(', ');
    return `<button type="button" class="reaction${mine ? ' mine' : ''}" data-react="${escapeHtml(r.name)}" title="${escapeHtml(`${who} reacted with :${r.name}:`)}">${escapeHtml(emoji(r.name) ?? `:${r.name}:`)} <span class="count">${r.users.length}</span></button>`;
  });
  const offered = (offer ? [settings.acceptEmoji, settings.rejectEmoji] : [])
    .filter((name) => !message.reactions.some((r) => r.name === name && r.users.includes(user)))
    .map(
      (name) =>
        `<button type="button" class="reaction add" data-react="${escapeHtml(name)}" title="${escapeHtml(`React with :${name}:`)}">+ ${escapeHtml(emoji(name) ?? `:${name}:`)}</button>`,
    );
  return `<div class="reactions">${chips.join('')}${offered.join('')}</div>`;
}

function ephemeralHtml(e: Ephemeral, input: PageInput): string {
  return `<div class="ephemeral" data-ephemeral-id="${escapeHtml(e.id)}" data-channel="${escapeHtml(e.channel)}"><div class="eph-label">👁 Only visible to you</div><div class="msg-head"><span class="author">Leadloop</span> <span class="app">APP</span></div>${blocksToHtml(e.blocks, input.context, e.text)}</div>`;
}

function messageHtml(message: StoredMessage, input: PageInput, below = '', attached = ''): string {
  const leadId = leadIdOf(message);
  const author = message.bot_id ? 'Leadloop' : (input.context.names?.get(message.user ?? '') ?? message.user);
  return `<article class="message" data-channel="${escapeHtml(message.channel)}" data-ts="${escapeHtml(message.ts)}"${leadId ? ` data-lead-id="${escapeHtml(leadId)}"` : ''}><div class="avatar">${message.bot_id ? 'L' : escapeHtml((author ?? '?').slice(0, 1))}</div><div class="msg-body"><div class="msg-head"><span class="author">${escapeHtml(author ?? '')}</span>${message.bot_id ? ' <span class="app">APP</span>' : ''} <span class="time">${escapeHtml(timeOf(message.ts, input.context))}</span></div>${blocksToHtml(message.blocks, input.context, message.text ?? '')}${attached}${leadId || message.reactions.length > 0 ? reactionsBar(message, input, leadId !== undefined) : ''}${below}</div></article>`;
}

export function leadsFragment(input: PageInput): string {
  const { fake, workspace, settings, user } = input;
  const messages = fake
    .messages(settings.leadsChannel)
    .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts)
    .slice(-settings.visiblePosts);
  const ephemerals = workspace.ephemerals(user, settings.leadsChannel);
  const placed = new Set<string>();
  const html = messages.map((m) => {
    const leadId = leadIdOf(m);
    const mine = leadId ? ephemerals.filter((e) => String(e.leadId) === leadId) : [];
    for (const e of mine) placed.add(e.id);
    return messageHtml(m, input, mine.map((e) => ephemeralHtml(e, input)).join(''));
  });
  // Ephemerals that belong to no shown post appear at the end of the channel, as in Slack.
  const rest = ephemerals.filter((e) => !placed.has(e.id)).map((e) => ephemeralHtml(e, input));
  const empty = messages.length === 0 ? '<p class="empty">No lead posts yet.</p>' : '';
  return `${empty}${html.join('')}${rest.join('')}`;
}

export function digestFragment(input: PageInput): string {
  const { fake, workspace, settings } = input;
  const files = fake.files();
  const sections = settings.digestChannels.map((channel) => {
    const messages = fake.messages(channel).slice(-6);
    const body = messages.map((m) => {
      const attached = files
        .filter((f) => f.channel === channel && workspace.fileAfterTs(f.id) === m.ts)
        .map(
          (f) =>
            `<figure class="file"><figcaption>${escapeHtml(f.title ?? f.filename ?? f.id)}</figcaption><img class="chart" src="/files/${encodeURIComponent(f.id)}" alt="${escapeHtml(f.title ?? 'chart')}"></figure>`,
        )
        .join('');
      return messageHtml(m, input, '', attached);
    });
    return `<section class="digest-channel" data-channel="${escapeHtml(channel)}"><h3># ${escapeHtml(channelName(settings, channel))}</h3>${body.length > 0 ? body.join('') : '<p class="empty">No digest yet.</p>'}</section>`;
  });
  return sections.join('');
}

export function modalFragment(input: PageInput): string {
  const modal = input.workspace.modal(input.user);
  if (!modal) return '';
  const { view } = modal;
  const label = (value: unknown, fallback: string) =>
    escapeHtml(String((value as { text?: unknown } | undefined)?.text ?? fallback));
  const errors = Object.entries(modal.errors)
    .map(([block, message]) => `<li data-error-block="${escapeHtml(block)}">${escapeHtml(message)}</li>`)
    .join('');
  return `<div class="overlay"><form class="modal" data-view-id="${escapeHtml(modal.viewId)}"><header>${label(view.title, 'Modal')}<button type="button" class="close" data-modal-close aria-label="Close">×</button></header><div class="modal-body">${blocksToHtml(view.blocks, input.context)}${errors ? `<ul class="modal-errors">${errors}</ul>` : ''}</div><footer><button type="button" class="btn" data-modal-close>${label(view.close, 'Cancel')}</button><button type="submit" class="btn btn-primary">${label(view.submit, 'Submit')}</button></footer></form></div>`;
}

export function commandFragment(input: PageInput): string {
  const run = input.workspace.command(input.user);
  if (!run)
    return '<p class="empty">Type a command above: try <code>/leadstats</code>, <code>/leadstats last-week reasons</code> or <code>/leadstats help</code>.</p>';
  const replies = run.replies.map(
    (r) =>
      `<div class="reply${r.inChannel ? ' in-channel' : ''}"><div class="eph-label">${r.inChannel ? '📣 Posted to the channel' : '👁 Only visible to you'}</div>${blocksToHtml(r.blocks, input.context, r.text)}</div>`,
  );
  const waiting = run.replies.length === 0 ? '<p class="empty">Waiting for Leadloop…</p>' : '';
  return `<div class="command-run" data-tag="${escapeHtml(run.tag)}"><div class="typed"><code>${escapeHtml(run.command)}</code></div>${waiting}${replies.join('')}</div>`;
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d1c1d;background:#f4ede4}
.top{display:flex;gap:16px;align-items:center;padding:8px 16px;background:#3f0e40;color:#fff}
.top h1{font-size:16px;margin:0}.top .hint{opacity:.8;font-size:12px}.top select{font:inherit;padding:2px 4px}
.layout{display:grid;grid-template-columns:minmax(420px,1.25fr) minmax(420px,1fr);gap:12px;padding:12px;align-items:start}
.panel{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12);overflow:hidden}
.panel>h2{margin:0;padding:10px 14px;font-size:15px;border-bottom:1px solid #e8e8e8}
.panel>.panel-body{padding:8px 14px}
#leads{max-height:calc(100vh - 110px);overflow-y:auto}
.message{display:flex;gap:10px;padding:10px 4px;border-bottom:1px solid #f0f0f0}
.message.flash{background:#fff8d6;transition:background 1s}
.avatar{flex:none;width:36px;height:36px;border-radius:6px;background:#2eb67d;color:#fff;font-weight:700;display:flex;align-items:center;justify-content:center}
.msg-body{flex:1;min-width:0}.msg-head{margin-bottom:2px}.author{font-weight:700}.app{font-size:10px;background:#e8e8e8;border-radius:3px;padding:0 3px;color:#616061}.time{color:#616061;font-size:12px}
.b-header{font-size:17px;font-weight:700;margin:4px 0}
.b-section{display:flex;gap:8px;margin:4px 0}.b-main{flex:1;min-width:0}.b-fields{display:grid;grid-template-columns:1fr 1fr;gap:4px 16px}
.b-context{color:#616061;font-size:12px;margin:4px 0}.b-actions{display:flex;flex-wrap:wrap;gap:8px;margin:6px 0}
.b-divider{border:0;border-top:1px solid #e8e8e8}.b-image img,.chart{max-width:min(100%,760px);border:1px solid #e8e8e8;border-radius:4px}
.file{margin:6px 0}
pre{background:#f8f8f8;border:1px solid #e8e8e8;border-radius:4px;padding:8px;overflow-x:auto;font:12px/1.35 "DejaVu Sans Mono",Menlo,monospace;margin:4px 0}
code{background:#f2f2f2;border:1px solid #e3e3e3;border-radius:3px;padding:0 3px;color:#c01343;font-size:12px}
.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}
a{color:#1264a3}
.btn{font:inherit;font-weight:600;padding:3px 12px;border-radius:4px;border:1px solid #bbb;background:#fff;cursor:pointer}
.btn-primary{background:#007a5a;border-color:#007a5a;color:#fff}.btn-danger{background:#fff;border-color:#e01e5a;color:#e01e5a}
.btn:disabled{opacity:.5}.select,.input{font:inherit;padding:3px 6px;border:1px solid #bbb;border-radius:4px;max-width:100%}
.reactions{display:flex;gap:6px;margin-top:4px;flex-wrap:wrap}
.reaction{font:inherit;font-size:13px;border:1px solid #ddd;border-radius:12px;background:#f8f8f8;padding:0 8px;cursor:pointer}
.reaction.mine{background:#e8f5fa;border-color:#1d9bd1}.reaction.add{opacity:.65}.reaction.add:hover{opacity:1}
.ephemeral,.reply{border-left:3px solid #1d9bd1;background:#f5fafd;padding:6px 10px;margin:6px 0;border-radius:4px}
.reply.in-channel{border-left-color:#2eb67d;background:#f3fbf6}
.eph-label{font-size:11px;color:#616061}
.empty{color:#616061}
.composer{display:flex;gap:6px;margin:8px 0}.composer input{flex:1;font:13px "DejaVu Sans Mono",Menlo,monospace;padding:5px 8px;border:1px solid #bbb;border-radius:4px}
.lead-form{display:grid;grid-template-columns:1fr 1fr;gap:6px}.lead-form label{display:flex;flex-direction:column;font-size:12px;color:#616061}
.lead-form .wide{grid-column:1/-1}.lead-form input,.lead-form textarea{font:inherit;padding:3px 6px;border:1px solid #bbb;border-radius:4px}
.result{font-size:12px;margin:6px 0;white-space:pre-wrap}.result.error{color:#b0003a}.result.ok{color:#007a5a}
.overlay{position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;align-items:center;justify-content:center;z-index:10}
.modal{background:#fff;border-radius:8px;width:520px;max-width:95vw;box-shadow:0 8px 30px rgba(0,0,0,.3)}
.modal header{display:flex;justify-content:space-between;align-items:center;padding:14px 18px;font-weight:700;font-size:18px;border-bottom:1px solid #e8e8e8}
.modal .close{font-size:20px;border:0;background:none;cursor:pointer}.modal-body{padding:12px 18px}
.modal footer{display:flex;justify-content:flex-end;gap:8px;padding:12px 18px;border-top:1px solid #e8e8e8}
.b-input{display:flex;flex-direction:column;gap:4px;margin:10px 0}.b-label{font-weight:700}.optional{font-weight:400;color:#616061}
.b-hint{font-size:12px;color:#616061}.b-error{font-size:12px;color:#e01e5a}.modal-errors{color:#e01e5a;margin:0;padding-left:18px}
.digest-channel h3{margin:8px 0 0;font-size:14px}.file figcaption{font-size:12px;color:#616061}
.unsupported{color:#999;font-style:italic}
.right{display:flex;flex-direction:column;gap:12px}
`;

/** The whole page, with each area already rendered for `user`. */
export function pageHtml(input: PageInput): string {
  const { settings, user } = input;
  const options = settings.users
    .map(
      (u) =>
        `<option value="${escapeHtml(u.id)}"${u.id === user ? ' selected' : ''}>${escapeHtml(u.name)}</option>`,
    )
    .join('');
  const leads = channelName(settings, settings.leadsChannel);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Leadloop sandbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>${STYLE}</style></head>
<body data-user="${escapeHtml(user)}">
<div class="top"><h1>Leadloop sandbox</h1>
<label>Acting as <select id="user">${options}</select></label>
<span class="hint">The real bot, on a local Slack stand-in. Every click reaches it as a signed Slack request. Bot: ${escapeHtml(settings.botUrl)}</span></div>
<main class="layout">
<section class="panel"><h2># ${escapeHtml(leads)}</h2><div class="panel-body" id="leads">${leadsFragment(input)}</div></section>
<div class="right">
<section class="panel"><h2>Slash command</h2><div class="panel-body">
<form class="composer" id="command-form"><input id="command-input" name="command" value="/leadstats" autocomplete="off" aria-label="Slash command"><button class="btn btn-primary" type="submit">Send</button></form>
<div id="command-output">${commandFragment(input)}</div></div></section>
<section class="panel"><h2>Digest</h2><div class="panel-body">
<p><button type="button" class="btn btn-primary" id="send-digest">Send digest now</button> <span class="result" id="digest-result"></span></p>
<div id="digest">${digestFragment(input)}</div></div></section>
<section class="panel"><h2>New lead (POST /leads)</h2><div class="panel-body">
<form class="lead-form" id="lead-form">
<label>Name<input name="name" value="Dana Lee"></label><label>Email<input name="email" value="dana.lee@globex.example"></label>
<label>Company<input name="company" value="Globex Freight"></label><label>Title<input name="title" value="Head of Logistics"></label>
<label>Campaign<input name="campaign" value="Spring webinar: Freight AI"></label><label>Source<input name="source" value="webinar"></label>
<label>Score<input name="score" value="68"></label><label>CRM link<input name="url" value="https://crm.example.com/contacts/1"></label>
<label class="wide">Notes<textarea name="notes" rows="2">Asked for a demo next week</textarea></label>
<div class="wide"><button class="btn btn-primary" type="submit">Send lead</button></div></form>
<div class="result" id="lead-result"></div></div></section>
</div></main>
<div id="modal">${modalFragment(input)}</div>
<script>${CLIENT_SCRIPT}</script>
</body></html>`;
}
