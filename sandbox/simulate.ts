import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../src/clock.js';
import { digestCommand } from '../src/commands/digest.js';
import { isoWeekOf, lastFullWeek } from '../src/domain/period.js';
import { DEFAULT_REASONS } from '../src/domain/reasons.js';
import { ActionId } from '../src/slack/ids.js';
import { Rng } from './generate.js';
import { DEMO_REPS, type RunningDemo, startDemo } from './web/app.js';

/**
 * `npm run demo -- --simulate`: a week of sales reps at work, played against the sandbox in a few
 * seconds. Leads arrive through POST /leads over the week; reps accept and reject with reactions,
 * buttons, the reason prompt and the reason modal (every one a signed request, sent through the
 * sandbox page's own endpoints); a few change their minds, a few take more than a day, a few
 * leads are never answered. Then the week's digest is sent and printed, as the bot posts it.
 *
 * Time: the bot runs on a clock that jumps from one event to the next (and otherwise ticks with
 * the wall clock, so the bot's pacing still sees time pass).
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A clock that ticks in real time and can be moved forward. */
export class SimulationClock implements Clock {
  private offset = 0;
  private readonly realStart = Date.now();

  constructor(private readonly start: number) {}

  now(): number {
    return this.start + (Date.now() - this.realStart) + this.offset;
  }

  advanceTo(at: number): void {
    const now = this.now();
    if (at > now) this.offset += at - now;
  }
}

export type Outcome = 'accepted' | 'rejected' | 'pending';

type Act =
  | { kind: 'react'; rep: string; emoji: string; remove?: boolean }
  | { kind: 'accept-button'; rep: string }
  | { kind: 'reject-button'; rep: string; reason: string; note?: string; forgetNoteFirst?: boolean }
  | { kind: 'prompt-reason'; rep: string; reason: string };

interface PlannedLead {
  index: number;
  campaign: string;
  arrives: number;
  name: string;
  company: string;
  title: string;
  score: number;
  expected: Outcome;
  acts: { at: number; act: Act }[];
}

export interface SimulationPlan {
  weekStart: number;
  isoWeek: string;
  leads: PlannedLead[];
}

const CAMPAIGN_QUALITY = [0.8, 0.6, 0.4, 0.15];
const FIRST = [
  'Ava',
  'Bruno',
  'Carla',
  'Dmitri',
  'Elena',
  'Farid',
  'Greta',
  'Hugo',
  'Iris',
  'Jamal',
  'Kira',
  'Luis',
];
const LAST = ['Novak', 'Reyes', 'Lindqvist', 'Okoye', 'Brandt', 'Sato', 'Moreau', 'Kaya', 'Walsh', 'Pereira'];
const COMPANIES = [
  'Harbor Freight Co',
  'Atlas Cargo',
  'Keystone Transport',
  'Polar Logistics',
  'Zenith Carriers',
];
const TITLES = [
  'Logistics Manager',
  'VP Operations',
  'Fleet Manager',
  'Head of Procurement',
  'Transport Planner',
];
const REASONS = DEFAULT_REASONS.filter((r) => r.key !== 'other').map((r) => r.key);

/** A weekday-heavy, working-hours arrival time within the week. */
function arrival(rng: Rng, weekStart: number): number {
  const day = rng.chance(0.93) ? rng.int(0, 5) : rng.int(5, 7);
  return weekStart + day * DAY + rng.int(8 * HOUR, 18 * HOUR);
}

/**
 * The week's script, deterministic for a seed: who arrives when, and what each rep does when.
 * Decisions happen within the week (a slow one may take more than the SLA's day); anything
 * planned after the week's end is left undone, so that lead stays pending, as it would.
 */
