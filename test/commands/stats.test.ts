import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATS_HELP } from '../../src/commands/stats.js';
import { DEFAULT_REASONS } from '../../src/domain/reasons.js';
import { parseStatsCommand } from '../../src/domain/statsCommand.js';
import type { StatsReport } from '../../src/domain/statsReport.js';
import { StatsService } from '../../src/services/stats.js';
import { openDatabase } from '../../src/storage/db.js';
import { StatsStore } from '../../src/storage/stats.js';
import { Store } from '../../src/storage/store.js';
import { tempDir } from '../harness/app.js';
import { runLeadloop } from '../harness/cli.js';
import { DAY, HOUR, historicalLeads, MINUTE } from '../harness/fixtures.js';

/*
 * `leadloop stats` in-process on a seeded database. The command reads the system clock, so the
 * fixture is placed days away from any period edge, relative to the time the test starts.
 *
 *   Acme, "Pro" Edition   -5d ✓ ANNA +2h · -4d ✗ BOB bad_fit +1h · -3d pending (over the SLA)
 *   Spring Webinar        -6d ✓ ANNA +30m · -6d+1h ✓ ANNA +90m · -2d ✗ BOB (no reason) +10m
 *   Trade Show            -40d pending (outside the default 30 days)
 */

const ZONE = 'Europe/Berlin';
const ANNA = 'U0ANNA0001';
const BOB = 'U0BOB00001';
const ACME = 'Acme, "Pro" Edition';
const SPRING = 'Spring Webinar';

let temp: ReturnType<typeof tempDir>;
let databasePath: string;

beforeAll(() => {
  temp = tempDir();
  databasePath = join(temp.dir, 'data', 'leadloop.db');
  const now = Date.now();
  const db = openDatabase(databasePath);
  try {
    new Store(db).insertHistory(
      historicalLeads([
        {
          name: 'Ana',
          campaign: ACME,
          source: 'web-form',
          postedAt: now - 5 * DAY,
          decisions: [{ user: ANNA, verdict: 'accept', after: 2 * HOUR }],
        },
        {
          name: 'Bo',
          campaign: ACME,
          source: 'web-form',
          postedAt: now - 4 * DAY,
          decisions: [{ user: BOB, verdict: 'reject', reason: 'bad_fit', after: HOUR }],
        },
        { name: 'Cy, "the" Third', company: 'Cyber, Inc.', campaign: ACME, postedAt: now - 3 * DAY },
        {
          name: 'Di',
          campaign: SPRING,
          source: 'webinar',
          postedAt: now - 6 * DAY,
          decisions: [{ user: ANNA, verdict: 'accept', after: 30 * MINUTE }],
        },
        {
          name: 'Ed',
          campaign: SPRING,
          source: 'webinar',
          postedAt: now - 6 * DAY + HOUR,
          decisions: [{ user: ANNA, verdict: 'accept', after: 90 * MINUTE }],
        },
        {
          name: 'Flo',
          campaign: SPRING,
          source: 'webinar',
          postedAt: now - 2 * DAY,
          decisions: [{ user: BOB, verdict: 'reject', after: 10 * MINUTE }],
        },
        { name: 'Gus', campaign: 'Trade Show', postedAt: now - 40 * DAY },
      ]),
    );
  } finally {
    db.$client.close();
  }
});

afterAll(() => temp.cleanup());

const leadloop = (...argv: string[]) =>
  runLeadloop(argv, { DATABASE_PATH: databasePath, TIMEZONE: ZONE }, temp.dir);

/** The same query through the service, on its own connection, at the current time. */
function serviceReport(text: string): StatsReport {
  const parsed = parseStatsCommand(text);
  if (!parsed.ok) throw new Error(parsed.error);
  const db = openDatabase(databasePath);
  try {
    const outcome = new StatsService(
      { stats: new StatsStore(db), clock: { now: () => Date.now() } },
      { timezone: ZONE, slaHours: 24, reasons: DEFAULT_REASONS },
    ).run(parsed.query);
    if (!outcome.ok) throw new Error(outcome.error);
    return outcome.report;
  } finally {
    db.$client.close();
  }
}

const csvRecords = (text: string) =>
  parseCsv(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];

