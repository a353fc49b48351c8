import { stringify } from 'csv-stringify/sync';
import type { Clock } from '../clock.js';
import { parseConfig, readEnvironment } from '../config.js';
import { formatDuration } from '../domain/decision.js';
import { parseStatsCommand, STATS_USAGE } from '../domain/statsCommand.js';
import type { StatsReport } from '../domain/statsReport.js';
import { textTable } from '../domain/textTable.js';
import { UsageError } from '../errors.js';
import {
  campaignTable,
  judgementNotes,
  reasonKindsLine,
  reasonsTable,
  repsTable,
  totalsLine,
} from '../report/statsText.js';
import { StatsService } from '../services/stats.js';
import { openDatabase } from '../storage/db.js';
import { StatsStore } from '../storage/stats.js';
import { type CommandIo, line } from './io.js';

export const STATS_HELP = `leadloop stats [period] [campaign <name>] [reasons|reps|pending] [--json | --csv]

The numbers /leadstats shows, in the terminal, from the database (DATABASE_PATH); no Slack
settings needed. --json prints the whole report for scripts; --csv prints the table for a
spreadsheet.

${STATS_USAGE}`;

function toCsv(report: StatsReport): string {
  const rows: (string | number | undefined | null)[][] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  switch (report.query.view) {
    case 'reasons':
      rows.push(['reason', 'label', 'kind', 'leads', 'share']);
      for (const r of report.reasons?.overall ?? [])
        rows.push([r.reason ?? '', r.label, r.kind, r.count, r.share.toFixed(4)]);
      break;
    case 'reps':
      rows.push(['user_id', 'decisions', 'accepted', 'rejected', 'median_decision_minutes']);
      for (const r of report.reps ?? []) {
        rows.push([
          r.userId,
          r.decisions,
          r.accepted,
          r.rejected,
          r.medianDecisionMs === undefined ? '' : (r.medianDecisionMs / 60_000).toFixed(1),
        ]);
      }
      break;
    case 'pending':
      rows.push(['lead_id', 'who', 'company', 'campaign', 'posted_at', 'waiting_hours', 'sla_breached']);
      for (const l of report.pending?.oldest ?? []) {
        rows.push([
          l.id,
          l.who,
          l.company,
          l.campaign,
          iso(l.postedAt),
          (l.waitingMs / 3_600_000).toFixed(1),
          l.breached ? 'yes' : 'no',
        ]);
      }
      break;
    default:
      rows.push([
        'campaign',
        'posted',
        'accepted',
        'rejected',
        'rejected_without_reason',
        'pending',
        'acceptance_rate',
        'ci95_low',
        'ci95_high',
        'judgement',
        'median_decision_minutes',
        'sla_breaches',
      ]);
      for (const c of report.campaigns) {
        rows.push([
          c.campaign,
          c.posted,
          c.accepted,
          c.rejected,
          c.rejectedNoReason,
          c.pending,
          c.judgement.rate?.toFixed(4),
          c.judgement.interval?.low.toFixed(4),
          c.judgement.interval?.high.toFixed(4),
          c.judgement.verdict,
          c.medianDecisionMs === undefined ? '' : (c.medianDecisionMs / 60_000).toFixed(1),
          c.slaBreaches,
        ]);
      }
  }
  // A cell starting with = + - @ (a campaign named "=HYPERLINK(…)") would run as a formula in a
  // spreadsheet: escape_formulas prefixes it with ' (OWASP's rule for CSV injection).
  return stringify(rows, { escape_formulas: true, record_delimiter: 'unix', eof: false });
}

function toText(report: StatsReport): string {
  const out: string[] = [`${report.period.label} (leads by the time they were posted)`];
  if (report.campaignFilter) out.push(`Campaign: ${report.campaignFilter.matched.join(', ')}`);
  out.push(totalsLine(report), '');
  if (report.totals.posted === 0) {
    out.push('No leads were posted in this period.');
    return out.join('\n');
  }
  switch (report.query.view) {
    case 'reasons':
      out.push(
        reasonsTable(report.reasons?.overall ?? []),
        '',
        reasonKindsLine(report.reasons?.overall ?? []),
      );
      for (const c of report.reasons?.byCampaign ?? []) out.push('', c.campaign, reasonsTable(c.reasons));
      break;
    case 'reps':
      out.push(repsTable(report.reps ?? [], (id) => id));
      break;
    case 'pending': {
      const p = report.pending;
      out.push(
        `${p?.total ?? 0} pending, ${p?.breached ?? 0} over the ${report.slaHours} h SLA. Oldest first:`,
      );
      out.push(
        textTable(
          [
            { title: '!', value: (l) => (l.breached ? '!' : ' ') },
            { title: 'Lead', value: (l) => `#${l.id} ${l.who}`, maxWidth: 32 },
            { title: 'Company', value: (l) => l.company ?? '', maxWidth: 24 },
            { title: 'Campaign', value: (l) => l.campaign, maxWidth: 28 },
            { title: 'Waiting', value: (l) => formatDuration(l.waitingMs), align: 'right' },
          ],
          p?.oldest ?? [],
        ),
      );
      break;
    }
    default:
      out.push(campaignTable(report.campaigns, 40));
      out.push('', '↓ clearly below the rest · ↑ clearly above · · too few decisions to judge');
      out.push(...judgementNotes(report));
  }
  return out.join('\n');
}

export async function statsCommand(args: string[], io: CommandIo, clock: Clock): Promise<number> {
  const json = args.includes('--json');
  const csv = args.includes('--csv');
  if (json && csv) throw new UsageError('Choose --json or --csv, not both.');
  const words = args.filter((a) => a !== '--json' && a !== '--csv');
  const unknownFlag = words.find((w) => w.startsWith('--'));
  if (unknownFlag) throw new UsageError(`Unknown option ${unknownFlag}.`);
  const parsed = parseStatsCommand(words.join(' '));
  if (!parsed.ok) throw new UsageError(parsed.error);
  if (parsed.query.help) {
    line(io.stdout, STATS_HELP);
    return 0;
  }
  const config = parseConfig(readEnvironment(io.env, io.cwd), 'local');
  const db = openDatabase(config.databasePath);
  try {
    const service = new StatsService(
      { stats: new StatsStore(db), clock },
      { timezone: config.timezone, slaHours: config.decisionSlaHours, reasons: config.rejectReasons },
    );
    const outcome = service.run(parsed.query);
    if (!outcome.ok) throw new UsageError(outcome.error);
    const { report } = outcome;
    if (json) {
      line(
        io.stdout,
        JSON.stringify(
          {
            ...report,
            period: {
              ...report.period,
              startIso: new Date(report.period.start).toISOString(),
              endIso: new Date(report.period.end).toISOString(),
            },
          },
          null,
          2,
        ),
      );
    } else if (csv) line(io.stdout, toCsv(report));
    else line(io.stdout, toText(report));
    return 0;
  } finally {
    db.$client.close();
  }
}
