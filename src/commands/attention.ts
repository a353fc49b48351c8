import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import { type Config, parseConfig, readEnvironment } from '../config.js';
import { type Column, textTable } from '../domain/textTable.js';
import { UsageError } from '../errors.js';
import { retryAttention } from '../services/attention.js';
import { type AttentionItem, AttentionStore } from '../storage/attention.js';
import { openDatabase } from '../storage/db.js';
import { Store } from '../storage/store.js';
import { type CommandIo, line } from './io.js';

export const ATTENTION_HELP = `leadloop attention list
leadloop attention show ID
leadloop attention retry ID… | --all
leadloop attention drop ID…

Leads from a marketing tool (a HubSpot workflow, Zapier, …) that came in on POST /leads but
could not be stored as leads (no campaign, no email or name, …) are kept here with the body as
it was sent and the reason, because those tools do not send them again. The bot says so in
Slack at most once an hour.

  list         the items still open: id, when received, profile, who it seems to be, why
  show ID      one item: the reason(s) and the body as received, pretty-printed
  retry ID…    read the body again with the configuration of NOW (fix the mapping or the
               default campaign first) and store the lead, queued for posting; the item then
               points at its lead. One that still cannot be stored stays open and says why.
  retry --all  the same for every open item
  drop ID…     not a lead: mark it dropped (the row is kept)

Running retry or drop twice changes nothing more. Exit code 0 when every named item ended as
asked (or already was), 1 when one could not be (still failing, unknown id), 2 on bad usage.`;

const MAX_WHO = 40;
const MAX_REASON = 70;

function parseIds(values: readonly string[]): number[] {
  return values.map((value) => {
    const id = /^#?(\d{1,15})$/.exec(value.trim())?.[1];
    if (id === undefined || Number(id) < 1) {
      throw new UsageError(
        `"${value}" is not an item id: give the number from leadloop attention list, e.g. leadloop attention show 12`,
      );
    }
    return Number(id);
  });
}

function when(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('yyyy-LL-dd HH:mm');
}

function stateLine(item: AttentionItem, zone: string): string {
  switch (item.state) {
    case 'open':
      return 'open';
    case 'retried':
      return `retried ${item.resolvedAt === null ? '' : when(item.resolvedAt, zone)} → lead ${item.leadId ?? '?'}`;
    case 'dropped':
      return `dropped ${item.resolvedAt === null ? '' : when(item.resolvedAt, zone)}`;
  }
}

