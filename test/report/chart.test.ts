import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas, GlobalFonts, type ImageData, loadImage } from '@napi-rs/canvas';
import { afterAll, describe, expect, it } from 'vitest';
import type { CampaignWeek, Digest } from '../../src/domain/digest.js';
import type { Period } from '../../src/domain/period.js';
import { addCounts, type Counts, judgeRate, ZERO_COUNTS } from '../../src/domain/stats.js';
import type { CampaignStats, GroupStats } from '../../src/domain/statsReport.js';
import {
  CHART_WIDTH,
  chartHeight,
  cleanName,
  type DigestChart,
  digestChart,
  fitText,
  MAX_CHART_HEIGHT,
  MIN_CHART_HEIGHT,
  renderChart,
  renderDigestChart,
} from '../../src/report/chart.js';
import { CHART_FONT_FAMILY, ChartFontError, chartFontFiles, ensureChartFont } from '../../src/report/font.js';

// ---- Digest fixtures --------------------------------------------------------------------------

interface CampaignFixture {
  name: string;
  accepted: number;
  rejected: number;
  pending?: number;
  /** Accepted and rejected the week before; absent for a campaign new this week. */
  before?: [accepted: number, rejected: number];
}

const period = (week: string, label: string): Period => ({
  start: 0,
  end: 1,
  label: `week ${week} (${label})`,
  spec: { kind: 'iso-week', week },
});

const countsOf = (accepted: number, rejected: number, pending = 0): Counts => ({
  ...ZERO_COUNTS,
  posted: accepted + rejected + pending,
  accepted,
  rejected,
  pending,
});

const group = (counts: Counts, overall: number | undefined): GroupStats => ({
  ...counts,
  medianDecisionMs: undefined,
  judgement: judgeRate(counts, overall),
});

/** A digest as the domain builds it: verdicts come from the real judgement on the counts. */
function digestOf(fixtures: CampaignFixture[]): Digest {
  const now = fixtures.map((f) => countsOf(f.accepted, f.rejected, f.pending));
  const then = fixtures.map((f) => (f.before ? countsOf(...f.before) : undefined));
  const totalNow = now.reduce(addCounts, ZERO_COUNTS);
  const totalThen = then.reduce<Counts>((sum, c) => (c ? addCounts(sum, c) : sum), ZERO_COUNTS);
  const overallNow = judgeRate(totalNow, undefined).rate;
  const overallThen = judgeRate(totalThen, undefined).rate;
  const campaigns = fixtures.map((f, i): CampaignWeek => {
    const stats: CampaignStats = { ...group(now[i]!, overallNow), campaignId: i + 1, campaign: f.name };
    const prior = then[i];
    const before = prior ? { ...group(prior, overallThen), campaignId: i + 1, campaign: f.name } : undefined;
    const changePoints =
      stats.judgement.rate !== undefined && before?.judgement.rate !== undefined
        ? Math.round((stats.judgement.rate - before.judgement.rate) * 1000) / 10
        : undefined;
    return { campaign: f.name, stats, before, changePoints };
  });
  return {
    week: period('2026-W47', 'Nov 16 – 22'),
    previous: period('2026-W46', 'Nov 9 – 15'),
    isoWeek: '2026-W47',
    campaigns,
    totals: group(totalNow, undefined),
    totalsBefore: group(totalThen, undefined),
    totalChangePoints: undefined,
    topReasons: [],
    weakest: undefined,
    below: campaigns.filter((c) => c.stats.judgement.verdict === 'below'),
    tooFew: campaigns.filter((c) => c.stats.judgement.verdict === 'too_few').length,
    slaHours: 24,
    slaBreaches: 0,
    pending: { total: totalNow.pending, breached: 0, oldest: [] },
  };
}

const LONG_NAME = `Q4 ${'Very long campaign name from the marketing automation export '.repeat(4)}`.slice(
  0,
  200,
);

const ONE: CampaignFixture[] = [
  { name: '2026-Q4 Webinar: Freight AI', accepted: 35, rejected: 15, pending: 10, before: [30, 20] },
];

const TEN: CampaignFixture[] = [
  { name: '2026-Q4 Webinar: Freight AI', accepted: 40, rejected: 18, pending: 6, before: [30, 20] },
  { name: 'Trade show Hamburg', accepted: 6, rejected: 44, pending: 4, before: [12, 20] },
  { name: LONG_NAME, accepted: 30, rejected: 12, before: [20, 20] },
  { name: 'Paid search — brand', accepted: 33, rejected: 4, before: [25, 5] },
  { name: '<!channel> <@U024BE7LH> *bold* `code` <https://evil.example|click>', accepted: 15, rejected: 15 },
  { name: 'Line\nbreak\tand\u202Eevil override\u0000', accepted: 12, rejected: 10, before: [5, 5] },
  { name: '🚀 Launch 🎉 展示会 東京 2026', accepted: 3, rejected: 2, pending: 14 },
  { name: '   ', accepted: 4, rejected: 1, before: [1, 1] },
  { name: 'Partner referrals', accepted: 0, rejected: 0, pending: 9, before: [3, 3] },
  { name: 'x'.repeat(200), accepted: 10, rejected: 0 },
];

