import { checkPeriodToken, type PeriodSpec, type PeriodTokenCheck } from './period.js';

/**
 * The `/leadstats` grammar, shared with `leadloop stats`:
 *   [period] [campaign <name>] [reasons|reps|pending] [share] [help]
 * Words come in any order and any case. A campaign name is either quoted (straight or curly
 * quotes, taken verbatim) or the words after `campaign` up to the next keyword. Every refusal
 * names the word that was wrong, because the person reads it in an ephemeral reply.
 */

export type StatsView = 'summary' | 'reasons' | 'reps' | 'pending';

export interface StatsQuery {
  period: PeriodSpec;
  campaign?: string;
  view: StatsView;
  /** Post the answer to the channel instead of an ephemeral reply. */
  share: boolean;
  /** Show the usage; wins over everything else. */
  help: boolean;
}

export type StatsParse = { ok: true; query: StatsQuery } | { ok: false; error: string };

export const DEFAULT_PERIOD: PeriodSpec = { kind: 'days', days: 30 };

/** Same cap as a lead's campaign: a longer name cannot match anything. */
export const MAX_CAMPAIGN_LENGTH = 200;

export const STATS_USAGE = [
  'Usage: /leadstats [period] [campaign <name>] [reasons|reps|pending] [share] [help]',
  '  period: 7d, 30d (default), 90d or any Nd, week, last-week, month, quarter, ytd,',
  '          2026-10-01..2026-10-31 or 2026-W47. Leads count by when they were posted.',
  '  campaign <name>: one campaign; quote a name that holds a keyword: campaign "Spring week promo"',
  '  reasons: reject reasons · reps: decisions per rep · pending: oldest pending leads',
  '  share: post the answer in the channel (otherwise only you see it)',
  'Examples: /leadstats last-week   /leadstats 90d campaign Spring webinar reasons   /leadstats month reps share',
  'In a terminal: leadloop stats <same words>, plus --json or --csv.',
].join('\n');

const VIEWS: readonly StatsView[] = ['reasons', 'reps', 'pending'];

/** Close guesses for words people type; the period forms are in the usage. */
const SUGGESTIONS: Record<string, string> = {
  reason: 'reasons',
  rep: 'reps',
  last: 'last-week',
  year: 'ytd',
  today: '1d',
};

/** Slack clients turn "…" into “…”; „…“ is the German form. Any of them closes any of them. */
const OPENING_QUOTES = '"“”„';
const CLOSING_QUOTES = '"“”';

interface Word {
  text: string;
  quoted: boolean;
}

type Keyword =
  | { type: 'period'; check: PeriodTokenCheck }
  | { type: 'view'; view: StatsView }
  | { type: 'share' | 'help' | 'campaign' };

/**
 * Slack sends command text HTML-escaped (&amp; &lt; &gt;), and pasted text brings non-breaking
 * and zero-width spaces. One pass each, so "&amp;lt;" stays the "&lt;" the person typed.
 */
function normalise(text: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>' };
  return text
    .replace(/&(amp|lt|gt);/g, (_, name: string) => entities[name] ?? '')
    .replace(/[\s\u200B\u2060\uFEFF]+/g, ' ')
    .trim();
}

/** A quote opens only at the start of a word, so "Buyer's guide" and 5" screens stay words. */
function tokenize(text: string): { words: Word[]; error?: string } {
  const words: Word[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text.charAt(i);
    if (char === ' ') {
      i++;
    } else if (OPENING_QUOTES.includes(char)) {
      let close = i + 1;
      while (close < text.length && !CLOSING_QUOTES.includes(text.charAt(close))) close++;
      words.push({ text: text.slice(i + 1, close).trim(), quoted: true });
      if (close >= text.length) {
        const shown = text.length - i > 40 ? `${text.slice(i, i + 40)}…` : text.slice(i);
        return { words, error: `The quote that starts ${shown} is not closed.` };
      }
      i = close + 1;
    } else {
      const space = text.indexOf(' ', i);
      const end = space === -1 ? text.length : space;
      words.push({ text: text.slice(i, end), quoted: false });
      i = end;
    }
  }
  return { words };
}