export function planWeek(
  seed: number,
  weekStart: number,
  campaigns: readonly string[],
  leadCount = 42,
): SimulationPlan {
  const rng = new Rng(seed, 11);
  const weekEnd = weekStart + 7 * DAY;
  const leads: PlannedLead[] = [];
  let otherShown = false;
  for (let i = 0; i < leadCount; i++) {
    const ci = i % Math.min(campaigns.length, CAMPAIGN_QUALITY.length);
    const arrives = arrival(rng, weekStart);
    const quality = CAMPAIGN_QUALITY[ci] ?? 0.5;
    const rep = (DEMO_REPS[rng.int(0, DEMO_REPS.length)] ?? DEMO_REPS[0]).id;
    const acts: { at: number; act: Act }[] = [];
    let expected: Outcome = 'pending';
    const neglected = rng.chance(0.08);
    const slow = rng.chance(0.1);
    const decideAt =
      arrives + (slow ? rng.int(26 * HOUR, 50 * HOUR) : Math.round(rng.logNormal(40 * MINUTE, 1)) + MINUTE);
    if (!neglected && decideAt < weekEnd - HOUR) {
      const accept = rng.chance(quality);
      const byReaction = rng.chance(0.5);
      const retract = byReaction && rng.chance(0.15);
      if (accept) {
        acts.push({
          at: decideAt,
          act: byReaction
            ? { kind: 'react', rep, emoji: 'white_check_mark' }
            : { kind: 'accept-button', rep },
        });
        expected = 'accepted';
      } else if (byReaction) {
        acts.push({ at: decideAt, act: { kind: 'react', rep, emoji: 'x' } });
        // Most answer the prompt; some never do, and the reject stands without a reason.
        if (!retract && rng.chance(0.8)) {
          acts.push({
            at: decideAt + rng.int(MINUTE, 20 * MINUTE),
            act: { kind: 'prompt-reason', rep, reason: rng.pick(REASONS) },
          });
        }
        expected = 'rejected';
      } else {
        // The week's first modal reject is "Other" (note required), so every run shows that path.
        const other = !otherShown || rng.chance(0.08);
        otherShown = true;
        acts.push({
          at: decideAt,
          act: other
            ? {
                kind: 'reject-button',
                rep,
                reason: 'other',
                note: 'Reseller, not an end customer',
                forgetNoteFirst: true,
              }
            : { kind: 'reject-button', rep, reason: rng.pick(REASONS) },
        });
        expected = 'rejected';
      }
      if (retract) {
        const first = acts[0]?.act;
        const emoji = first?.kind === 'react' ? first.emoji : 'white_check_mark';
        const undoAt = decideAt + rng.int(2 * MINUTE, 30 * MINUTE);
        acts.push({ at: undoAt, act: { kind: 'react', rep, emoji, remove: true } });
        expected = 'pending';
        if (rng.chance(0.6)) {
          // A change of mind: the other verdict, by reaction.
          const flipped = emoji === 'x' ? 'white_check_mark' : 'x';
          acts.push({
            at: undoAt + rng.int(MINUTE, 10 * MINUTE),
            act: { kind: 'react', rep, emoji: flipped },
          });
          expected = flipped === 'x' ? 'rejected' : 'accepted';
        }
      }
    }
    leads.push({
      index: i,
      campaign: campaigns[ci] ?? `Campaign ${ci + 1}`,
      arrives,
      name: `${rng.pick(FIRST)} ${rng.pick(LAST)}`,
      company: rng.pick(COMPANIES),
      title: rng.pick(TITLES),
      score: Math.max(0, Math.min(100, Math.round(30 + 60 * quality + 15 * rng.normal()))),
      expected,
      acts,
    });
  }
  return { weekStart, isoWeek: isoWeekOf(weekStart, 'UTC'), leads };
}

export interface SimulationOptions {
  seed?: number;
  out: Writable;
  /** Keep the demo running (and its database) after the run: the caller stops it. */
  keep?: boolean;
  /** Where the chart PNG goes (default: the system temp folder). */
  chartPath?: string;
}

export interface SimulationResult {
  exitCode: number;
  isoWeek: string;
  plan: SimulationPlan;
  /** The digest as `leadloop digest --dry-run` prints it for that week. */
  digestText: string;
  chartPath: string;
  /** Expected outcome per campaign, from the script. */
  expected: Map<string, Record<Outcome, number>>;
  clock: SimulationClock;
  /** Only with `keep`. */
  demo?: RunningDemo;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function waitUntil<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`simulation: timed out waiting for ${what}`);
    await sleep(10);
  }
}