/** The first has the most leads and a 200-character name; every one has leads this week. */
function manyCampaigns(n: number): CampaignFixture[] {
  return Array.from({ length: n }, (_, i) => ({
    name: i === 0 ? 'W'.repeat(200) : `Campaign ${String(i).padStart(3, '0')} <!here>`,
    accepted: i === 0 ? 30 : (i * 7) % 23,
    rejected: i === 0 ? 10 : (i * 5) % 17,
    pending: i % 4,
    ...(i % 3 === 0 ? {} : { before: [(i * 3) % 11, (i * 2) % 7] as [number, number] }),
  }));
}

// ---- PNG helpers ------------------------------------------------------------------------------

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngHeader(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

async function decode(png: Buffer): Promise<ImageData> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  return ctx.getImageData(0, 0, image.width, image.height);
}

type Region = { x: number; y: number; width: number; height: number };

function countPixels(image: ImageData, region: Region, test: (r: number, g: number, b: number) => boolean) {
  let n = 0;
  for (let y = region.y; y < region.y + region.height; y++) {
    for (let x = region.x; x < region.x + region.width; x++) {
      const i = (y * image.width + x) * 4;
      if (test(image.data[i]!, image.data[i + 1]!, image.data[i + 2]!)) n++;
    }
  }
  return n;
}

const isDark = (r: number, g: number, b: number) => Math.max(r, g, b) < 80;
/** The strong blue of this week's bars (#1d4ed8). */
const isThisWeekBlue = (r: number, g: number, b: number) => r < 50 && g > 60 && g < 100 && b > 190;
/** Where the title is drawn: above the subtitle. */
const TITLE_BAND: Region = { x: 0, y: 0, width: CHART_WIDTH, height: 52 };

/** Set CHART_PREVIEW_DIR to keep the rendered previews and look at them. */
const keptPreviewDir = process.env.CHART_PREVIEW_DIR;
const previewDir = keptPreviewDir ?? mkdtempSync(join(tmpdir(), 'leadloop-chart-'));
afterAll(() => {
  if (keptPreviewDir === undefined) rmSync(previewDir, { recursive: true, force: true });
});

// ---- Tests ------------------------------------------------------------------------------------

describe('digestChart', () => {
  it('titles the chart with the digest week', () => {
    const chart = digestChart(digestOf(ONE));
    expect(chart.title).toBe('Acceptance rate by campaign — week 2026-W47 (Nov 16 – 22)');
    expect(chart.thisWeekLabel).toBe('This week');
    expect(chart.beforeLabel).toBe('Week before (Nov 9 – 15)');
    expect(chart.subtitle).toEqual(['60 leads posted · 50 decided · overall 70% (week before 60%)']);
  });

  it('marks new, too-few and below campaigns', () => {
    const rows = digestChart(digestOf(TEN)).rows;
    const byName = (name: string) => rows.find((r) => r.name === name);
    expect(byName('Trade show Hamburg')).toMatchObject({ below: true, tooFew: false, isNew: false });
    expect(byName('🚀 Launch 🎉 展示会 東京 2026')).toMatchObject({ tooFew: true, isNew: true, decided: 5 });
    expect(byName('Partner referrals')).toMatchObject({ tooFew: true, rate: undefined, rateBefore: 0.5 });
    expect(byName('2026-Q4 Webinar: Freight AI')).toMatchObject({ below: false, tooFew: false });
  });

  it('shows the campaigns with the most leads and says how many more there are', () => {
    const chart = digestChart(digestOf(manyCampaigns(300)));
    expect(chart.rows).toHaveLength(15);
    expect(chart.hidden).toBe(285);
    expect(chart.subtitle[1]).toContain('+ 285 more campaigns');
    const posted = chart.rows.map((r) => r.posted);
    expect(posted).toEqual([...posted].sort((a, b) => b - a));
    expect(digestChart(digestOf(manyCampaigns(300)), { maxCampaigns: 5 }).rows).toHaveLength(5);
    expect(digestChart(digestOf(manyCampaigns(300)), { maxCampaigns: 1000 }).rows).toHaveLength(30);
    expect(digestChart(digestOf(TEN)).subtitle).toHaveLength(1);
  });

  it('says that nobody posted a lead in an empty week', () => {
    expect(digestChart(digestOf([])).emptyMessage).toBe(
      'No leads were posted in week 2026-W47 (Nov 16 – 22).',
    );
  });

  it('cleans control and direction characters out of names', () => {
    expect(cleanName('Line\nbreak\tand\u202Eevil\u0000')).toBe('Line break andevil');
    expect(cleanName('  \n ')).toBe('(no name)');
    expect(cleanName('<!channel> *x*')).toBe('<!channel> *x*');
  });
});

