import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DecisionFact, deriveLeadState, formatDuration } from '../../src/domain/decision.js';

const decisionArb = fc.record({
  userId: fc.constantFrom('U1', 'U2', 'U3'),
  verdict: fc.constantFrom<'accept' | 'reject'>('accept', 'reject'),
  reason: fc.option(fc.constantFrom('bad_fit', 'no_budget'), { nil: null }),
  note: fc.constant(null),
  decidedAt: fc.integer({ min: 0, max: 50 }),
  retracted: fc.boolean(),
});

/** Histories with unique ids; several decisions may share a millisecond (then the id decides). */
const historyArb = fc.array(decisionArb, { maxLength: 12 }).map((items) =>
  items.map(
    (d, i): DecisionFact => ({
      id: i + 1,
      userId: d.userId,
      verdict: d.verdict,
      reason: d.reason,
      note: d.note,
      decidedAt: d.decidedAt,
      retractedAt: d.retracted ? d.decidedAt + 1 : null,
    }),
  ),
);

const summary = (decisions: DecisionFact[]) => {
  const s = deriveLeadState(decisions);
  return {
    state: s.state,
    winner: s.winner?.id,
    first: s.firstDecidedAt,
    standing: s.standing.map((d) => d.id),
  };
};

describe('deriveLeadState', () => {
  it('is pending with no decisions, or when every decision was retracted', () => {
    expect(deriveLeadState([]).state).toBe('pending');
    const retracted: DecisionFact = {
      id: 1,
      userId: 'U1',
      verdict: 'accept',
      reason: null,
      note: null,
      decidedAt: 10,
      retractedAt: 20,
    };
    expect(deriveLeadState([retracted])).toMatchObject({
      state: 'pending',
      winner: undefined,
      firstDecidedAt: undefined,
    });
  });

  it('does not depend on the order the history is read in', () => {
    fc.assert(
      fc.property(
        historyArb.chain((h) =>
          fc.tuple(fc.constant(h), fc.shuffledSubarray(h, { minLength: h.length, maxLength: h.length })),
        ),
        ([history, shuffled]) => {
          expect(summary(shuffled)).toEqual(summary(history));
        },
      ),
    );
  });

  it('the winner is the latest standing decision (time, then record order), and decides the state', () => {
    fc.assert(
      fc.property(historyArb, (history) => {
        const { state, winner, firstDecidedAt, standing } = deriveLeadState(history);
        const live = history.filter((d) => d.retractedAt === null);
        expect(standing).toHaveLength(live.length);
        if (live.length === 0) {
          expect(state).toBe('pending');
          return;
        }
        for (const d of live) {
          expect(
            d.decidedAt < winner!.decidedAt || (d.decidedAt === winner!.decidedAt && d.id <= winner!.id),
          ).toBe(true);
        }
        expect(state).toBe(winner!.verdict === 'accept' ? 'accepted' : 'rejected');
        expect(firstDecidedAt).toBe(Math.min(...live.map((d) => d.decidedAt)));
        expect(firstDecidedAt).toBeLessThanOrEqual(winner!.decidedAt);
      }),
    );
  });

  it('retracting the winner hands the lead to the latest remaining standing decision', () => {
    fc.assert(
      fc.property(historyArb, (history) => {
        const before = deriveLeadState(history);
        if (!before.winner) return;
        const after = deriveLeadState(
          history.map((d) => (d.id === before.winner!.id ? { ...d, retractedAt: d.decidedAt + 100 } : d)),
        );
        expect(after.winner?.id).toBe(before.standing[1]?.id);
      }),
    );
  });

  it('a new standing decision later than all others always wins', () => {
    fc.assert(
      fc.property(
        historyArb,
        fc.constantFrom<'accept' | 'reject'>('accept', 'reject'),
        (history, verdict) => {
          const latest: DecisionFact = {
            id: history.length + 1,
            userId: 'U9',
            verdict,
            reason: null,
            note: null,
            decidedAt: 1000,
            retractedAt: null,
          };
          const { state, winner } = deriveLeadState([...history, latest]);
          expect(winner?.id).toBe(latest.id);
          expect(state).toBe(verdict === 'accept' ? 'accepted' : 'rejected');
        },
      ),
    );
  });

  it('two reps disagreeing: the later one wins, and both stand', () => {
    const accept: DecisionFact = {
      id: 1,
      userId: 'U1',
      verdict: 'accept',
      reason: null,
      note: null,
      decidedAt: 100,
      retractedAt: null,
    };
    const reject: DecisionFact = {
      id: 2,
      userId: 'U2',
      verdict: 'reject',
      reason: 'bad_fit',
      note: null,
      decidedAt: 200,
      retractedAt: null,
    };
    expect(summary([reject, accept])).toEqual({ state: 'rejected', winner: 2, first: 100, standing: [2, 1] });
    expect(summary([{ ...reject, retractedAt: 300 }, accept])).toEqual({
      state: 'accepted',
      winner: 1,
      first: 100,
      standing: [1],
    });
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [45_000, '45 s'],
    [60_000, '1 min'],
    [59 * 60_000, '59 min'],
    [3 * 3_600_000 + 5 * 60_000, '3 h 05 min'],
    [47 * 3_600_000, '47 h 00 min'],
    [50 * 3_600_000, '2 d 2 h'],
    [-5_000, '0 s'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
