/**
 * A lead's state is a function of its decisions: the latest standing decision wins; a retracted
 * decision no longer stands; with none standing the lead is pending. Pure, so it can be checked
 * over every ordering of a history.
 */

export type Verdict = 'accept' | 'reject';
export type LeadStateName = 'pending' | 'accepted' | 'rejected';

export interface DecisionFact {
  id: number;
  userId: string;
  verdict: Verdict;
  reason: string | null;
  note: string | null;
  decidedAt: number;
  retractedAt: number | null;
}

export interface LeadState<D extends DecisionFact = DecisionFact> {
  state: LeadStateName;
  /** The latest standing decision, when there is one. */
  winner: D | undefined;
  /** When the earliest standing decision was made: the end of "time to decision". */
  firstDecidedAt: number | undefined;
  /** Every standing decision, latest first. */
  standing: D[];
}

/** Later time wins; at the same millisecond the later-recorded decision (higher id) wins. */
export function compareDecisions(a: DecisionFact, b: DecisionFact): number {
  return a.decidedAt - b.decidedAt || a.id - b.id;
}

export function deriveLeadState<D extends DecisionFact>(decisions: readonly D[]): LeadState<D> {
  const standing = decisions.filter((d) => d.retractedAt === null).sort((a, b) => compareDecisions(b, a));
  const winner = standing[0];
  return {
    state: winner === undefined ? 'pending' : winner.verdict === 'accept' ? 'accepted' : 'rejected',
    winner,
    firstDecidedAt: standing.length > 0 ? Math.min(...standing.map((d) => d.decidedAt)) : undefined,
    standing,
  };
}

/** "45 s", "12 min", "3 h 05 min", "2 d 4 h": short enough for a context line. */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Who may decide and what each emoji means: the rules every path (events, reconcile) shares. */
export interface DecisionRules {
  acceptEmojis: readonly string[];
  rejectEmojis: readonly string[];
  /** Unset: anyone may decide. */
  salesUserIds: readonly string[] | undefined;
}

/** "thumbsup::skin-tone-2" is still "thumbsup". */
export function baseEmoji(name: string): string {
  return name.split('::')[0] ?? name;
}

export function verdictForReaction(rules: DecisionRules, reaction: string): Verdict | undefined {
  const name = baseEmoji(reaction);
  if (rules.acceptEmojis.includes(name)) return 'accept';
  if (rules.rejectEmojis.includes(name)) return 'reject';
  return undefined;
}

export function mayDecide(rules: DecisionRules, userId: string): boolean {
  return rules.salesUserIds === undefined || rules.salesUserIds.includes(userId);
}