export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const seed = options.seed ?? 7;
  const say = (text = '') => options.out.write(`${text}\n`);
  // The last full week before today, so the month of history before it gives "vs last week".
  const week = lastFullWeek(Date.now(), 'UTC');
  const clock = new SimulationClock(week.start);
  const began = Date.now();
  const demo = await startDemo({ port: 0, seed, clock, liveLeads: 0, initialDigest: false, leads: 400 });
  try {
    const campaigns = demo.seeded.campaigns.slice(0, 4);
    const plan = planWeek(seed, week.start, campaigns);
    say(
      `Simulating ${plan.isoWeek} (${week.label}): ${plan.leads.length} leads from ${campaigns.length} campaigns, ${DEMO_REPS.length} reps.`,
    );
    say(
      `The real bot, on a clock that jumps from event to event; every rep action is a signed Slack request.`,
    );
    say();
    const api = async (path: string, body: Record<string, unknown>) => {
      const res = await fetch(new URL(path, demo.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = (await res.json()) as Record<string, unknown>;
      if (!res.ok) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(answer)}`);
      return answer;
    };

    type Event = { at: number; lead: PlannedLead; act?: Act };
    const events: Event[] = plan.leads.flatMap((lead) => [
      { at: lead.arrives, lead },
      ...lead.acts.map((a) => ({ at: a.at, lead, act: a.act })),
    ]);
    events.sort((a, b) => a.at - b.at || a.lead.index - b.lead.index);

    const ids = new Map<number, number>();
    const posts = new Map<number, { channel: string; ts: string }>();
    const tally = { leads: 0, reactions: 0, buttons: 0, modals: 0, prompts: 0, retractions: 0 };
    let day = -1;
    const dayLine = () => {
      if (day < 0) return;
      say(
        `  ${new Date(week.start + day * DAY).toUTCString().slice(0, 11)}  ${tally.leads} leads so far · ${tally.reactions} reactions (${tally.retractions} removed) · ${tally.buttons} button clicks · ${tally.modals} reason modals · ${tally.prompts} prompt answers`,
      );
    };

    for (const event of events) {
      const eventDay = Math.floor((event.at - week.start) / DAY);
      if (eventDay !== day) {
        dayLine();
        day = eventDay;
      }
      clock.advanceTo(event.at);
      const { lead } = event;
      if (!event.act) {
        const res = await fetch(`${demo.botUrl}/leads`, {
          method: 'POST',
          headers: { authorization: `Bearer ${demo.env.INGEST_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            externalId: `sim-${seed}-${lead.index}`,
            name: lead.name,
            email: `${lead.name.toLowerCase().replace(/[^a-z]+/g, '.')}@${lead.company.toLowerCase().replace(/[^a-z]+/g, '')}.example`,
            company: lead.company,
            title: lead.title,
            campaign: lead.campaign,
            score: lead.score,
            createdAt: new Date(event.at - 5 * MINUTE).toISOString(),
          }),
        });
        if (res.status !== 202) throw new Error(`POST /leads answered ${res.status}: ${await res.text()}`);
        const id = Number(((await res.json()) as { results: { id: string }[] }).results[0]?.id);
        ids.set(lead.index, id);
        posts.set(
          lead.index,
          await waitUntil(`lead ${id} to be posted`, () => {
            const row = demo.bot.store.leadById(id);
            return row?.postStatus === 'posted' && row.postChannel && row.postTs
              ? { channel: row.postChannel, ts: row.postTs }
              : undefined;
          }),
        );
        tally.leads += 1;
        continue;
      }
      const id = ids.get(lead.index) as number;
      const post = posts.get(lead.index) as { channel: string; ts: string };
      const act = event.act;
      const decisions = () => demo.bot.store.leadDecisions(id).history.length;
      const before = decisions();
      switch (act.kind) {
        case 'react': {
          const retracted = () =>
            demo.bot.store.leadDecisions(id).history.filter((d) => d.retractedAt !== null).length;
          const retractedBefore = retracted();
          await api('/api/react', { user: act.rep, channel: post.channel, ts: post.ts, name: act.emoji });
          if (act.remove) {
            await waitUntil('the retraction to be recorded', () => retracted() > retractedBefore);
            tally.retractions += 1;
          } else {
            await waitUntil('the reaction to be recorded', () => decisions() > before);
          }
          tally.reactions += 1;
          break;
        }
        case 'accept-button':
          await api('/api/action', {
            user: act.rep,
            channel: post.channel,
            ts: post.ts,
            actionId: ActionId.accept,
            blockId: 'lead_actions',
            value: String(id),
            text: 'Accept',
          });
          await waitUntil('the accept to be recorded', () => decisions() > before);
          tally.buttons += 1;
          break;
        case 'reject-button': {
          await api('/api/action', {
            user: act.rep,
            channel: post.channel,
            ts: post.ts,
            actionId: ActionId.reject,
            blockId: 'lead_actions',
            value: String(id),
            text: 'Reject',
          });
          const modal = await waitUntil('the reason modal', () => demo.workspace.modal(act.rep));
          const label = DEFAULT_REASONS.find((r) => r.key === act.reason)?.label ?? act.reason;
          const submit = (note: string) =>
            api('/api/view', {
              user: act.rep,
              viewId: modal.viewId,
              values: [
                {
                  block: 'reason',
                  action: ActionId.modalReason,
                  type: 'static_select',
                  value: act.reason,
                  label,
                },
                { block: 'note', action: ActionId.modalNote, type: 'plain_text_input', value: note },
              ],
            });
          if (act.forgetNoteFirst) {
            // "Other" needs a note: the bot answers with an error in the modal, the rep adds one.
            const first = await submit('');
            if (first.ok !== false) throw new Error('the reason modal took "Other" without a note');
          }
          await submit(act.note ?? '');
          await waitUntil('the reject to be recorded', () => decisions() > before);
          tally.buttons += 1;
          tally.modals += 1;
          break;
        }
        case 'prompt-reason': {
          const prompt = await waitUntil('the reason prompt', () =>
            demo.workspace
              .ephemerals(act.rep)
              .find((e) =>
                e.blocks?.some((b) => (b as { block_id?: string }).block_id === `reason_prompt:${id}`),
              ),
          );
          const label = DEFAULT_REASONS.find((r) => r.key === act.reason)?.label ?? act.reason;
          await api('/api/action', {
            user: act.rep,
            channel: prompt.channel,
            ephemeral: prompt.id,
            actionId: ActionId.promptReason,
            blockId: `reason_prompt:${id}`,
            selected: act.reason,
            selectedLabel: label,
          });
          await waitUntil('the reason to be recorded', () =>
            demo.bot.store
              .leadDecisions(id)
              .standing.some((d) => d.userId === act.rep && d.reason === act.reason),
          );
          tally.prompts += 1;
          break;
        }
      }
    }
    dayLine();

    // Monday morning after the week: the digest goes out, through the CLI's own path.
    clock.advanceTo(week.end + 9 * HOUR);
    const sent = new Capture();
    const sendCode = await digestCommand(
      ['--send', '--week', plan.isoWeek],
      { env: demo.env, cwd: demo.dir, stdout: sent, stderr: sent },
      clock,
    );
    const chartPath = options.chartPath ?? join(tmpdir(), `leadloop-simulated-digest-${plan.isoWeek}.png`);
    const printed = new Capture();
    const printCode = await digestCommand(
      ['--dry-run', '--week', plan.isoWeek, '--chart', chartPath],
      { env: demo.env, cwd: demo.dir, stdout: printed, stderr: printed },
      clock,
    );
    const digestText = printed.text.replace(/\n*Chart written to .*\n?$/, '\n');
    say();
    say(`Sent to the digest channels: ${sent.text.trim().split('\n').join('; ')}`);
    say();
    say(digestText.trimEnd());
    say();
    say(`Chart: ${chartPath}`);
    say(
      `(${((Date.now() - began) / 1000).toFixed(1)} s; \`npm run demo\` opens the same sandbox in a browser.)`,
    );

    const expected = new Map<string, Record<Outcome, number>>();
    for (const lead of plan.leads) {
      const counts = expected.get(lead.campaign) ?? { accepted: 0, rejected: 0, pending: 0 };
      counts[lead.expected] += 1;
      expected.set(lead.campaign, counts);
    }
    return {
      exitCode: sendCode === 0 && printCode === 0 ? 0 : 1,
      isoWeek: plan.isoWeek,
      plan,
      digestText,
      chartPath,
      expected,
      clock,
      demo: options.keep ? demo : undefined,
    };
  } finally {
    if (!options.keep) await demo.stop();
  }
}
