import { type Canvas, createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  type LegendItem,
  LinearScale,
  type Plugin,
  type ScriptableScaleContext,
  SubTitle,
  Title,
} from 'chart.js';
import type { CampaignWeek, Digest } from '../domain/digest.js';
import { formatRate } from '../domain/stats.js';
import { CHART_FONT_FAMILY, ensureChartFont } from './font.js';

/**
 * The digest's bar chart: acceptance rate by campaign for the digest week, next to the week
 * before, as a PNG for Slack. `digestChart` decides what the image says (pure); `renderChart`
 * draws it with Chart.js on a headless canvas.
 *
 * Slack shows an image in the channel at roughly 360–500 px wide, so a 1200 px image is seen
 * at a third of its size: fonts are large, and every bar carries its value as text.
 */

export interface DigestChartOptions {
  /** Campaigns shown, those with the most leads posted first; default 15, at most 30. */
  maxCampaigns?: number;
}

export interface ChartRow {
  /** The campaign name, cleaned of control characters; fitted to the axis when drawn. */
  name: string;
  posted: number;
  decided: number;
  /** Acceptance rate this week, 0–1; undefined when nothing was decided. */
  rate: number | undefined;
  /** The week before; undefined when the campaign had no decided leads then (or no leads). */
  rateBefore: number | undefined;
  /** No leads the week before. */
  isNew: boolean;
  tooFew: boolean;
  below: boolean;
}

export interface DigestChart {
  title: string;
  /** One line, or two when campaigns are left out. */
  subtitle: string[];
  thisWeekLabel: string;
  beforeLabel: string;
  /** Overall acceptance rate this week, drawn as a vertical line. */
  overallRate: number | undefined;
  rows: ChartRow[];
  /** Campaigns with leads this week that are not drawn. */
  hidden: number;
  /** Set when the week had no leads: the image shows this sentence instead of a chart. */
  emptyMessage: string | undefined;
}

export const CHART_WIDTH = 1200;
export const DEFAULT_MAX_CAMPAIGNS = 15;
export const MAX_CAMPAIGNS = 30;
const ROW_HEIGHT = 68;
/** Title, subtitle, legend, overall-rate label, x axis and paddings. */
const FRAME_HEIGHT = 300;
const SUBTITLE_LINE_HEIGHT = 26;
/** One campaign; the plot is never taller than its rows need, or the bars would drift apart. */
export const MIN_CHART_HEIGHT = FRAME_HEIGHT + ROW_HEIGHT;
export const MAX_CHART_HEIGHT = FRAME_HEIGHT + SUBTITLE_LINE_HEIGHT + MAX_CAMPAIGNS * ROW_HEIGHT;
const EMPTY_HEIGHT = 280;
/** Campaign names on the y axis are cut to this width, so a long name cannot squeeze the bars. */
const NAME_MAX_WIDTH = 420;

const FONT_SIZE = { title: 30, subtitle: 21, legend: 21, name: 24, tick: 21, axisTitle: 18, value: 22 };
const COLOUR = {
  text: '#111827',
  quiet: '#4b5563',
  thisWeek: '#1d4ed8',
  before: '#cbd5e1',
  beforeText: '#64748b',
  below: '#dc2626',
  tooFewBackground: '#dbeafe',
  grid: '#e5e7eb',
  background: '#ffffff',
};
const TOO_FEW_SUFFIX = ' (too few)';

export async function renderDigestChart(digest: Digest, options: DigestChartOptions = {}): Promise<Buffer> {
  return renderChart(digestChart(digest, options));
}

/** What the chart shows, without drawing it. Pure. */
export function digestChart(digest: Digest, options: DigestChartOptions = {}): DigestChart {
  const weekLabel = digest.week.label.startsWith('week ')
    ? digest.week.label
    : `week ${digest.isoWeek} (${digest.week.label})`;
  const title = `Acceptance rate by campaign — ${weekLabel}`;
  // The title has this week's dates; the legend has room for one more set.
  const thisWeekLabel = 'This week';
  const beforeLabel = `Week before${datesOf(digest.previous.label)}`;
  const base = { title, thisWeekLabel, beforeLabel, overallRate: digest.totals.judgement.rate };

  const withLeads = digest.campaigns.filter((c) => c.stats.posted > 0);
  if (withLeads.length === 0) {
    return {
      ...base,
      subtitle: [],
      rows: [],
      hidden: 0,
      emptyMessage: `No leads were posted in ${weekLabel}.`,
    };
  }
  const limit = campaignLimit(options.maxCampaigns);
  const shown = [...withLeads]
    .sort((a, b) => b.stats.posted - a.stats.posted || a.campaign.localeCompare(b.campaign, 'en'))
    .slice(0, limit);
  const hidden = withLeads.length - shown.length;

  const { totals, totalsBefore } = digest;
  const count = (n: number) => n.toLocaleString('en-US');
  const summary = [
    `${count(totals.posted)} ${totals.posted === 1 ? 'lead' : 'leads'} posted`,
    `${count(totals.judgement.decided)} decided`,
    `overall ${formatRate(totals.judgement.rate)} (week before ${formatRate(totalsBefore.judgement.rate)})`,
  ].join(' · ');
  const subtitle =
    hidden > 0
      ? [
          summary,
          `Showing the ${shown.length} campaigns with the most leads · + ${count(hidden)} more campaigns`,
        ]
      : [summary];
  return { ...base, subtitle, rows: shown.map(chartRow), hidden, emptyMessage: undefined };
}

