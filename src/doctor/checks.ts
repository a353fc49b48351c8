import { REQUIRED_BOT_SCOPES } from './scopes.js';

/**
 * One line of `leadloop doctor`: what was checked, what was found and, when it is not fine, what
 * to do. Pure data, so each check is tested on its own and the command only prints.
 *
 * - ok: fine.
 * - warn: worth knowing but not wrong (POST /leads off); does not fail the run.
 * - fail: Leadloop will not work as configured until this is fixed.
 * - skip: not checked because an earlier check failed (no working token: no channel checks).
 */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

const SYMBOLS: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗', skip: '–' };

export function formatCheck(result: CheckResult): string {
  const fix = result.fix ? ` → ${result.fix}` : '';
  return `${SYMBOLS[result.status]} ${result.name}: ${result.detail}${fix}`;
}

export function allPassed(results: readonly CheckResult[]): boolean {
  return results.every((r) => r.status !== 'fail');
}

export function summaryLine(results: readonly CheckResult[]): string {
  const count = (status: CheckStatus) => results.filter((r) => r.status === status).length;
  const [failed, skipped, warnings] = [count('fail'), count('skip'), count('warn')];
  const warned = warnings > 0 ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : '';
  if (failed === 0) return `All ${results.length} checks passed${warned}. Leadloop is ready: leadloop start.`;
  const notChecked = skipped > 0 ? `, ${skipped} not checked until then` : '';
  return `${failed} of ${results.length} checks failed${notChecked}${warned}. Fix them and run leadloop doctor again.`;
}

/** A token shown as its kind only ("xoxb-…"): enough to spot a pasted token of the wrong kind. */
export function tokenPrefix(token: string): string {
  const kind = /^(xox[a-z]|xapp)-/.exec(token)?.[0];
  return kind ? `${kind}…` : 'not a Slack token';
}

const REINSTALL_FROM_MANIFEST =
  'add them from manifest.yml (OAuth & Permissions › Scopes, or recreate the app from the manifest) and reinstall the app (OAuth & Permissions › Reinstall)';

/**
 * The scopes the bot token was granted (Slack's `x-oauth-scopes` header on auth.test) against
 * manifest.yml's. Undefined when Slack did not say, which some proxies cause.
 */
export function checkScopes(
  granted: readonly string[] | undefined,
  required: readonly string[] = REQUIRED_BOT_SCOPES,
): CheckResult {
  const name = 'Scopes';
  if (granted === undefined) {
    return {
      name,
      status: 'warn',
      detail: 'Slack did not report the token’s scopes (no x-oauth-scopes header), so they were not checked',
      fix: `make sure the app has every bot scope in manifest.yml: ${required.join(', ')}`,
    };
  }
  const missing = required.filter((scope) => !granted.includes(scope));
  if (missing.length === 0) {
    return { name, status: 'ok', detail: `all ${required.length} bot scopes from manifest.yml are granted` };
  }
  return { name, status: 'fail', detail: `missing ${missing.join(', ')}`, fix: REINSTALL_FROM_MANIFEST };
}

// --- INGEST_TOKEN -------------------------------------------------------------------------------

/** PRODUCT.md's floor; config.ts refuses anything shorter. */
export const MIN_INGEST_TOKEN_LENGTH = 24;
/** 24 hex characters (openssl rand -hex 12) carry 96 bits: out of reach of guessing over HTTP. */
export const MIN_INGEST_TOKEN_BITS = 96;
export const INGEST_TOKEN_ADVICE =
  'generate one with openssl rand -hex 24, set it as INGEST_TOKEN and in the systems that send leads';

// Placeholders people type instead of generating a token. All are 5 letters or more, so a random
// base64 token contains one about once in 50,000 and a hex token never: a rare false alarm.
const WEAK_WORDS = [
  'password',
  'passw0rd',
  'secret',
  'changeme',
  'token',
  'leadloop',
  'ingest',
  'example',
  'admin',
  'qwerty',
  'letmein',
];

/**
 * Guessing resistance if the characters were drawn at random from the classes the token uses:
 * length × log2(alphabet). An upper bound; the pattern checks below catch tokens far below it.
 */
