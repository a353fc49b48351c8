import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimulation, type SimulationResult } from '../../sandbox/simulate.js';
import { DEMO_DIGEST_CHANNELS } from '../../sandbox/web/app.js';
import { DEFAULT_REASONS } from '../../src/domain/reasons.js';
import { formatRate } from '../../src/domain/stats.js';
import { StatsService } from '../../src/services/stats.js';
import { openDatabase } from '../../src/storage/db.js';
import { StatsStore } from '../../src/storage/stats.js';

/** One row of the printed digest table. */
interface Row {
  name: string;
  posted: number;
  accepted: number;
  rejected: number;
  pending: number;
  rate: string;
}

/** The campaign table as `leadloop digest` prints it: rows between the header and the rule, then Total. */
function parseTable(text: string): { rows: Row[]; total: Row } {
  const lines = text.split('\n');
  const header = lines.findIndex((l) => /Campaign\s+Posted\s+Acc\s+Rej\s+Pend\s+Rate/.test(l));
  expect(header, `no campaign table in:\n${text}`).toBeGreaterThan(-1);
  const parse = (line: string): Row => {
    const m = /^.\s+(.+?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+%|–)\s/.exec(line);
    if (!m) throw new Error(`not a table row: ${line}`);
    return {
      name: m[1] as string,
      posted: Number(m[2]),
      accepted: Number(m[3]),
      rejected: Number(m[4]),
      pending: Number(m[5]),
      rate: m[6] as string,
    };
  };
  const rows: Row[] = [];
  let i = header + 1;
  for (; i < lines.length && !(lines[i] ?? '').startsWith('─'); i++) rows.push(parse(lines[i] as string));
  return { rows, total: parse(lines[i + 1] as string) };
}

/** Table names are cut with "…" when long. */
function sameCampaign(shown: string, full: string): boolean {
  return shown.endsWith('…') ? full.startsWith(shown.slice(0, -1)) : shown === full;
}

describe('npm run demo -- --simulate', () => {
  let result: SimulationResult;
  let printed = '';
  const chartPath = join(process.env.TMPDIR ?? '/tmp', `leadloop-simulate-test-${process.pid}.png`);

  beforeAll(async () => {
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        printed += chunk.toString();
        done();
      },
    });
    result = await runSimulation({ seed: 7, out, keep: true, chartPath });
  }, 60_000);

  afterAll(async () => {
    await result?.demo?.stop();
    rmSync(chartPath, { force: true });
  });

  it('ends with a digest whose numbers are the stats engine’s for that week', () => {
    expect(result.exitCode).toBe(0);
    const demo = result.demo;
    if (!demo) throw new Error('the simulation did not keep its demo');
    const db = openDatabase(demo.env.DATABASE_PATH as string);
    try {
      const stats = new StatsService(
        { stats: new StatsStore(db), clock: result.clock },
        { timezone: 'UTC', slaHours: 24, reasons: DEFAULT_REASONS },
      );
      const outcome = stats.run({
        period: { kind: 'iso-week', week: result.isoWeek },
        view: 'summary',
        share: false,
        help: false,
      });
      if (!outcome.ok) throw new Error(outcome.error);
      const { report } = outcome;
      const { rows, total } = parseTable(result.digestText);
      expect(rows).toHaveLength(report.campaigns.length);
      for (const row of rows) {
        const campaign = report.campaigns.find((c) => sameCampaign(row.name, c.campaign));
        expect(campaign, `campaign ${row.name} in the stats`).toBeDefined();
        expect(row).toEqual({
          name: row.name,
          posted: campaign?.posted,
          accepted: campaign?.accepted,
          rejected: campaign?.rejected,
          pending: campaign?.pending,
          rate: formatRate(campaign?.judgement.rate),
        });
      }
      expect(total).toMatchObject({
        posted: report.totals.posted,
        accepted: report.totals.accepted,
        rejected: report.totals.rejected,
        pending: report.totals.pending,
        rate: formatRate(report.totals.judgement.rate),
      });
    } finally {
      db.$client.close();
    }
  });

  it('counts what the reps did: the script’s outcome per campaign, retractions and all', () => {
    const { rows } = parseTable(result.digestText);
    expect(result.expected.size).toBe(rows.length);
    for (const [campaign, counts] of result.expected) {
      const row = rows.find((r) => sameCampaign(r.name, campaign));
      expect(row, `row for ${campaign}`).toBeDefined();
      expect({ accepted: row?.accepted, rejected: row?.rejected, pending: row?.pending }).toEqual(counts);
    }
    const acts = result.plan.leads.flatMap((l) => l.acts.map((a) => a.act));
    // The week had every kind of behaviour the simulation promises.
    expect(acts.some((a) => a.kind === 'react' && a.remove)).toBe(true);
    expect(acts.some((a) => a.kind === 'reject-button' && a.forgetNoteFirst)).toBe(true);
    expect(acts.some((a) => a.kind === 'prompt-reason')).toBe(true);
    expect(acts.some((a) => a.kind === 'accept-button')).toBe(true);
    expect(result.plan.leads.some((l) => l.expected === 'pending')).toBe(true);
    expect(result.digestText).toMatch(/Decision SLA: \d+ leads? waited longer than the 24 h SLA/);
  });

  it('prints the digest and a pointer to its chart, and sent the same week to the digest channels', () => {
    expect(printed).toContain(result.digestText.trim());
    expect(printed).toContain(`Chart: ${chartPath}`);
    expect(readFileSync(chartPath).subarray(1, 4).toString()).toBe('PNG');
    for (const channel of DEMO_DIGEST_CHANNELS) {
      const posted = result.demo?.fake.messages(channel) ?? [];
      expect(JSON.stringify(posted.at(-1)?.blocks)).toContain(result.isoWeek);
    }
  });
});
