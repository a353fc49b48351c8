import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GeneratedLead,
  type GenerateOptions,
  generateHistory,
  type LoadResult,
  loadHistory,
  planHistory,
  SOURCES,
} from '../../sandbox/generate.js';
import { deriveLeadState } from '../../src/domain/decision.js';
import { campaignKey } from '../../src/domain/lead.js';
import { DEFAULT_REASONS } from '../../src/domain/reasons.js';
import { type Db, openDatabase } from '../../src/storage/db.js';
import { Store } from '../../src/storage/store.js';
import { tempDir } from '../harness/app.js';

const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 16, 17, 0);
const OPTIONS: GenerateOptions = {
  seed: 7,
  leads: 3_000,
  start: END - 120 * DAY,
  end: END,
  campaigns: 40,
  reps: 8,
  now: END + 3_600_000,
  channel: 'C0LEADS001',
};

const generate = (options: GenerateOptions = OPTIONS): GeneratedLead[] => [...generateHistory(options)];

describe('generateHistory', () => {
  const leads = generate();

  it('is deterministic: the same seed gives the same history, another seed another', () => {
    expect(JSON.stringify(generate())).toBe(JSON.stringify(leads));
    expect(JSON.stringify(planHistory(OPTIONS))).toBe(JSON.stringify(planHistory(OPTIONS)));
    const other = generate({ ...OPTIONS, seed: 8 });
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(leads));
  });

  it('makes as many leads as asked, across the campaigns, sources and reps asked for', () => {
    expect(leads).toHaveLength(OPTIONS.leads);
    const plan = planHistory(OPTIONS);
    expect(plan.campaigns).toHaveLength(OPTIONS.campaigns);
    expect(plan.campaigns.reduce((n, c) => n + c.leads, 0)).toBe(OPTIONS.leads);
    expect(new Set(plan.campaigns.map((c) => campaignKey(c.name))).size).toBe(OPTIONS.campaigns);
    expect(new Set(leads.map((l) => campaignKey(l.lead.campaign))).size).toBe(OPTIONS.campaigns);
    expect(new Set(leads.map((l) => l.lead.source))).toEqual(new Set(SOURCES));
    const reps = new Set(leads.flatMap((l) => l.decisions.map((d) => d.userId)));
    expect([...reps].every((r) => /^U0REP\d{4}$/.test(r))).toBe(true);
    expect(reps.size).toBe(OPTIONS.reps);
    expect(generate({ ...OPTIONS, leads: 0 })).toEqual([]);
  });

  it('posts within [start, end) with unique ts in post order, in the channel', () => {
    let previous = -Infinity;
    let previousTs = 0n;
    for (const l of leads) {
      expect(l.postedAt).toBeGreaterThanOrEqual(OPTIONS.start);
      expect(l.postedAt).toBeLessThan(OPTIONS.end);
      expect(l.postedAt).toBeGreaterThanOrEqual(previous);
      expect(l.receivedAt).toBeLessThan(l.postedAt);
      expect(l.lead.createdAt!.getTime()).toBeLessThan(l.receivedAt);
      expect(l.channel).toBe(OPTIONS.channel);
      expect(l.ts).toMatch(/^\d{10}\.\d{6}$/);
      const ts = BigInt(l.ts.replace('.', ''));
      expect(ts).toBeGreaterThan(previousTs);
      expect(Math.floor(l.postedAt / 1000)).toBe(Number(l.ts.split('.')[0]));
      previous = l.postedAt;
      previousTs = ts;
    }
  });

  it('posts more on weekdays in working hours than at night or at weekends', () => {
    const working = leads.filter((l) => {
      const d = new Date(l.postedAt);
      return d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && d.getUTCHours() >= 8 && d.getUTCHours() < 18;
    });
    // Weekday working hours are 30% of the week; far more of the leads arrive in them.
    expect(working.length / leads.length).toBeGreaterThan(0.6);
  });

  it('dates every decision after its post and before now, each later than the one before', () => {
    for (const l of leads) {
      let previous = l.postedAt;
      for (const d of l.decisions) {
        expect(d.decidedAt).toBeGreaterThan(previous);
        expect(d.decidedAt).toBeLessThan(OPTIONS.now);
        previous = d.decidedAt;
        if (d.retractedAt !== undefined) {
          expect(d.reaction).toBeDefined();
          expect(d.retractedAt).toBeGreaterThan(d.decidedAt);
          expect(d.retractedAt).toBeLessThan(OPTIONS.now);
          previous = d.retractedAt;
        }
        if (d.verdict === 'accept') expect(d.reason).toBeUndefined();
        if (d.reason !== undefined) expect(DEFAULT_REASONS.map((r) => r.key)).toContain(d.reason);
        if (d.reason === 'other') expect(d.note).toBeTruthy();
      }
    }
  });

  it('means what the domain derives from the decisions', () => {
    for (const l of leads) {
      const derived = deriveLeadState(
        l.decisions.map((d, id) => ({
          id,
          userId: d.userId,
          verdict: d.verdict,
          reason: d.reason ?? null,
          note: d.note ?? null,
          decidedAt: d.decidedAt,
          retractedAt: d.retractedAt ?? null,
        })),
      );
      expect(l.expected.state).toBe(derived.state);
      expect(l.expected.reason).toBe(derived.winner?.reason ?? null);
      expect(l.expected.firstDecidedAt).toBe(derived.firstDecidedAt);
    }
  });

  it('has a realistic mix: pending, rejected without reason, "other" with a note, retractions, disagreements', () => {
    const share = (predicate: (l: GeneratedLead) => boolean) => leads.filter(predicate).length / leads.length;
    const decided = leads.filter((l) => l.decisions.length > 0);
    const decidedShare = (predicate: (l: GeneratedLead) => boolean) =>
      decided.filter(predicate).length / decided.length;
    expect(share((l) => l.expected.state === 'pending')).toBeGreaterThan(0.05);
    expect(share((l) => l.expected.state === 'pending')).toBeLessThan(0.35);
    expect(share((l) => l.expected.state === 'accepted')).toBeGreaterThan(0.25);
    expect(share((l) => l.expected.state === 'rejected')).toBeGreaterThan(0.25);
    expect(share((l) => l.expected.state === 'rejected' && l.expected.reason === null)).toBeGreaterThan(0.01);
    expect(leads.some((l) => l.decisions.some((d) => d.reason === 'other' && d.note))).toBe(true);
    const retracted = decidedShare((l) => l.decisions.some((d) => d.retractedAt !== undefined));
    expect(retracted).toBeGreaterThan(0.02);
    expect(retracted).toBeLessThan(0.09);
    const disagreed = decidedShare((l) => new Set(l.decisions.map((d) => d.userId)).size > 1);
    expect(disagreed).toBeGreaterThan(0.01);
    expect(disagreed).toBeLessThan(0.06);
    // Most decisions come within a day; some take longer.
    const delays = decided.map((l) => (l.decisions[0]?.decidedAt ?? 0) - l.postedAt).sort((a, b) => a - b);
    expect(delays[Math.floor(delays.length / 2)]).toBeLessThan(DAY);
    expect(delays.at(-1)).toBeGreaterThan(DAY);
    // About 0.9 decisions per lead, as in the bench's target database.
    const perLead = leads.reduce((n, l) => n + l.decisions.length, 0) / leads.length;
    expect(perLead).toBeGreaterThan(0.75);
    expect(perLead).toBeLessThan(1.05);
  });

  it('leaves recent leads pending more often than old ones', () => {
    const pendingShare = (from: number, to: number) => {
      const window = leads.filter((l) => l.postedAt >= from && l.postedAt < to);
      return window.filter((l) => l.expected.state === 'pending').length / window.length;
    };
    const recent = pendingShare(OPTIONS.end - 2 * DAY, OPTIONS.end);
    const old = pendingShare(OPTIONS.start, OPTIONS.start + 60 * DAY);
    expect(recent).toBeGreaterThan(old + 0.1);
  });

  it('gives campaigns different quality: some clearly below the rest, some with very few leads', () => {
    const byCampaign = new Map<string, { accepted: number; rejected: number }>();
    for (const l of leads) {
      const key = campaignKey(l.lead.campaign);
      const c = byCampaign.get(key) ?? { accepted: 0, rejected: 0 };
      if (l.expected.state === 'accepted') c.accepted += 1;
      if (l.expected.state === 'rejected') c.rejected += 1;
      byCampaign.set(key, c);
    }
    const rates = [...byCampaign.values()]
      .filter((c) => c.accepted + c.rejected >= 20)
      .map((c) => c.accepted / (c.accepted + c.rejected))
      .sort((a, b) => a - b);
    const overall =
      leads.filter((l) => l.expected.state === 'accepted').length /
      leads.filter((l) => l.expected.state !== 'pending').length;
    expect(rates[0]).toBeLessThan(overall / 2);
    expect(rates.at(-1)).toBeGreaterThan(overall * 1.3);
    const plan = planHistory(OPTIONS);
    expect(plan.campaigns.some((c) => c.bad)).toBe(true);
    expect(plan.campaigns.filter((c) => c.leads > 0 && c.leads < 10).length).toBeGreaterThan(0);
    expect(plan.campaigns[0]?.name).toBe('Website: demo request');
  });

  it('refuses options it cannot honour', () => {
    expect(() => generate({ ...OPTIONS, now: OPTIONS.end - 1 })).toThrow(/now/);
    expect(() => generate({ ...OPTIONS, start: OPTIONS.end })).toThrow(/start/);
    expect(() => generate({ ...OPTIONS, leads: -1 })).toThrow(/leads/);
  });
});