/** The stored body, as JSON laid out for reading when it is JSON (it always should be). */
function prettyBody(raw: string): string {
  if (raw === '') return '(erased after RETENTION_DAYS)';
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

export interface AttentionContext {
  config: Config;
  store: Store;
  attention: AttentionStore;
  clock: Clock;
  io: CommandIo;
}

function list(ctx: AttentionContext): number {
  const { io, attention, config } = ctx;
  const items = attention.open();
  if (items.length === 0) {
    line(io.stdout, 'Nothing needs attention.');
    return 0;
  }
  const columns: Column<AttentionItem>[] = [
    { title: 'ID', value: (i) => String(i.id), align: 'right' },
    { title: `RECEIVED (${config.timezone})`, value: (i) => when(i.receivedAt, config.timezone) },
    { title: 'PROFILE', value: (i) => i.profile },
    { title: 'WHO', value: (i) => i.who ?? '?', maxWidth: MAX_WHO },
    { title: 'WHY', value: (i) => i.reason, maxWidth: MAX_REASON },
  ];
  line(io.stdout, `${items.length} item(s) need attention, oldest first:`);
  line(io.stdout, textTable(columns, items));
  line(io.stdout, '');
  line(
    io.stdout,
    'leadloop attention show ID to see one; retry ID (or --all) once the mapping is fixed; drop ID if it is not a lead.',
  );
  return 0;
}

function show(ctx: AttentionContext, ids: number[]): number {
  const { io, attention, config } = ctx;
  let code = 0;
  for (const id of ids) {
    const item = attention.byId(id);
    if (!item) {
      line(io.stderr, `No item ${id}: leadloop attention list shows the open ones.`);
      code = 1;
      continue;
    }
    const part =
      item.itemCount > 1 ? ` · item ${item.itemIndex + 1} of ${item.itemCount} in its request` : '';
    const lines = [
      `Item ${item.id} · ${stateLine(item, config.timezone)}`,
      `Received: ${when(item.receivedAt, config.timezone)} (${config.timezone}) · profile ${item.profile}${item.campaignParam ? ` · ?campaign=${item.campaignParam}` : ''}${part}`,
      `Who:      ${item.who ?? '(no email or name found)'}`,
      `Why:      ${item.reason}`,
      ...item.issues.map((i) => `  - ${i.path}: ${i.message}`),
      `Body as received${item.itemCount > 1 ? ' (this item)' : ''}:`,
      prettyBody(item.raw),
      '',
    ];
    line(io.stdout, lines.join('\n'));
  }
  return code;
}

function drop(ctx: AttentionContext, ids: number[]): number {
  const { io, attention, clock } = ctx;
  const dropped = new Set(attention.drop(ids, clock.now()));
  let code = 0;
  for (const id of new Set(ids)) {
    if (dropped.has(id)) {
      line(io.stdout, `Item ${id}: dropped (kept in the database, no longer listed).`);
      continue;
    }
    const item = attention.byId(id);
    if (!item) {
      line(io.stderr, `No item ${id}: leadloop attention list shows the open ones.`);
      code = 1;
    } else if (item.state === 'dropped') {
      line(io.stdout, `Item ${id}: already dropped.`);
    } else {
      line(io.stderr, `Item ${id}: not dropped, it was retried and is lead ${item.leadId ?? '?'} now.`);
      code = 1;
    }
  }
  return code;
}

function retry(ctx: AttentionContext, ids: number[] | 'all'): number {
  const { io, config } = ctx;
  const targets = ids === 'all' ? ctx.attention.openIds() : ids;
  if (targets.length === 0) {
    line(io.stdout, 'Nothing needs attention: there is nothing to retry.');
    return 0;
  }
  const reports = retryAttention(ctx, targets, { mapping: config.leadMapping, timezone: config.timezone });
  let stored = 0;
  let code = 0;
  for (const report of reports) {
    const { id } = report;
    switch (report.outcome) {
      case 'stored': {
        stored += 1;
        const what = report.results
          .map((r) =>
            r.status === 'queued' ? `lead ${r.id}` : `lead ${r.id} (already stored, same externalId)`,
          )
          .join(', ');
        line(io.stdout, `Item ${id}: stored as ${what}.`);
        break;
      }
      case 'already':
        if (report.state === 'retried')
          line(io.stdout, `Item ${id}: already retried → lead ${report.leadId ?? '?'}.`);
        else {
          line(io.stderr, `Item ${id}: not retried, it was dropped.`);
          code = 1;
        }
        break;
      case 'missing':
        line(io.stderr, `No item ${id}: leadloop attention list shows the open ones.`);
        code = 1;
        break;
      case 'still_failing':
        line(io.stdout, `Item ${id}: still cannot be stored, kept open: ${report.reason}`);
        code = 1;
        break;
    }
  }
  if (stored > 0) line(io.stdout, `The running bot posts the new lead(s) to the leads channel shortly.`);
  if (reports.some((r) => r.outcome === 'still_failing')) {
    line(
      io.stdout,
      'Fix the mapping (LEAD_MAPPING or leadloop.mapping.json) or the default campaign, then retry again; or drop items that are not leads.',
    );
  }
  return code;
}

function readArgs(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    options: { all: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const [action, ...rest] = positionals;
  return { action, ids: rest, all: values.all };
}

export async function attentionCommand(args: string[], io: CommandIo, clock: Clock): Promise<number> {
  const { action, ids, all } = readArgs(args);
  if (action === undefined)
    throw new UsageError('Say what to do: list, show ID, retry ID… (or --all), drop ID….');
  if (!['list', 'show', 'retry', 'drop'].includes(action)) {
    throw new UsageError(`Unknown action "${action}": use list, show, retry or drop.`);
  }
  if (all && action !== 'retry') throw new UsageError('--all goes with retry only.');
  if (action === 'list' && ids.length > 0)
    throw new UsageError('list takes no ids; use show ID for one item.');
  if ((action === 'show' || action === 'drop') && ids.length === 0) {
    throw new UsageError(`Name the item(s) to ${action}, e.g. leadloop attention ${action} 12`);
  }
  if (action === 'retry' && all === ids.length > 0) {
    throw new UsageError(
      'Name the item(s) to retry, e.g. leadloop attention retry 12, or use --all (not both).',
    );
  }
  const parsedIds = parseIds(ids);
  const config = parseConfig(readEnvironment(io.env, io.cwd), 'local');
  const db = openDatabase(config.databasePath);
  try {
    const ctx: AttentionContext = {
      config,
      store: new Store(db),
      attention: new AttentionStore(db),
      clock,
      io,
    };
    switch (action) {
      case 'list':
        return list(ctx);
      case 'show':
        return show(ctx, parsedIds);
      case 'drop':
        return drop(ctx, parsedIds);
      default:
        return retry(ctx, all ? 'all' : parsedIds);
    }
  } finally {
    db.$client.close();
  }
}
