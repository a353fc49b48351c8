import type { LeadStateName } from '../src/domain/decision.js';
import type { LeadInput } from '../src/domain/lead.js';
import { DEFAULT_REASONS } from '../src/domain/reasons.js';
import type { HistoricalLead, Store } from '../src/storage/store.js';

/**
 * Realistic, deterministic lead history: leads from campaigns of differing quality, posted over a
 * span of time with a weekday and working-hour bias, and decided (or not) by reps. The same options
 * give the same history, byte for byte: every random draw comes from a seeded PRNG, never from
 * Math.random or the clock. Used by the stats bench and the demo.
 *
 * The model, in short:
 * - Campaigns have a source (webinar, event, paid-search, email, web-form, referral), a window of
 *   activity (a webinar lasts days, paid search months; two always-on campaigns span the whole
 *   range), a share of the leads, an acceptance propensity (a few are clearly bad), a mix of
 *   reject reasons, a share of rejects left without a reason, and a share of leads nobody decides.
 *   A few campaigns bring only a handful of leads.
 * - Leads arrive on weekdays in working hours (UTC) more than at night or at weekends; a trade
 *   show's leads arrive in one to three bulk uploads, posted about a second apart as the poster paces.
 * - A rep decides after a log-normal delay (median about 40 minutes, a long tail into days), mostly
 *   in working hours; a lead whose decision would come after `now` is still pending, so recent
 *   leads are pending more often. About 5% of decided leads have a retracted reaction (mostly
 *   followed by the same rep's other verdict), about 3% a second rep who disagrees later.
 */

export interface GenerateOptions {
  seed: number;
  leads: number;
  /** Post times are spread over [start, end), in ms. */
  start: number;
  end: number;
  campaigns: number;
  reps: number;
  /** No decision is made or retracted at or after `now` (>= end). */
  now: number;
  /** The channel every lead was posted in. */
  channel: string;
}

export const SOURCES = ['webinar', 'event', 'paid-search', 'email', 'web-form', 'referral'] as const;
export type Source = (typeof SOURCES)[number];

export interface CampaignPlan {
  name: string;
  source: Source;
  /** The campaign's leads are posted in [from, to). */
  from: number;
  to: number;
  leads: number;
  /** Chance that a lead of average score is accepted, when decided. */
  acceptance: number;
  /** Clearly bad: marketing should hear about it. */
  bad: boolean;
  /** Share of rejects left without a reason. */
  noReasonShare: number;
  /** Share of leads nobody ever decides. */
  neglect: number;
  /** Weight of each DEFAULT_REASONS entry (same order) among rejects with a reason. */
  reasonWeights: number[];
  scoreMean: number;
}

export interface HistoryPlan {
  campaigns: CampaignPlan[];
  reps: string[];
}

/** A generated lead, with what its decisions are meant to make of it (checked by the tests). */
export interface GeneratedLead extends HistoricalLead {
  expected: {
    state: LeadStateName;
    /** The winning decision's reason (null when accepted, pending, or rejected without one). */
    reason: string | null;
    firstDecidedAt: number | undefined;
  };
}

// ---------------------------------------------------------------------------------------------
// Randomness

/** sfc32, seeded through splitmix32: small, fast, and good enough for synthetic data. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    let s = (Math.trunc(seed) ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
    const splitmix = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Log-normal with the given median and log-space spread. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Index drawn in proportion to `weights`. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] as number;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Word lists

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A word list written as one string: `a|b|c`. */
const list = (text: string): readonly string[] => text.split('|');