function chartRow(week: CampaignWeek): ChartRow {
  const { judgement } = week.stats;
  return {
    name: cleanName(week.campaign),
    posted: week.stats.posted,
    decided: judgement.decided,
    rate: judgement.rate,
    rateBefore: week.before?.judgement.rate,
    isNew: week.before === undefined,
    tooFew: judgement.verdict === 'too_few',
    below: judgement.verdict === 'below',
  };
}

function campaignLimit(asked: number | undefined): number {
  if (asked === undefined || !Number.isFinite(asked)) return DEFAULT_MAX_CAMPAIGNS;
  return Math.min(MAX_CAMPAIGNS, Math.max(1, Math.floor(asked)));
}

/** " (Nov 16 – 22)" from "week 2026-W47 (Nov 16 – 22)"; "" when the label has no dates in brackets. */
function datesOf(label: string): string {
  const dates = /\(([^()]+)\)\s*$/.exec(label)?.[1];
  return dates ? ` (${dates})` : '';
}

/**
 * Campaign names are free text from marketing: line breaks, control and direction-override
 * characters would garble or reorder the axis, so they become spaces or go.
 */
export function cleanName(name: string): string {
  const cleaned = name
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned === '' ? '(no name)' : cleaned;
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** `text` cut at a character boundary and ended with "…" so that `measure` says it fits in `maxWidth`. */
export function fitText(text: string, maxWidth: number, measure: (text: string) => number): string {
  if (measure(text) <= maxWidth) return text;
  const parts = [...graphemes.segment(text)].map((s) => s.segment);
  let low = 0;
  let high = parts.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (measure(`${parts.slice(0, mid).join('').trimEnd()}…`) <= maxWidth) low = mid;
    else high = mid - 1;
  }
  return `${parts.slice(0, low).join('').trimEnd()}…`;
}

export function chartHeight(chart: Pick<DigestChart, 'rows' | 'subtitle' | 'emptyMessage'>): number {
  if (chart.emptyMessage !== undefined) return EMPTY_HEIGHT;
  const height =
    FRAME_HEIGHT + (chart.subtitle.length - 1) * SUBTITLE_LINE_HEIGHT + chart.rows.length * ROW_HEIGHT;
  return Math.min(MAX_CHART_HEIGHT, Math.max(MIN_CHART_HEIGHT, height));
}

let chartJsReady = false;

/** Chart.js is a process-wide registry: set it up once, with only what this chart uses. */
function setUpChartJs(): void {
  if (chartJsReady) return;
  const family = ensureChartFont();
  Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Title, SubTitle);
  Chart.defaults.font.family = family;
  Chart.defaults.color = COLOUR.text;
  chartJsReady = true;
}

/** Draws the chart as a PNG. */
export async function renderChart(chart: DigestChart): Promise<Buffer> {
  setUpChartJs();
  const canvas = createCanvas(CHART_WIDTH, chartHeight(chart));
  if (chart.emptyMessage !== undefined) return drawEmpty(canvas, chart.title, chart.emptyMessage);

  const ctx = canvas.getContext('2d');
  // Chart.js's types name the DOM canvas; in Node it only calls getContext('2d'), which this has.
  const instance = new Chart(canvas as never, chartConfig(chart, ctx));
  try {
    return await canvas.encode('png');
  } finally {
    instance.destroy();
  }
}

const pct = (rate: number | undefined) => (rate === undefined ? null : Math.round(rate * 1000) / 10);
const font = (size: number, weight: 'normal' | 'bold' = 'normal') =>
  `${weight} ${size}px "${CHART_FONT_FAMILY}"`;