describe('leadloop stats', () => {
  it('prints the period, the totals and the campaign table', async () => {
    const { code, stdout, stderr } = await leadloop('stats');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^last 30 days \(.+\) \(leads by the time they were posted\)$/);
    expect(stdout).toContain(
      '6 posted · 3 accepted · 2 rejected (1 without a reason) · 1 pending · acceptance 60% of 5 decided',
    );
    expect(stdout).toContain('1 over the 24 h SLA');
    expect(stdout).toMatch(/Campaign\s+Posted\s+Acc\s+Rej\s+Pend\s+Rate\s+95% range\s+Median wait/);
    // Acme: 1 of 2 (50%), median of 2h and 1h; Spring: 2 of 3 (67%), median of 30m, 90m, 10m.
    expect(stdout).toMatch(/·\s+Acme, "Pro" Edition\s+3\s+1\s+1\s+1\s+50%\s+too few\s+1 h 30 min/);
    expect(stdout).toMatch(/·\s+Spring Webinar\s+3\s+2\s+1\s+0\s+67%\s+too few\s+30 min/);
    expect(stdout).not.toContain('Trade Show');
    expect(stdout).toContain('too few decisions to judge');
  });

  it('--json prints the whole report, with the numbers the service computes', async () => {
    const { code, stdout } = await leadloop('stats', '--json');
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    const expected = JSON.parse(JSON.stringify(serviceReport('')));
    expect(json.query).toEqual(expected.query);
    expect(json.campaigns).toEqual(expected.campaigns);
    expect(json.totals).toEqual(expected.totals);
    expect(json.sources).toEqual(expected.sources);
    expect(json.period.start).toBe(expected.period.start);
    expect(json.period.label).toBe(expected.period.label);
    expect(json.period.startIso).toBe(new Date(expected.period.start).toISOString());
    expect(Date.parse(json.period.endIso)).toBe(json.period.end);
    expect(json.totals).toMatchObject({
      posted: 6,
      accepted: 3,
      rejected: 2,
      rejectedNoReason: 1,
      pending: 1,
    });
    expect(
      json.campaigns.map((c: { campaign: string; medianDecisionMs: number }) => c.medianDecisionMs),
    ).toEqual([1.5 * HOUR, 30 * MINUTE]);
  });

  it('--json for a view carries that view', async () => {
    const reps = JSON.parse((await leadloop('stats', 'reps', '--json')).stdout);
    expect(reps.reps).toEqual(serviceReport('reps').reps);
    expect(reps.reps).toEqual([
      { userId: ANNA, decisions: 3, accepted: 3, rejected: 0, medianDecisionMs: 90 * MINUTE },
      { userId: BOB, decisions: 2, accepted: 0, rejected: 2, medianDecisionMs: 35 * MINUTE },
    ]);
  });

  it('--csv prints a header and a row per campaign, quoting names with commas and quotes', async () => {
    const { code, stdout } = await leadloop('stats', '--csv');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'campaign,posted,accepted,rejected,rejected_without_reason,pending,acceptance_rate,ci95_low,ci95_high,judgement,median_decision_minutes,sla_breaches',
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]!.startsWith('"Acme, ""Pro"" Edition",3,1,1,0,1,0.5000,')).toBe(true);
    expect(lines[2]!.startsWith('Spring Webinar,3,2,1,1,0,0.6667,')).toBe(true);

    const records = csvRecords(stdout);
    const report = serviceReport('');
    expect(records.map((r) => r.campaign)).toEqual([ACME, SPRING]);
    records.forEach((r, i) => {
      const c = report.campaigns[i]!;
      expect(r).toEqual({
        campaign: c.campaign,
        posted: String(c.posted),
        accepted: String(c.accepted),
        rejected: String(c.rejected),
        rejected_without_reason: String(c.rejectedNoReason),
        pending: String(c.pending),
        acceptance_rate: c.judgement.rate!.toFixed(4),
        ci95_low: c.judgement.interval!.low.toFixed(4),
        ci95_high: c.judgement.interval!.high.toFixed(4),
        judgement: 'too_few',
        median_decision_minutes: (c.medianDecisionMs! / 60_000).toFixed(1),
        sla_breaches: String(c.slaBreaches),
      });
    });
    expect(records[0]).toMatchObject({ median_decision_minutes: '90.0', sla_breaches: '1' });
  });

  it('--csv of the pending view quotes names and companies too', async () => {
    const { code, stdout } = await leadloop('stats', 'pending', '--csv');
    expect(code).toBe(0);
    const records = csvRecords(stdout);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      who: 'Cy, "the" Third',
      company: 'Cyber, Inc.',
      campaign: ACME,
      sla_breached: 'yes',
    });
    expect(Number(records[0]!.waiting_hours)).toBeCloseTo(72, 0);
  });

  it('--csv of reasons gives each reason its share', async () => {
    const records = csvRecords((await leadloop('stats', 'reasons', '--csv')).stdout);
    expect(records).toEqual([
      { reason: 'bad_fit', label: 'Bad fit / not our ICP', kind: 'disqualify', leads: '1', share: '0.5000' },
      { reason: '', label: 'No reason given', kind: 'none', leads: '1', share: '0.5000' },
    ]);
  });

  it('takes the /leadstats words: a period and a campaign', async () => {
    const { code, stdout } = await leadloop('stats', '90d', 'campaign', 'trade');
    expect(code).toBe(0);
    expect(stdout).toContain('Campaign: Trade Show');
    expect(stdout).toContain('1 posted · 0 accepted · 0 rejected · 1 pending');
  });

  it('refuses a word it does not understand with exit 2 and the usage', async () => {
    const { code, stdout, stderr } = await leadloop('stats', 'fortnight');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('I don\'t understand "fortnight".');
    expect(stderr).toContain(STATS_HELP);
  });

  it('refuses --json with --csv, and unknown options, with exit 2', async () => {
    const both = await leadloop('stats', '--json', '--csv');
    expect(both.code).toBe(2);
    expect(both.stdout).toBe('');
    expect(both.stderr).toContain('Choose --json or --csv, not both.');
    expect(both.stderr).toContain('leadloop stats [period]');

    const unknown = await leadloop('stats', '--xml');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown option --xml.');
  });

  it('a campaign that matches nothing is a usage error', async () => {
    const { code, stderr } = await leadloop('stats', 'campaign', 'nope');
    expect(code).toBe(2);
    expect(stderr).toContain('No campaign starts with “nope”.');
  });

  it('help prints the help, with the shared grammar, and exits 0', async () => {
    for (const argv of [
      ['stats', 'help'],
      ['stats', '--help'],
      ['help', 'stats'],
    ]) {
      const { code, stdout, stderr } = await leadloop(...argv);
      expect(code, argv.join(' ')).toBe(0);
      expect(stderr).toBe('');
      expect(stdout).toBe(`${STATS_HELP}\n`);
    }
    expect(STATS_HELP).toContain(
      'Usage: /leadstats [period] [campaign <name>] [reasons|reps|pending] [share] [help]',
    );
  });
});