const FIRST_NAMES = list(
  'Ana|Ben|Chloé|Dana|Emeka|Farah|Giulia|Hiroshi|Ines|Jonas|Kavya|Lars|Mei|Noah|Olga|Pedro|Qi|Rosa|Sven|' +
    'Tariq|Uma|Viktor|Wen|Ximena|Yusuf|Zoë|Amir|Birgit|Carlos|Deepa|Elif|Felix|Grace|Hannah|Ivan|Julia|Kofi|' +
    'Laura|Marek|Nina',
);
const LAST_NAMES = list(
  'Silva|Okafor|Martin|Lee|Nwosu|Haddad|Rossi|Tanaka|García|Becker|Iyer|Nilsson|Chen|Smith|Ivanova|Costa|' +
    'Wang|Moreno|Larsen|Aziz|Patel|Novak|Zhang|López|Demir|Müller|Karimi|Hansen|Fernández|Rao|Yılmaz|' +
    "Schmidt|O'Brien|Kowalski|Dubois|Jensen|Mensah|Fischer|Sato|Andersson",
);
const COMPANY_STEMS = list(
  'Acme|Northwind|Globex|Bluewater|Contoso|Initech|Redline|Alpine|Harbor|Meridian|Polar|Summit|Baltic|' +
    'Danube|Atlas|Crescent|Granite|Pioneer|Silverline|Keystone|Evergreen|Falcon|Orion|Rhine|Sierra|' +
    'Tidewater|Vantage|Westport|Zenith|Ironbridge',
);
const COMPANY_KINDS = list(
  'Logistics|Freight|Shipping|Transport|Cargo|Supply Chain|Distribution|Express|Carriers|Foods|Retail|Manufacturing',
);
const TITLES = list(
  'VP Operations|Head of Logistics|Logistics Manager|Transport Planner|Supply Chain Director|CFO|IT Manager|' +
    'Operations Analyst|Procurement Lead|Fleet Manager|COO|Warehouse Manager|Founder|Head of Procurement|Dispatcher',
);
const TITLE_WEIGHTS = [4, 4, 6, 5, 3, 1, 2, 3, 3, 3, 1, 3, 1, 2, 2];
/** Country, calling code, weight. */
const COUNTRIES = list(
  'US 1 30|DE 49 15|GB 44 12|FR 33 7|NL 31 6|ES 34 4|SE 46 4|PL 48 4|IT 39 4|CA 1 4|AU 61 3|IN 91 3|BR 55 2|MX 52 2',
).map((row) => row.split(' ') as [string, string, string]);
const COUNTRY_WEIGHTS = COUNTRIES.map((c) => Number(c[2]));
const NOTES = list(
  'Asked about pricing for 50 seats|Wants a demo next week|Currently on spreadsheets|Evaluating three vendors|' +
    'Budget approved for next quarter|Visited the pricing page 4 times|Came via a partner intro|' +
    'Requested the API docs|Runs 40 trucks in two depots',
);
const OTHER_NOTES = list(
  'Already talking to our account team|Looking for a job, not software|We do not sell in their country|' +
    'Journalist asking for a quote|Investor, not a buyer|Spam submission|Asked to be removed from all lists|' +
    'Testing our form',
);
const COMPETITORS = list('FreightWise|RouteRival|CargoSoft|Shiplytics');
const CUSTOMERS = list('Acme Logistics|Northwind Freight|Globex Shipping|Harbor Transport');
const UNIVERSITIES = list('University of Lyon|TU Delft|Politecnico di Milano|State University');
const JUNK_NAMES = list('asdf asdf|Test Test|Mickey Mouse|x|No Name');

const WEBINAR_TOPICS = list(
  'Freight AI|Route optimisation|Warehouse automation|Carbon reporting|Customs made simple|Last-mile delivery|' +
    'Yard management|Demand forecasting|Fleet telematics|Dock scheduling|Returns logistics|Cold chain visibility',
);
const TRADE_SHOWS = list(
  'LogiMAT|Transport Logistic|ProMat|Manifest|Multimodal|TOC Europe|Intralogistics Summit|Breakbulk Europe|' +
    'CSCMP Edge|Home Delivery World|Supply Chain Expo|MODEX',
);
const KEYWORDS = list(
  'freight software|route optimisation|TMS pricing|warehouse management system|fleet tracking|load planning|' +
    'freight audit|carrier management|shipping API|3PL software|dock scheduling app|yard management software',
);
const REGIONS = list('US|UK|DACH|Nordics|France|Benelux|Iberia|APAC');
const MONTHS = list('January|February|March|April|May|June|July|August|September|October|November|December');
const WEB_FORMS = list(
  'Website: demo request|Website: pricing page|Content download: State of Freight report|' +
    'Content download: TMS buyer’s guide|Website: contact us|Content download: ROI calculator|' +
    'Free trial sign-up|Website: live chat',
);
const PARTNERS = list(
  'Partner referral: Nordwind Consulting|Partner referral: CargoOps|Customer referral programme|' +
    'Partner referral: FreightTech Partners|Reseller: Baltic Systems|Partner referral: Meridian Advisory',
);