export function estimateTokenBits(token: string): number {
  let alphabet: number;
  if (/^[0-9]+$/.test(token)) alphabet = 10;
  else if (/^[0-9a-f]+$/.test(token) || /^[0-9A-F]+$/.test(token)) alphabet = 16;
  else {
    alphabet =
      (/[a-z]/.test(token) ? 26 : 0) +
      (/[A-Z]/.test(token) ? 26 : 0) +
      (/[0-9]/.test(token) ? 10 : 0) +
      (/[^a-zA-Z0-9]/.test(token) ? 32 : 0);
  }
  return token.length * Math.log2(alphabet);
}

/** Shannon entropy of the token's own character frequencies, in bits per character. */
function bitsPerCharacter(token: string): number {
  const counts = new Map<string, number>();
  for (const c of token) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / token.length) * Math.log2(n / token.length);
  return bits;
}

/** Share of the token's 3-character windows that occur only once: near 1 for random text. */
function distinctTrigramShare(token: string): number {
  const windows = token.length - 2;
  const seen = new Set<string>();
  for (let i = 0; i < windows; i += 1) seen.add(token.slice(i, i + 3));
  return seen.size / windows;
}

/** The longest run like "abcdef" or "987654". */
function longestSequence(token: string): number {
  let longest = 1;
  let run = 1;
  let step = 0;
  for (let i = 1; i < token.length; i += 1) {
    const diff = token.charCodeAt(i) - token.charCodeAt(i - 1);
    if ((diff === 1 || diff === -1) && (run === 1 || diff === step)) run += 1;
    else run = diff === 1 || diff === -1 ? 2 : 1;
    step = diff;
    longest = Math.max(longest, run);
  }
  return longest;
}

/** Why a token is easy to guess, or undefined when it looks random enough. Never echoes the token. */
export function ingestTokenWeakness(token: string): string | undefined {
  if (token.length < MIN_INGEST_TOKEN_LENGTH) {
    return `it is ${token.length} characters; at least ${MIN_INGEST_TOKEN_LENGTH} are needed`;
  }
  const lower = token.toLowerCase();
  const word = WEAK_WORDS.find((w) => lower.includes(w));
  if (word) return `it contains the word "${word}"`;
  // Random 24-character hex stays above 2.5 bits per character; "aaaa…" or "abab…" do not.
  if (bitsPerCharacter(token) < 2.5) {
    const distinct = new Set(token).size;
    return `it uses only ${distinct} different character${distinct === 1 ? '' : 's'}`;
  }
  if (distinctTrigramShare(token) < 0.75) return 'it repeats itself';
  if (longestSequence(token) >= 8) return 'it contains a run of consecutive characters (like abcdefgh)';
  const bits = estimateTokenBits(token);
  if (bits < MIN_INGEST_TOKEN_BITS) {
    return `its ${token.length} characters carry at most about ${Math.floor(bits)} bits; at least ${MIN_INGEST_TOKEN_BITS} are needed`;
  }
  return undefined;
}

/**
 * POST /leads is reachable by whoever can reach the server, so its token must not be guessable.
 * Unset is allowed (PRODUCT.md: it turns POST /leads off) and only noted.
 */
export function checkIngestToken(token: string | undefined, problems: readonly string[]): CheckResult {
  const name = 'Ingest token';
  if (problems.length > 0) return { name, status: 'fail', detail: problems.join(' ') };
  if (token === undefined) {
    return {
      name,
      status: 'warn',
      detail: 'INGEST_TOKEN is unset, so POST /leads is off (leadloop import still works)',
      fix: `to send leads over HTTP, ${INGEST_TOKEN_ADVICE}`,
    };
  }
  const weakness = ingestTokenWeakness(token);
  if (weakness) {
    return {
      name,
      status: 'fail',
      detail: `INGEST_TOKEN is too easy to guess: ${weakness}`,
      fix: INGEST_TOKEN_ADVICE,
    };
  }
  return {
    name,
    status: 'ok',
    detail: `POST /leads is on; INGEST_TOKEN has ${token.length} characters, about ${Math.floor(estimateTokenBits(token))} bits`,
  };
}