describe('leadloop stats with hostile lead data', () => {
  // Campaign names and lead names come from marketing's systems: a spreadsheet must not run them
  // as formulas, and a terminal must not obey escape sequences in them.
  const FORMULA = '=HYPERLINK("http://evil.example","Webinar")';
  const PLUS = '+1 Campaign';
  const AT = '@SUM(A1:A2)';
  const ESCAPES = 'Trade\u001b[2J\u001b]0;pwned\u0007 Show\u009b';
  let hostile: ReturnType<typeof tempDir>;
  let path: string;

  beforeAll(() => {
    hostile = tempDir();
    path = join(hostile.dir, 'leadloop.db');
    const now = Date.now();
    const db = openDatabase(path);
    try {
      new Store(db).insertHistory(
        historicalLeads(
          [FORMULA, PLUS, AT, ESCAPES].map((campaign, i) => ({
            name: `-2+3 Lead\u001b[31m${i}`,
            campaign,
            postedAt: now - (i + 1) * DAY,
          })),
        ),
      );
    } finally {
      db.$client.close();
    }
  });
  afterAll(() => hostile.cleanup());

  const run = (...argv: string[]) => runLeadloop(argv, { DATABASE_PATH: path, TIMEZONE: ZONE }, hostile.dir);

  it('--csv prefixes cells that a spreadsheet would run as formulas with an apostrophe', async () => {
    const { code, stdout } = await run('stats', '--csv');
    expect(code).toBe(0);
    const campaigns = csvRecords(stdout).map((r) => r.campaign);
    expect(campaigns).toEqual(expect.arrayContaining([`'${FORMULA}`, `'${PLUS}`, `'${AT}`]));
    expect(campaigns.every((c) => !/^[=+\-@]/.test(c ?? ''))).toBe(true);
    const pending = csvRecords((await run('stats', 'pending', '--csv')).stdout);
    expect(pending.map((r) => r.who)).toContain("'-2+3 Lead[31m0");
  });

  it('terminal, CSV and JSON output carry no control characters from lead data', async () => {
    for (const argv of [['stats'], ['stats', 'pending'], ['stats', '--csv'], ['stats', '--json']]) {
      const { code, stdout } = await run(...argv);
      expect(code, argv.join(' ')).toBe(0);
      expect(stdout, argv.join(' ')).not.toMatch(/[^\P{Cc}\t\n]/u);
    }
    expect((await run('stats')).stdout).toContain('Trade[2J]0;pwned Show');
  });
});