/** Base acceptance of a decided lead, by source. */
const SOURCE_ACCEPTANCE: Record<Source, number> = {
  webinar: 0.42,
  event: 0.5,
  'paid-search': 0.33,
  email: 0.3,
  'web-form': 0.48,
  referral: 0.72,
};
const SOURCE_SHARE: Record<Source, number> = {
  webinar: 0.25,
  event: 0.15,
  'paid-search': 0.2,
  email: 0.15,
  'web-form': 0.12,
  referral: 0.13,
};
/** Leads per campaign-day, relative: a trade show brings a list of badge scans at once. */
const SOURCE_VOLUME: Record<Source, number> = {
  webinar: 1.5,
  event: 3,
  'paid-search': 1,
  email: 1,
  'web-form': 1,
  referral: 0.7,
};
/** Campaign length in days, [min, max). */
const SOURCE_DAYS: Record<Source, [number, number]> = {
  webinar: [3, 15],
  event: [4, 22],
  'paid-search': [45, 365],
  email: [2, 22],
  'web-form': [90, 730],
  referral: [120, 730],
};
/** Reject reason weights by source, by reason key (others weigh 1). */
const REASON_WEIGHTS: Record<Source, Record<string, number>> = {
  webinar: { bad_fit: 3, student: 2.5, not_ready: 3, no_authority: 2.5, no_budget: 1.5, unreachable: 1.5 },
  event: { bad_fit: 2.5, duplicate: 2, competitor: 2, not_ready: 3, no_authority: 3, existing_customer: 1.5 },
  'paid-search': {
    bad_fit: 4,
    bad_data: 3,
    student: 3,
    unreachable: 2,
    not_ready: 1.5,
    existing_customer: 0.5,
  },
  email: { duplicate: 3, existing_customer: 3, not_ready: 3, unreachable: 2, competitor: 0.5 },
  'web-form': { bad_fit: 3, bad_data: 3, competitor: 2, unreachable: 2.5, not_ready: 2 },
  referral: { duplicate: 2, existing_customer: 2, not_ready: 3, no_budget: 2, bad_data: 0.3, student: 0.2 },
};
const OTHER_WEIGHT = 0.6;

const HOUR_WEIGHTS = [
  0.04, 0.04, 0.04, 0.04, 0.04, 0.05, 0.1, 0.3, 0.7, 1, 1, 1, 0.8, 1, 1, 1, 1, 0.7, 0.45, 0.25, 0.25, 0.2,
  0.1, 0.05,
];
/** Sunday first, as Date#getUTCDay counts. */
const WEEKDAY_WEIGHTS = [0.1, 1, 1, 1, 1, 0.8, 0.12];

// ---------------------------------------------------------------------------------------------
// Planning

function checkOptions(o: GenerateOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(o.leads) || o.leads < 0) problems.push('leads must be a whole number >= 0');
  if (!Number.isInteger(o.campaigns) || o.campaigns < 1 || o.campaigns > 65_535) {
    problems.push('campaigns must be a whole number from 1 to 65535');
  }
  if (!Number.isInteger(o.reps) || o.reps < 1) problems.push('reps must be a whole number >= 1');
  if (!(Number.isFinite(o.start) && Number.isFinite(o.end) && o.start < o.end)) {
    problems.push('start must be before end (ms)');
  }
  if (!(o.now >= o.end)) problems.push('now must be at or after end');
  if (o.channel === '') problems.push('channel is required');
  if (problems.length > 0) throw new RangeError(`generateHistory: ${problems.join('; ')}`);
}