function keywordOf(word: Word): Keyword | undefined {
  if (word.quoted) return undefined;
  const lower = word.text.toLowerCase();
  if (lower === 'share' || lower === 'help' || lower === 'campaign') return { type: lower };
  const view = VIEWS.find((v) => v === lower);
  if (view) return { type: 'view', view };
  const check = checkPeriodToken(word.text);
  return check ? { type: 'period', check } : undefined;
}

function notUnderstood(word: Word, afterUnquotedName: boolean): string {
  if (word.quoted) return `I don't understand "${word.text}": a quoted name goes after "campaign".`;
  const base = `I don't understand "${word.text}".`;
  const lower = word.text.toLowerCase();
  if (lower === '--json' || lower === '--csv') {
    return `${base} --json and --csv work only in a terminal: leadloop stats ${lower}`;
  }
  if (/^\d+$/.test(lower)) return `${base} Did you mean ${lower}d?`;
  const suggestion = SUGGESTIONS[lower];
  if (suggestion) return `${base} Did you mean ${suggestion}?`;
  if (afterUnquotedName) {
    return `${base} If it is part of the campaign name, put the whole name in quotes, e.g. campaign "Spring week promo".`;
  }
  return base;
}

/**
 * Reads the whole text even after a mistake, so that `help` anywhere still answers with the
 * usage; otherwise the first mistake, in reading order, is the one reported.
 */
export function parseStatsCommand(text: string): StatsParse {
  const { words, error: quoteError } = tokenize(normalise(text));
  let error: string | undefined;
  const fail = (message: string) => {
    error ??= message;
  };

  let period: { spec: PeriodSpec; shown: string } | undefined;
  let view: { view: StatsView; shown: string } | undefined;
  let campaign: string | undefined;
  let nameWasUnquoted = false;
  let share = false;
  let help = false;

  for (let i = 0; i < words.length; i++) {
    const word = words[i] as Word;
    const keyword = keywordOf(word);
    if (keyword === undefined) {
      fail(notUnderstood(word, nameWasUnquoted));
      continue;
    }
    switch (keyword.type) {
      case 'period':
        if (!keyword.check.ok) fail(keyword.check.error);
        else if (period) fail(`Give one period, not both "${period.shown}" and "${word.text}".`);
        else period = { spec: keyword.check.spec, shown: word.text };
        break;
      case 'view':
        if (view) fail(`Choose one view, not both "${view.shown}" and "${word.text}".`);
        else view = { view: keyword.view, shown: word.text };
        break;
      case 'share':
        share = true;
        break;
      case 'help':
        help = true;
        break;
      case 'campaign': {
        let name: string;
        const next = words[i + 1];
        if (next?.quoted) {
          name = next.text;
          i++;
        } else {
          const parts: string[] = [];
          for (let w = words[i + 1]; w && !w.quoted && keywordOf(w) === undefined; w = words[i + 1]) {
            parts.push(w.text);
            i++;
          }
          name = parts.join(' ');
          nameWasUnquoted ||= name !== '';
        }
        if (name === '') fail('"campaign" needs a name, e.g. campaign Spring webinar');
        else if (campaign !== undefined) fail(`Give one campaign, not both "${campaign}" and "${name}".`);
        else if (name.length > MAX_CAMPAIGN_LENGTH) {
          fail(`A campaign name has at most ${MAX_CAMPAIGN_LENGTH} characters; this one has ${name.length}.`);
        } else campaign = name;
        break;
      }
    }
  }
  if (quoteError) fail(quoteError);

  if (error !== undefined && !help) return { ok: false, error };
  const query: StatsQuery = {
    period: period?.spec ?? { ...DEFAULT_PERIOD },
    view: view?.view ?? 'summary',
    share,
    help,
  };
  if (campaign !== undefined) query.campaign = campaign;
  return { ok: true, query };
}