describe('loadHistory', () => {
  let temp: ReturnType<typeof tempDir>;
  let db: Db;
  let result: LoadResult;
  const options = { ...OPTIONS, leads: 1_200, campaigns: 20 };
  const progress: number[] = [];

  beforeAll(() => {
    temp = tempDir();
    db = openDatabase(join(temp.dir, 'leadloop.db'));
    result = loadHistory(new Store(db), options, (p) => progress.push(p.leads));
  });

  afterAll(() => {
    db.$client.close();
    temp.cleanup();
  });

  it('stores every lead and decision and says how long it took', () => {
    const expected = generate(options);
    expect(result.leads).toBe(options.leads);
    expect(result.decisions).toBe(expected.reduce((n, l) => n + l.decisions.length, 0));
    expect(result.elapsedMs).toBeGreaterThan(0);
    expect(result.generateMs + result.insertMs).toBeCloseTo(result.elapsedMs, 3);
    expect(progress.at(-1)).toBe(options.leads);
    const count = (sql: string) => (db.$client.prepare(sql).get() as { n: number }).n;
    expect(count('SELECT count(*) AS n FROM leads')).toBe(options.leads);
    expect(count('SELECT count(*) AS n FROM decisions')).toBe(result.decisions);
    expect(count('SELECT count(*) AS n FROM campaigns')).toBe(options.campaigns);
    expect(
      count("SELECT count(*) AS n FROM leads WHERE post_status <> 'posted' OR post_next_at IS NOT NULL"),
    ).toBe(0);
  });

  it('leaves each lead in the state the generator intended', () => {
    const rows = db.$client
      .prepare(
        'SELECT post_ts AS ts, post_channel AS channel, posted_at AS postedAt, state, state_reason AS reason, first_decided_at AS first FROM leads',
      )
      .all() as {
      ts: string;
      channel: string;
      postedAt: number;
      state: string;
      reason: string | null;
      first: number | null;
    }[];
    const byTs = new Map(rows.map((r) => [r.ts, r]));
    const states = new Set<string>();
    for (const l of generate(options)) {
      const row = byTs.get(l.ts);
      expect(row, l.ts).toBeDefined();
      expect(row?.channel).toBe(options.channel);
      expect(row?.postedAt).toBe(l.postedAt);
      expect(row?.state).toBe(l.expected.state);
      expect(row?.reason).toBe(l.expected.reason);
      expect(row?.first ?? undefined).toBe(l.expected.firstDecidedAt);
      states.add(l.expected.state);
    }
    expect(states).toEqual(new Set(['pending', 'accepted', 'rejected']));
    const early = db.$client
      .prepare(
        'SELECT count(*) AS n FROM decisions d JOIN leads l ON l.id = d.lead_id WHERE d.decided_at <= l.posted_at',
      )
      .get() as { n: number };
    expect(early.n).toBe(0);
  });
});