function chartConfig(chart: DigestChart, ctx: SKRSContext2D): ChartConfiguration<'bar'> {
  const { rows } = chart;
  const hatch = hatchPattern(ctx);
  ctx.font = font(FONT_SIZE.name);
  const measure = (text: string) => ctx.measureText(text).width;
  const suffixWidth = measure(TOO_FEW_SUFFIX);
  const labels = rows.map((row) =>
    row.tooFew
      ? `${fitText(row.name, NAME_MAX_WIDTH - suffixWidth, measure)}${TOO_FEW_SUFFIX}`
      : fitText(row.name, NAME_MAX_WIDTH, measure),
  );
  const thisWeekColour = (row: ChartRow) => (row.below ? COLOUR.below : row.tooFew ? hatch : COLOUR.thisWeek);

  const legendItems = (): LegendItem[] => {
    const item = (text: string, fillStyle: unknown, strokeStyle = 'rgba(0,0,0,0)'): LegendItem => ({
      text,
      fillStyle: fillStyle as string,
      strokeStyle,
      lineWidth: 2,
      fontColor: COLOUR.text,
      hidden: false,
    });
    const items = [item(chart.thisWeekLabel, COLOUR.thisWeek), item(chart.beforeLabel, COLOUR.before)];
    if (rows.some((r) => r.below)) items.push(item('Clearly below the rest', COLOUR.below));
    if (rows.some((r) => r.tooFew)) items.push(item('Too few to judge', hatch, COLOUR.thisWeek));
    return items;
  };

  return {
    type: 'bar',
    data: {
      labels,
      datasets: [
        {
          label: chart.thisWeekLabel,
          data: rows.map((r) => pct(r.rate)),
          backgroundColor: rows.map(thisWeekColour) as string[],
          borderColor: COLOUR.thisWeek,
          borderWidth: rows.map((r) => (r.tooFew ? 2 : 0)),
        },
        {
          label: chart.beforeLabel,
          data: rows.map((r) => pct(r.rateBefore)),
          backgroundColor: COLOUR.before,
          borderWidth: 0,
        },
      ],
    },
    options: {
      indexAxis: 'y',
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      layout: { padding: { top: 16, right: 32, bottom: 12, left: 16 } },
      datasets: { bar: { categoryPercentage: 0.84, barPercentage: 0.92, maxBarThickness: 30 } },
      scales: {
        x: {
          type: 'linear',
          min: 0,
          max: 100,
          grid: { color: COLOUR.grid },
          border: { display: false },
          ticks: {
            stepSize: 20,
            font: { size: FONT_SIZE.tick },
            color: COLOUR.quiet,
            callback: (v) => `${v}%`,
          },
          title: {
            display: true,
            text: 'Acceptance rate = accepted ÷ (accepted + rejected)',
            font: { size: FONT_SIZE.axisTitle },
            color: COLOUR.quiet,
          },
        },
        // Draws nothing; reserves the band above the bars where the overall rate's label goes.
        overallBand: {
          type: 'linear',
          axis: 'x',
          position: 'top',
          min: 0,
          max: 100,
          grid: { display: false },
          border: { display: false },
          ticks: { display: false },
          afterFit: (scale) => {
            scale.height = FONT_SIZE.value + 14;
          },
        },
        y: {
          type: 'category',
          grid: { display: false },
          border: { color: COLOUR.quiet },
          ticks: {
            autoSkip: false,
            font: { size: FONT_SIZE.name },
            color: (c: ScriptableScaleContext) => (rows[c.index]?.below ? COLOUR.below : COLOUR.text),
          },
        },
      },
      plugins: {
        title: {
          display: true,
          text: chart.title,
          align: 'start',
          color: COLOUR.text,
          font: { size: FONT_SIZE.title, weight: 'bold' },
          padding: { top: 0, bottom: 6 },
        },
        subtitle: {
          display: chart.subtitle.length > 0,
          text: chart.subtitle,
          align: 'start',
          color: COLOUR.quiet,
          font: { size: FONT_SIZE.subtitle },
          padding: { top: 0, bottom: 10 },
        },
        legend: {
          display: true,
          position: 'top',
          align: 'start',
          labels: {
            font: { size: FONT_SIZE.legend },
            color: COLOUR.text,
            boxWidth: 32,
            boxHeight: 20,
            padding: 14,
            generateLabels: legendItems,
          },
        },
      },
    },
    plugins: [whiteBackground, overallRateLine(chart.overallRate), valueLabels(rows)],
  };
}

