import type { Verdict } from './decision.js';
import type { RejectReason } from './reasons.js';

/**
 * What sales made of a lead before Leadloop, as a CRM export says it: the lead status (HubSpot
 * `Lead Status`, Salesforce `Status` / `Lead Status`, or a plain `decision` column) and a reason
 * (Salesforce `Unqualified Reason`, or a plain `reason` column), mapped onto accept / reject and
 * the configured reject reasons. Used by `leadloop import --history`.
 *
 * - Statuses that mean sales took the lead on (HubSpot In Progress, Attempted to Contact,
 *   Connected, Open Deal; Salesforce Working, Qualified, Converted) are an accept.
 * - Statuses that mean sales turned it down (HubSpot Unqualified, Bad Timing; Salesforce
 *   Unqualified, Disqualified, Closed - Not Converted, Nurturing) are a reject; Bad Timing and
 *   Nurturing imply the "not_ready" reason when it is configured and no reason column says more.
 * - New / Open / Open - Not Contacted, a blank cell, or a status not listed here: no outcome, the
 *   lead counts as pending.
 * - A reason is matched to a configured reason by key or label (ignoring case and punctuation,
 *   the label's text before " / " is enough) or by the usual CRM wordings below. A reason that
 *   matches none becomes "other" with the text as its note when "other" is configured, otherwise
 *   no reason with the text as the note: the words are kept, never invented into a category.
 */

export interface ImportedOutcome {
  verdict: Verdict;
  reason?: string;
  note?: string;
}

const words = (text: string) =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

const ACCEPT = new Set(
  [
    'accept',
    'accepted',
    'yes',
    'qualified',
    'sales qualified',
    'sql',
    'working',
    'working contacted',
    'contacted',
    'in progress',
    'attempted to contact',
    'connected',
    'open deal',
    'converted',
    'closed converted',
  ].map(words),
);

const REJECT = new Set(
  [
    'reject',
    'rejected',
    'no',
    'unqualified',
    'disqualified',
    'closed not converted',
    'closed lost',
    'bad timing',
    'nurturing',
    'nurture',
    'recycled',
  ].map(words),
);

/** Statuses that carry their own reason. */
const STATUS_REASON: Record<string, string> = {
  [words('bad timing')]: 'not_ready',
  [words('nurturing')]: 'not_ready',
  [words('nurture')]: 'not_ready',
  [words('recycled')]: 'not_ready',
};

/** CRM wordings of the default reasons (Salesforce Unqualified Reason values and common picklists). */
const REASON_WORDINGS: Record<string, string[]> = {
  bad_fit: ['not a fit', 'no fit', 'wrong fit', 'not interested', 'poor fit', 'not icp', 'bad fit'],
  bad_data: ['bad data', 'invalid', 'fake', 'spam', 'bad contact info', 'wrong contact info'],
  duplicate: ['duplicate', 'dupe', 'already in pipeline', 'already working'],
  competitor: ['competitor', 'vendor', 'partner', 'employee'],
  student: ['student', 'personal', 'personal use'],
  existing_customer: ['existing customer', 'customer', 'current customer'],
  not_ready: ['bad timing', 'timing', 'not ready', 'not now', 'future interest'],
  no_budget: ['no budget', 'budget', 'price', 'too expensive'],
  no_authority: ['no authority', 'not decision maker', 'not the decision maker', 'wrong person'],
  unreachable: ['unresponsive', 'no response', 'could not reach', 'unable to contact', 'unreachable'],
};

export function matchReason(text: string, reasons: readonly RejectReason[]): string | undefined {
  const wanted = words(text);
  if (wanted === '') return undefined;
  for (const r of reasons) {
    if (words(r.key) === wanted || words(r.label) === wanted) return r.key;
    const [short] = r.label.split(' / ');
    if (short !== undefined && words(short) === wanted) return r.key;
    if (words(r.label.replace(/\s*\(.*\)$/, '')) === wanted) return r.key;
  }
  for (const [key, wordings] of Object.entries(REASON_WORDINGS)) {
    if (wordings.some((w) => words(w) === wanted) && reasons.some((r) => r.key === key)) return key;
  }
  return undefined;
}

/**
 * The outcome of one row, from its status (or decision) cell and its reason cell; undefined when
 * the row says nothing decided.
 */
export function outcomeOf(
  cells: { status?: string | undefined; reason?: string | undefined },
  reasons: readonly RejectReason[],
): ImportedOutcome | undefined {
  const status = words(cells.status ?? '');
  const reasonText = (cells.reason ?? '').trim();
  let verdict: Verdict | undefined;
  if (ACCEPT.has(status)) verdict = 'accept';
  else if (REJECT.has(status)) verdict = 'reject';
  else if (status === '' && reasonText !== '' && !['none', 'n a'].includes(words(reasonText)))
    verdict = 'reject';
  if (verdict === undefined) return undefined;
  if (verdict === 'accept') return { verdict };

  const implied = STATUS_REASON[status];
  if (reasonText === '' || ['none', 'n a'].includes(words(reasonText))) {
    return implied && reasons.some((r) => r.key === implied) ? { verdict, reason: implied } : { verdict };
  }
  const reason = matchReason(reasonText, reasons);
  if (reason !== undefined) return { verdict, reason };
  const note = reasonText.slice(0, 3000);
  return reasons.some((r) => r.key === 'other') ? { verdict, reason: 'other', note } : { verdict, note };
}