const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function yearQuarter(ms: number): { year: number; quarter: number; month: number } {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), quarter: Math.floor(d.getUTCMonth() / 3) + 1, month: d.getUTCMonth() };
}

function baseName(rng: Rng, source: Source, from: number): string {
  const { year, quarter, month } = yearQuarter(from);
  switch (source) {
    case 'webinar':
      return `${year}-Q${quarter} Webinar: ${rng.pick(WEBINAR_TOPICS)}`;
    case 'event':
      return `Trade show: ${rng.pick(TRADE_SHOWS)} ${year}`;
    case 'paid-search':
      return `Paid search: ${rng.pick(KEYWORDS)}`;
    case 'email':
      return rng.chance(0.6)
        ? `Newsletter ${MONTHS[month]} ${year}`
        : `Email nurture: ${rng.pick(WEBINAR_TOPICS)} ${year}`;
    case 'web-form':
      return rng.pick(WEB_FORMS);
    case 'referral':
      return rng.pick(PARTNERS);
  }
}

/** Campaign names are unique by their normalised key: a second spelling would merge into the first. */
function uniqueName(rng: Rng, base: string, taken: Set<string>): string {
  const key = (name: string) => name.toLowerCase();
  if (!taken.has(key(base))) return base;
  const offset = rng.int(0, REGIONS.length);
  for (let k = 0; k < REGIONS.length; k++) {
    const name = `${base} (${REGIONS[(offset + k) % REGIONS.length]})`;
    if (!taken.has(key(name))) return name;
  }
  for (let n = 2; ; n++) {
    const name = `${base} #${n}`;
    if (!taken.has(key(name))) return name;
  }
}

/**
 * The campaigns and reps of a history, with each campaign's share of the leads. Deterministic in
 * the options; generateHistory uses exactly this plan.
 */