/** Slack's dark theme would show a transparent PNG's dark text on black. */
const whiteBackground: Plugin<'bar'> = {
  id: 'leadloopBackground',
  beforeDraw: (chart) => {
    const { ctx } = chart;
    ctx.save();
    ctx.fillStyle = COLOUR.background;
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

function overallRateLine(rate: number | undefined): Plugin<'bar'> {
  return {
    id: 'leadloopOverallRate',
    afterDatasetsDraw: (chart) => {
      if (rate === undefined) return;
      const { ctx, chartArea } = chart;
      const x = chart.scales.x?.getPixelForValue(rate * 100);
      if (x === undefined) return;
      ctx.save();
      ctx.strokeStyle = COLOUR.text;
      ctx.lineWidth = 2;
      ctx.setLineDash([8, 6]);
      ctx.beginPath();
      ctx.moveTo(x, chartArea.top - 6);
      ctx.lineTo(x, chartArea.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      const label = `Overall this week: ${formatRate(rate)}`;
      ctx.font = font(FONT_SIZE.value, 'bold');
      const width = ctx.measureText(label).width;
      const left = Math.min(Math.max(x - width / 2, chartArea.left), chart.width - width - 8);
      ctx.fillStyle = COLOUR.text;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'bottom';
      ctx.fillText(label, left, chartArea.top - 8);
      ctx.restore();
    },
  };
}

/** "62%" at the end of each bar, with what a bare number would hide ("new", "too few"). */
function valueLabels(rows: ChartRow[]): Plugin<'bar'> {
  const thisWeekText = (row: ChartRow) => {
    if (row.rate === undefined) return 'no decisions yet';
    if (row.tooFew) return `${formatRate(row.rate)} · ${row.decided} decided`;
    if (row.below) return `${formatRate(row.rate)} · below the rest`;
    return formatRate(row.rate);
  };
  const beforeText = (row: ChartRow) => {
    if (row.isNew) return 'new this week';
    return row.rateBefore === undefined ? 'no decisions' : formatRate(row.rateBefore);
  };
  return {
    id: 'leadloopValueLabels',
    afterDatasetsDraw: (chart) => {
      const { ctx } = chart;
      ctx.save();
      ctx.textBaseline = 'middle';
      ctx.lineJoin = 'round';
      for (const [datasetIndex, text, colour, weight] of [
        [0, thisWeekText, (row: ChartRow) => (row.below ? COLOUR.below : COLOUR.text), 'bold'],
        [1, beforeText, () => COLOUR.beforeText, 'normal'],
      ] as const) {
        ctx.font = font(FONT_SIZE.value, weight);
        chart.getDatasetMeta(datasetIndex).data.forEach((element, index) => {
          const row = rows[index];
          if (!row) return;
          const bar = element as unknown as BarElement & { x: number; y: number; base: number };
          const label = text(row);
          const width = ctx.measureText(label).width;
          const end = Number.isFinite(bar.x) ? bar.x : bar.base;
          const fitsOutside = end + 8 + width <= chart.width - 4;
          // White on a solid bar's end; a hatched bar is too busy for that, so its label keeps its
          // colour and gets a halo like the labels outside.
          const onSolidBar =
            !fitsOutside && end - bar.base > width + 16 && !(datasetIndex === 0 && row.tooFew);
          ctx.textAlign = onSolidBar ? 'right' : 'left';
          const x = onSolidBar ? end - 8 : Math.min(end + 8, chart.width - 4 - width);
          if (!onSolidBar) {
            // The halo keeps the text readable where it crosses the overall-rate line or a bar.
            ctx.strokeStyle = COLOUR.background;
            ctx.lineWidth = 6;
            ctx.strokeText(label, x, bar.y);
          }
          ctx.fillStyle = onSolidBar ? COLOUR.background : colour(row);
          ctx.fillText(label, x, bar.y);
        });
      }
      ctx.restore();
    },
  };
}

/** Diagonal stripes: "too few to judge" must not read as a firm number. */
function hatchPattern(ctx: SKRSContext2D) {
  const size = 12;
  const tile = createCanvas(size, size);
  const t = tile.getContext('2d');
  t.fillStyle = COLOUR.tooFewBackground;
  t.fillRect(0, 0, size, size);
  t.strokeStyle = COLOUR.thisWeek;
  t.lineWidth = 2.5;
  t.beginPath();
  for (const offset of [-size, 0, size]) {
    t.moveTo(offset, size);
    t.lineTo(offset + size, 0);
  }
  t.stroke();
  return ctx.createPattern(tile, 'repeat');
}

async function drawEmpty(canvas: Canvas, title: string, message: string): Promise<Buffer> {
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = COLOUR.background;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillStyle = COLOUR.text;
  ctx.font = font(FONT_SIZE.title, 'bold');
  ctx.fillText(
    fitText(title, canvas.width - 64, (t) => ctx.measureText(t).width),
    32,
    32,
  );
  ctx.textAlign = 'center';
  ctx.font = font(30, 'bold');
  ctx.fillText(
    fitText(message, canvas.width - 64, (t) => ctx.measureText(t).width),
    canvas.width / 2,
    150,
  );
  ctx.fillStyle = COLOUR.quiet;
  ctx.font = font(FONT_SIZE.subtitle);
  ctx.fillText('The chart of acceptance rates appears once leads are posted.', canvas.width / 2, 210);
  return canvas.encode('png');
}