describe('fitText', () => {
  const measure = (text: string) => [...text].length * 10;

  it('keeps text that fits and cuts the rest with an ellipsis', () => {
    expect(fitText('Short', 100, measure)).toBe('Short');
    const cut = fitText('A long campaign name', 100, measure);
    expect(cut).toBe('A long ca…');
    expect(measure(cut)).toBeLessThanOrEqual(100);
  });

  it('never splits an emoji', () => {
    const cut = fitText('🚀🚀🚀🚀🚀🚀', 35, measure);
    expect(cut).toBe('🚀🚀…');
  });
});

describe('chart font', () => {
  it('is registered from the dejavu-fonts-ttf package', () => {
    expect(chartFontFiles().every((path) => path.endsWith('.ttf') && existsSync(path))).toBe(true);
    expect(ensureChartFont()).toBe(CHART_FONT_FAMILY);
    expect(GlobalFonts.has(CHART_FONT_FAMILY)).toBe(true);
  });

  it('says which package to install when the font cannot be found', () => {
    const missing = () => {
      throw new Error("Cannot find module 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf'");
    };
    expect(() => chartFontFiles(missing)).toThrow(ChartFontError);
    expect(() => chartFontFiles(missing)).toThrow(/npm install dejavu-fonts-ttf/);
  });
});

describe('renderDigestChart', () => {
  it.each([
    ['no', [] as CampaignFixture[]],
    ['1', ONE],
    ['10', TEN],
    ['300', manyCampaigns(300)],
  ])('draws a PNG of sensible size for %s campaigns', async (_, fixtures) => {
    const png = await renderDigestChart(digestOf(fixtures));
    const { width, height } = pngHeader(png);
    expect(width).toBe(CHART_WIDTH);
    expect(height).toBeGreaterThanOrEqual(fixtures.length === 0 ? 250 : MIN_CHART_HEIGHT);
    expect(height).toBeLessThanOrEqual(MAX_CHART_HEIGHT);
    expect(png.length).toBeGreaterThan(5_000);
    expect(png.length).toBeLessThan(1_000_000);
  });

  it('grows with the number of campaigns, within bounds', () => {
    const height = (fixtures: CampaignFixture[], maxCampaigns?: number) =>
      chartHeight(digestChart(digestOf(fixtures), maxCampaigns === undefined ? {} : { maxCampaigns }));
    expect(height(ONE)).toBe(MIN_CHART_HEIGHT);
    expect(height(TEN)).toBeGreaterThan(height(ONE));
    expect(height(manyCampaigns(300))).toBeGreaterThan(height(TEN));
    expect(height(manyCampaigns(300), 1000)).toBe(MAX_CHART_HEIGHT);
  });

  it('renders the same input to the same image', async () => {
    const digest = digestOf(TEN);
    const first = await renderDigestChart(digest);
    const second = await renderDigestChart(digest);
    expect(second.length).toBe(first.length);
    expect(second.equals(first)).toBe(true);
  });

  it('draws the title as text', async () => {
    const chart = digestChart(digestOf(TEN));
    const withTitle = await decode(await renderChart(chart));
    const withoutTitle = await decode(await renderChart({ ...chart, title: '' } satisfies DigestChart));
    expect(countPixels(withTitle, TITLE_BAND, isDark)).toBeGreaterThan(1_000);
    expect(countPixels(withoutTitle, TITLE_BAND, isDark)).toBe(0);
  });

  it('draws campaign names left of the bars', async () => {
    const image = await decode(await renderDigestChart(digestOf(TEN)));
    const names = { x: 0, y: 200, width: 300, height: image.height - 300 };
    expect(countPixels(image, names, isDark)).toBeGreaterThan(2_000);
  });

  it('keeps the bars wide when a name is 200 characters long', async () => {
    const image = await decode(
      await renderDigestChart(digestOf([{ name: 'M'.repeat(200), accepted: 20, rejected: 0 }])),
    );
    // A 100% bar crosses the middle of the image unless the name squeezed the plot.
    const middle = { x: CHART_WIDTH / 2, y: 0, width: 1, height: image.height };
    expect(countPixels(image, middle, isThisWeekBlue)).toBeGreaterThan(15);
  });

  it('draws a message instead of a chart for a week with no leads', async () => {
    const image = await decode(await renderDigestChart(digestOf([])));
    const message = { x: 200, y: 140, width: 800, height: 50 };
    expect(countPixels(image, message, isDark)).toBeGreaterThan(1_000);
  });

  it('writes previews that a person can open', async () => {
    for (const [name, fixtures] of [
      ['1-campaign', ONE],
      ['10-campaigns', TEN],
    ] as const) {
      const path = join(previewDir, `digest-chart-${name}.png`);
      writeFileSync(path, await renderDigestChart(digestOf(fixtures)));
      expect(statSync(path).size).toBeGreaterThan(5_000);
    }
  });
});