export function planHistory(options: GenerateOptions): HistoryPlan {
  checkOptions(options);
  const rng = new Rng(options.seed, 1);
  const { start, end } = options;
  const span = end - start;
  const n = options.campaigns;
  const taken = new Set<string>();
  const sources = SOURCES.map((s) => SOURCE_SHARE[s]);
  // A few clearly bad campaigns, a few with a handful of leads; the first two are always on.
  const roles = Array.from({ length: n }, () => 'normal' as 'normal' | 'bad' | 'tiny');
  const others = Array.from({ length: Math.max(0, n - 2) }, (_, i) => i + 2);
  const take = (count: number) => {
    const chosen: number[] = [];
    for (let k = 0; k < count && others.length > 0; k++) {
      chosen.push(others.splice(rng.int(0, others.length), 1)[0] as number);
    }
    return chosen;
  };
  for (const i of take(n >= 3 ? Math.max(1, Math.round(n * 0.06)) : 0)) roles[i] = 'bad';
  for (const i of take(n >= 5 ? Math.max(1, Math.round(n * 0.04)) : 0)) roles[i] = 'tiny';

  const draft = roles.map((role, i) => {
    const alwaysOn = i < 2;
    const source: Source = alwaysOn
      ? i === 0
        ? 'web-form'
        : 'paid-search'
      : (SOURCES[rng.weighted(sources)] as Source);
    const [minDays, maxDays] = SOURCE_DAYS[source];
    // A campaign may have started before the range or still run after it (so every stretch of
    // the range, its ends included, has as many campaigns running); at least an hour is inside.
    const length = alwaysOn ? span : rng.int(minDays, maxDays) * DAY + rng.int(0, DAY);
    const began = alwaysOn
      ? start
      : start - length + HOUR + Math.floor(rng.next() * (span + length - 2 * HOUR));
    const from = Math.max(start, began);
    const to = Math.min(end, began + length);
    const base = alwaysOn
      ? i === 0
        ? 'Website: demo request'
        : 'Paid search: freight software'
      : baseName(rng, source, Math.max(began, start - 180 * DAY));
    const name = uniqueName(rng, base, taken);
    taken.add(name.toLowerCase());
    const bad = role === 'bad';
    const acceptance = bad
      ? 0.04 + rng.next() * 0.08
      : sigmoid(logit(SOURCE_ACCEPTANCE[source]) + 0.55 * rng.normal());
    const reasonWeights = DEFAULT_REASONS.map((r) => {
      const base = r.key === 'other' ? OTHER_WEIGHT : (REASON_WEIGHTS[source][r.key] ?? 1);
      const skew = bad && ['bad_fit', 'bad_data', 'student'].includes(r.key) ? 4 : 1;
      return base * skew * rng.logNormal(1, 0.5);
    });
    const days = (to - from) / DAY;
    // Volume grows with the campaign's length, less than in proportion; a bad campaign is a big
    // one (a bought list, a broad keyword), or nobody would notice it.
    const size = bad ? rng.logNormal(2, 0.3) : rng.logNormal(1, 0.8);
    const weight =
      role === 'tiny' ? 0 : size * SOURCE_VOLUME[source] * Math.sqrt(Math.max(1, days)) * (alwaysOn ? 3 : 1);
    return {
      role,
      weight,
      plan: {
        name,
        source,
        from,
        to,
        leads: 0,
        acceptance,
        bad,
        noReasonShare: 0.04 + rng.next() * 0.2,
        neglect: clamp(0.08 + 0.14 * (1 - acceptance) + 0.04 * rng.normal(), 0.02, 0.4),
        reasonWeights,
        scoreMean: clamp(25 + 55 * acceptance + 6 * rng.normal(), 5, 95),
      } satisfies CampaignPlan,
    };
  });

  // Leads: the tiny ones get 1 to 6, the rest share what is left by weight (largest remainder).
  let left = options.leads;
  for (const d of draft) {
    if (d.role !== 'tiny') continue;
    d.plan.leads = Math.min(left, rng.int(1, 7));
    left -= d.plan.leads;
  }
  const sharing = draft.filter((d) => d.role !== 'tiny');
  // Everyone gets one first when there are enough leads, so no campaign is empty by rounding.
  if (left >= sharing.length) {
    for (const d of sharing) d.plan.leads += 1;
    left -= sharing.length;
  }
  const totalWeight = sharing.reduce((sum, d) => sum + d.weight, 0);
  const exact = sharing.map((d) => (left * d.weight) / totalWeight);
  let given = 0;
  sharing.forEach((d, i) => {
    const whole = Math.floor(exact[i] as number);
    d.plan.leads += whole;
    given += whole;
  });
  const byRemainder = sharing
    .map((d, i) => ({ d, rest: (exact[i] as number) - Math.floor(exact[i] as number), i }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (let k = 0; k < left - given; k++)
    (byRemainder[k % byRemainder.length] as { d: (typeof draft)[0] }).d.plan.leads += 1;

  const reps = Array.from({ length: options.reps }, (_, i) => `U0REP${String(i + 1).padStart(4, '0')}`);
  return { campaigns: draft.map((d) => d.plan), reps };
}

// ---------------------------------------------------------------------------------------------
// Time

function timeWeight(ms: number): number {
  const d = new Date(ms);
  return (WEEKDAY_WEIGHTS[d.getUTCDay()] as number) * (HOUR_WEIGHTS[d.getUTCHours()] as number);
}

/** A time in [from, to), more likely on a weekday in working hours. */
function biasedTime(rng: Rng, from: number, to: number): number {
  let t = from;
  for (let tries = 0; tries < 60; tries++) {
    t = from + Math.floor(rng.next() * (to - from));
    if (rng.next() < timeWeight(t)) return t;
  }
  return t;
}

function isWorkingTime(ms: number): boolean {
  const d = new Date(ms);
  const day = d.getUTCDay();
  const hour = d.getUTCHours();
  return day >= 1 && day <= 5 && hour >= 8 && hour < 18;
}

/** The next weekday 08:00–10:00 UTC after `ms` (a rep picking up the queue in the morning). */
function nextMorning(rng: Rng, ms: number): number {
  const d = new Date(ms);
  let day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (d.getUTCHours() >= 8) day += DAY;
  while (new Date(day).getUTCDay() === 0 || new Date(day).getUTCDay() === 6) day += DAY;
  return day + 8 * HOUR + Math.floor(rng.next() * 2 * HOUR);
}

/** Post times of every lead, by campaign, sorted: index order and the campaign of each. */
function postTimes(rng: Rng, plan: HistoryPlan, options: GenerateOptions) {
  const total = plan.campaigns.reduce((n, c) => n + c.leads, 0);
  const times = new Float64Array(total);
  const campaignOf = new Uint16Array(total);
  let at = 0;
  plan.campaigns.forEach((c, ci) => {
    if (c.source === 'event' && c.leads > 0) {
      // Badge scans, uploaded after the show in one to three batches, posted ~1.1 s apart.
      const uploads = Math.min(c.leads, rng.int(1, 4));
      for (let u = 0; u < uploads; u++) {
        const size = Math.floor(c.leads / uploads) + (u < c.leads % uploads ? 1 : 0);
        const needs = size * 1_400;
        let upload = biasedTime(rng, c.from, c.to);
        if (upload + needs >= options.end) upload = options.end - needs - 1;
        const spread = upload < options.start;
        for (let j = 0; j < size; j++) {
          times[at] = spread
            ? biasedTime(rng, options.start, options.end)
            : upload + j * 1_100 + Math.floor(rng.next() * 300);
          campaignOf[at++] = ci;
        }
      }
      return;
    }
    for (let j = 0; j < c.leads; j++) {
      times[at] = biasedTime(rng, c.from, c.to);
      campaignOf[at++] = ci;
    }
  });
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  order.sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
  return { times, campaignOf, order };
}

/** A Slack message ts for a post at `ms`, strictly after `previousMicros`. */
function tsFor(ms: number, previousMicros: number): { ts: string; micros: number } {
  const micros = Math.max(ms * 1000, previousMicros + 1);
  const seconds = Math.floor(micros / 1_000_000);
  return { ts: `${seconds}.${String(micros - seconds * 1_000_000).padStart(6, '0')}`, micros };
}

// ---------------------------------------------------------------------------------------------
// Leads and decisions

type Decision = HistoricalLead['decisions'][number];

const ACCEPT_REACTIONS = ['white_check_mark', 'white_check_mark', 'white_check_mark', 'heavy_check_mark'];
const REJECT_REACTIONS = ['x', 'x', 'x', 'no_entry_sign'];

function cumulative(weights: readonly number[]): Float64Array {
  const sums = new Float64Array(weights.length);
  let total = 0;
  weights.forEach((w, i) => {
    total += w;
    sums[i] = total;
  });
  return sums;
}

function pickCumulative(rng: Rng, sums: Float64Array): number {
  const r = rng.next() * (sums[sums.length - 1] as number);
  let lo = 0;
  let hi = sums.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sums[mid] as number) > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
}

/**
 * The history: one lead at a time, in post order (so the store creates campaigns in the order
 * they first appear and ts grow with post times). Use loadHistory to store it.
 */
export function* generateHistory(options: GenerateOptions): Generator<GeneratedLead> {
  const plan = planHistory(options);
  const { campaigns, reps } = plan;
  const { times, campaignOf, order } = postTimes(new Rng(options.seed, 2), plan, options);
  const rng = new Rng(options.seed, 3);
  const { now, channel } = options;

  // Reps: a few do most of the deciding; each has a pace of their own.
  const repWeights = cumulative(reps.map((_, i) => 1 / (i + 1) ** 0.7));
  const repPace = reps.map(() => rng.logNormal(1, 0.5));
  const reasonSums = campaigns.map((c) => cumulative(c.reasonWeights));
  const seen = new Uint8Array(campaigns.length);
  const titleSums = cumulative(TITLE_WEIGHTS);
  const countrySums = cumulative(COUNTRY_WEIGHTS);
  const reasonKeys = DEFAULT_REASONS.map((r) => r.key);

  let lastMicros = 0;
  for (let k = 0; k < order.length; k++) {
    const index = order[k] as number;
    const ci = campaignOf[index] as number;
    const campaign = campaigns[ci] as CampaignPlan;
    const postedAt = times[index] as number;
    const { ts, micros } = tsFor(postedAt, lastMicros);
    lastMicros = micros;

    const score = clamp(Math.round(campaign.scoreMean + 16 * rng.normal()), 0, 100);
    const hasScore = rng.chance(0.85);

    // Decisions, each strictly later than the one before, none at or after `now`.
    const decisions: Decision[] = [];
    let firstReject: string | undefined;
    const decide = (userId: string, verdict: 'accept' | 'reject', at: number, byReaction: boolean) => {
      const d: Decision = { userId, verdict, decidedAt: at, source: byReaction ? 'reaction' : 'button' };
      if (byReaction) d.reaction = rng.pick(verdict === 'accept' ? ACCEPT_REACTIONS : REJECT_REACTIONS);
      if (verdict === 'reject' && !rng.chance(campaign.noReasonShare)) {
        d.reason = reasonKeys[pickCumulative(rng, reasonSums[ci] as Float64Array)] as string;
        if (d.reason === 'other') d.note = rng.pick(OTHER_NOTES);
      }
      if (verdict === 'reject') firstReject ??= d.reason ?? 'none';
      decisions.push(d);
      return d;
    };
    const neglected = rng.chance(campaign.neglect);
    if (!neglected) {
      const repIndex = pickCumulative(rng, repWeights);
      const rep = reps[repIndex] as string;
      let at =
        postedAt +
        Math.max(20_000, Math.round(rng.logNormal(40 * MINUTE, 1.5) * (repPace[repIndex] as number)));
      if (!isWorkingTime(at) && rng.chance(0.85))
        at = nextMorning(rng, at) + Math.round(rng.logNormal(20 * MINUTE, 1));
      if (at < now) {
        const accepted = rng.chance(
          sigmoid(logit(campaign.acceptance) + (hasScore ? 0.035 * (score - campaign.scoreMean) : 0)),
        );
        const retracts = rng.chance(0.05);
        const first = decide(rep, accepted ? 'accept' : 'reject', at, retracts || rng.chance(0.65));
        let last = at;
        if (retracts) {
          const retractAt = at + Math.max(1_000, Math.round(rng.logNormal(3 * MINUTE, 1.2)));
          if (retractAt < now) {
            first.retractedAt = retractAt;
            last = retractAt;
            // Mostly a change of mind; sometimes the reaction was a slip and the lead waits again.
            const again = retractAt + Math.max(1_000, Math.round(rng.logNormal(2 * MINUTE, 1)));
            if (rng.chance(0.75) && again < now) {
              decide(rep, accepted ? 'reject' : 'accept', again, rng.chance(0.5));
              last = again;
            }
          }
        }
        if (reps.length > 1 && rng.chance(0.03)) {
          const standing = decisions.filter((d) => d.retractedAt === undefined).at(-1);
          const other = reps[(repIndex + 1 + rng.int(0, reps.length - 1)) % reps.length] as string;
          const later = last + Math.max(1_000, Math.round(rng.logNormal(4 * HOUR, 1.2)));
          if (later < now) {
            const verdict = standing
              ? standing.verdict === 'accept'
                ? 'reject'
                : 'accept'
              : accepted
                ? 'reject'
                : 'accept';
            decide(other, verdict, later, rng.chance(0.65));
          }
        }
      }
    }

    // The lead itself; rejected ones look like what they were rejected for.
    const first = rng.pick(FIRST_NAMES);
    const lastName = rng.pick(LAST_NAMES);
    let name: string | undefined = `${first} ${lastName}`;
    let company: string | undefined = `${rng.pick(COMPANY_STEMS)} ${rng.pick(COMPANY_KINDS)}`;
    let title: string | undefined = TITLES[pickCumulative(rng, titleSums)] as string;
    let domain = `${slug(company)}.example`;
    if (firstReject === 'student') {
      title = rng.chance(0.7) ? 'Student' : 'PhD candidate';
      company = rng.pick(UNIVERSITIES);
      domain = 'student.example';
    } else if (firstReject === 'competitor') {
      company = rng.pick(COMPETITORS);
      domain = `${slug(company)}.example`;
    } else if (firstReject === 'existing_customer') {
      company = rng.pick(CUSTOMERS);
      domain = `${slug(company)}.example`;
    }
    let email: string | undefined = `${slug(first)}.${slug(lastName)}@${domain}`;
    let phone: string | undefined;
    const country = COUNTRIES[pickCumulative(rng, countrySums)] as [string, string, string];
    if (rng.chance(0.6)) phone = `+${country[1]} ${rng.int(100, 1000)} ${rng.int(1000, 10_000)}`;
    if (firstReject === 'bad_data') {
      name = rng.pick(JUNK_NAMES);
      email = rng.chance(0.5) ? 'test@test.example' : `${slug(name) || 'x'}@mailinator.example`;
      company = rng.chance(0.5) ? 'n/a' : undefined;
      phone = rng.chance(0.5) ? '000' : undefined;
    } else if (rng.chance(0.03)) email = undefined;
    else if (rng.chance(0.02)) name = undefined;
    if (rng.chance(0.05)) title = undefined;

    // Now and then marketing spells the campaign differently; the store counts it as the same one.
    let campaignText = campaign.name;
    if (seen[ci] && rng.chance(0.01))
      campaignText = rng.chance(0.5) ? campaign.name.toLowerCase() : ` ${campaign.name}  `;
    seen[ci] = 1;

    const receivedAt = postedAt - Math.max(200, Math.round(rng.logNormal(3_000, 1)));
    const createdAt =
      campaign.source === 'event'
        ? receivedAt - rng.int(HOUR, 4 * DAY)
        : receivedAt - Math.max(1_000, Math.round(rng.logNormal(90_000, 1.5)));
    const crmId = 100_000 + k;
    const lead: LeadInput = {
      externalId: `gen-${options.seed}-${k}`,
      email,
      name,
      company,
      title,
      phone,
      country: country[0],
      campaign: campaignText,
      source: campaign.source,
      score: hasScore ? score : undefined,
      url: rng.chance(0.7) ? `https://crm.example.com/contacts/${crmId}` : undefined,
      notes: rng.chance(0.15) ? rng.pick(NOTES) : undefined,
      createdAt: new Date(createdAt),
    };

    // What the store must derive: the latest standing decision wins (times are strictly increasing).
    const standing = decisions.filter((d) => d.retractedAt === undefined);
    const winner = standing.at(-1);
    yield {
      lead,
      receivedAt,
      postedAt,
      channel,
      ts,
      decisions,
      expected: {
        state: winner === undefined ? 'pending' : winner.verdict === 'accept' ? 'accepted' : 'rejected',
        reason: winner?.reason ?? null,
        firstDecidedAt: standing[0]?.decidedAt,
      },
    };
  }
}

export interface LoadResult {
  leads: number;
  decisions: number;
  /** Wall time of the whole load. */
  elapsedMs: number;
  /** Of which generating the history (the rest is the store's insertHistory). */
  generateMs: number;
  insertMs: number;
}

export const LOAD_BATCH = 5_000;

/**
 * Generates the history and stores it with store.insertHistory, LOAD_BATCH leads per
 * transaction. `onProgress` gets the leads stored so far after each batch.
 */
export function loadHistory(
  store: Store,
  options: GenerateOptions,
  onProgress?: (done: { leads: number; decisions: number; total: number }) => void,
): LoadResult {
  const began = performance.now();
  let insertMs = 0;
  let leads = 0;
  let decisions = 0;
  let batch: GeneratedLead[] = [];
  const flush = () => {
    if (batch.length === 0) return;
    const t = performance.now();
    store.insertHistory(batch);
    insertMs += performance.now() - t;
    leads += batch.length;
    for (const item of batch) decisions += item.decisions.length;
    batch = [];
    onProgress?.({ leads, decisions, total: options.leads });
  };
  for (const item of generateHistory(options)) {
    batch.push(item);
    if (batch.length >= LOAD_BATCH) flush();
  }
  flush();
  const elapsedMs = performance.now() - began;
  return { leads, decisions, elapsedMs, generateMs: elapsedMs - insertMs, insertMs };
}
