import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { DEFAULT_REASONS, reasonLabel, reasonsSchema } from '../../src/domain/reasons.js';
import { ConfigError } from '../../src/errors.js';

/** PRODUCT.md's table of default reasons, copied here as the contract the code keeps. */
const PRODUCT_TABLE = `
| bad_fit | Bad fit / not our ICP | disqualify |
| bad_data | Bad or fake contact data | disqualify |
| duplicate | Duplicate / already in pipeline | disqualify |
| competitor | Competitor, vendor or employee | disqualify |
| student | Student or personal use | disqualify |
| existing_customer | Existing customer | disqualify |
| not_ready | Not ready / timing | recycle |
| no_budget | No budget | recycle |
| no_authority | Not the decision maker | recycle |
| unreachable | Could not reach | recycle |
| other | Other (note required) | disqualify |
`;

const productReasons = PRODUCT_TABLE.trim()
  .split('\n')
  .map((line) => {
    const [key, label, kind] = line
      .split('|')
      .map((cell) => cell.trim())
      .filter((cell) => cell !== '');
    return { key, label, kind };
  });

const reason = (patch: Record<string, unknown> = {}) => ({
  key: 'bad_fit',
  label: 'Bad fit',
  kind: 'disqualify',
  ...patch,
});

function issuesOf(input: unknown): string[] {
  const parsed = reasonsSchema.safeParse(input);
  expect(parsed.success).toBe(false);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
}

describe('DEFAULT_REASONS', () => {
  it('is PRODUCT.md’s table exactly: keys, labels and kinds, in order', () => {
    expect(productReasons).toHaveLength(11);
    expect(DEFAULT_REASONS.map(({ key, label, kind }) => ({ key, label, kind }))).toEqual(productReasons);
  });

  it('needs a note for "other" and for nothing else', () => {
    expect(DEFAULT_REASONS.filter((r) => r.noteRequired).map((r) => r.key)).toEqual(['other']);
  });

  it('passes its own schema unchanged', () => {
    expect(reasonsSchema.parse(DEFAULT_REASONS)).toEqual(DEFAULT_REASONS);
    const withoutFlags = DEFAULT_REASONS.map(({ key, label, kind }) => ({ key, label, kind }));
    expect(reasonsSchema.parse(withoutFlags)).toEqual(DEFAULT_REASONS);
  });
});

describe('reasonsSchema', () => {
  it('accepts a valid list and keeps its order', () => {
    const parsed = reasonsSchema.parse([
      reason({ key: 'too_small', label: 'Too small', kind: 'disqualify' }),
      reason({ key: 'later', label: 'Later', kind: 'recycle', noteRequired: true }),
    ]);
    expect(parsed).toEqual([
      { key: 'too_small', label: 'Too small', kind: 'disqualify', noteRequired: false },
      { key: 'later', label: 'Later', kind: 'recycle', noteRequired: true },
    ]);
  });

  it('defaults noteRequired to true only for the key "other"', () => {
    const parsed = reasonsSchema.parse([
      reason({ key: 'other', label: 'Other' }),
      reason({ key: 'others', label: 'Others' }),
      reason({ key: 'other_thing', label: 'Other thing' }),
    ]);
    expect(parsed.map((r) => [r.key, r.noteRequired])).toEqual([
      ['other', true],
      ['others', false],
      ['other_thing', false],
    ]);
    // An explicit value wins over the default, both ways.
    const explicit = reasonsSchema.parse([
      reason({ key: 'other', label: 'Other', noteRequired: false }),
      reason({ key: 'weird', label: 'Weird', noteRequired: true }),
    ]);
    expect(explicit.map((r) => r.noteRequired)).toEqual([false, true]);
  });

  it('refuses a key used twice, naming it', () => {
    const issues = issuesOf([reason({ key: 'dup' }), reason({ key: 'ok' }), reason({ key: 'dup' })]);
    expect(issues).toEqual([expect.stringContaining('"dup"')]);
  });

  it.each([['maybe'], ['Disqualify'], [''], [undefined], [1]])('refuses the kind %j', (kind) => {
    expect(issuesOf([reason({ kind })]).join(' ')).toMatch(/disqualify.*recycle/);
  });

  it('accepts both kinds', () => {
    expect(
      reasonsSchema.parse([reason({ key: 'a', kind: 'disqualify' }), reason({ key: 'b', kind: 'recycle' })]),
    ).toHaveLength(2);
  });

  it('limits labels to 75 characters (Slack’s option text limit) and refuses blank ones', () => {
    expect(reasonsSchema.parse([reason({ label: 'L'.repeat(75) })])[0]?.label).toHaveLength(75);
    expect(issuesOf([reason({ label: 'L'.repeat(76) })]).join(' ')).toContain('75');
    expect(issuesOf([reason({ label: '   ' })])).toHaveLength(1);
    expect(issuesOf([reason({ label: '' })])).toHaveLength(1);
    // Surrounding spaces are trimmed, so they do not count against the limit.
    expect(reasonsSchema.parse([reason({ label: `  ${'L'.repeat(75)}  ` })])[0]?.label).toBe('L'.repeat(75));
  });

  it.each([['Bad_Fit'], ['bad fit'], ['bad-fit'], [''], ['k'.repeat(41)], ['émigré'], ['a.b']])(
    'refuses the key %j',
    (key) => {
      expect(issuesOf([reason({ key })]).join(' ')).toMatch(/lowercase letters, digits or underscores/);
    },
  );

  it.each([['a'], ['bad_fit'], ['r2d2'], ['_'], ['k'.repeat(40)]])('accepts the key %j', (key) => {
    expect(reasonsSchema.parse([reason({ key })])[0]?.key).toBe(key);
  });

  it('holds 1 to 100 reasons (what fits in a Slack menu)', () => {
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => reason({ key: `r${i}`, label: `Reason ${i}` }));
    expect(reasonsSchema.parse(many(100))).toHaveLength(100);
    expect(issuesOf(many(101)).join(' ')).toContain('100');
    expect(issuesOf([]).join(' ')).toMatch(/at least one/);
  });

  it('refuses what is not a list of objects', () => {
    for (const bad of [{}, 'bad_fit', null, [null], ['bad_fit'], [{ key: 'a', label: 'A' }]]) {
      expect(reasonsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('reasonLabel', () => {
  it('gives the label, the key itself for an unknown key, and undefined for none', () => {
    expect(reasonLabel(DEFAULT_REASONS, 'no_budget')).toBe('No budget');
    expect(reasonLabel(DEFAULT_REASONS, 'retired_key')).toBe('retired_key');
    expect(reasonLabel(DEFAULT_REASONS, null)).toBeUndefined();
    expect(reasonLabel(DEFAULT_REASONS, undefined)).toBeUndefined();
  });
});

describe('REJECT_REASONS configuration', () => {
  const validRunEnv = {
    SLACK_BOT_TOKEN: 'xoxb-1111-2222-Qz8wBotTokenK7p',
    SLACK_SIGNING_SECRET: 'sig9f8e7d6c5b4a3SigningZx42',
    LEADS_CHANNEL_ID: 'C0LEADS001',
    DIGEST_CHANNEL_IDS: 'C0SALES001,C0MKTG0001',
  };

  function configProblems(value: string): string[] {
    let thrown: unknown;
    try {
      parseConfig({ ...validRunEnv, REJECT_REASONS: value }, 'run');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    return (thrown as ConfigError).problems;
  }

  /** One line, naming the variable, with an example of a good value that is itself valid. */
  function expectOneExampleLine(problems: string[]) {
    expect(problems).toHaveLength(1);
    const line = problems[0]!;
    expect(line).not.toContain('\n');
    expect(line.startsWith('REJECT_REASONS ')).toBe(true);
    const example = /e\.g\. (\[.*\])/.exec(line)?.[1];
    expect(example, line).toBeDefined();
    expect(reasonsSchema.safeParse(JSON.parse(example!)).success).toBe(true);
    return line;
  }

  it('uses the default reasons when unset or blank', () => {
    expect(parseConfig(validRunEnv, 'run').rejectReasons).toEqual(DEFAULT_REASONS);
    expect(parseConfig({ ...validRunEnv, REJECT_REASONS: '  ' }, 'run').rejectReasons).toEqual(
      DEFAULT_REASONS,
    );
  });

  it('uses a valid JSON list', () => {
    const value = JSON.stringify([
      { key: 'too_small', label: 'Fewer than 10 staff', kind: 'disqualify' },
      { key: 'nurture', label: 'Nurture', kind: 'recycle' },
      { key: 'other', label: 'Other', kind: 'disqualify' },
    ]);
    expect(parseConfig({ ...validRunEnv, REJECT_REASONS: value }, 'run').rejectReasons).toEqual([
      { key: 'too_small', label: 'Fewer than 10 staff', kind: 'disqualify', noteRequired: false },
      { key: 'nurture', label: 'Nurture', kind: 'recycle', noteRequired: false },
      { key: 'other', label: 'Other', kind: 'disqualify', noteRequired: true },
    ]);
    // Also for local commands (stats group by reason there too).
    expect(parseConfig({ REJECT_REASONS: value }, 'local').rejectReasons.map((r) => r.key)).toEqual([
      'too_small',
      'nurture',
      'other',
    ]);
  });

  it.each([['not json'], ['[{"key":"a",'], ["[{'key':'a'}]"]])(
    'reports invalid JSON %j in one line naming REJECT_REASONS, with an example',
    (value) => {
      const line = expectOneExampleLine(configProblems(value));
      expect(line).toMatch(/JSON/);
    },
  );

  it.each([
    ['an empty list', '[]'],
    ['an object', '{"key":"a","label":"A","kind":"disqualify"}'],
    ['a bad kind', '[{"key":"a","label":"A","kind":"maybe"}]'],
    ['a repeated key', '[{"key":"a","label":"A","kind":"recycle"},{"key":"a","label":"B","kind":"recycle"}]'],
    ['a long label', JSON.stringify([{ key: 'a', label: 'L'.repeat(76), kind: 'recycle' }])],
    ['a bad key', '[{"key":"Bad Key","label":"A","kind":"recycle"}]'],
    [
      'too many',
      JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ key: `k${i}`, label: 'L', kind: 'recycle' }))),
    ],
  ])('reports %s in one line naming REJECT_REASONS, with an example', (_what, value) => {
    expectOneExampleLine(configProblems(value));
  });

  it('says which item is wrong and why', () => {
    const line = expectOneExampleLine(
      configProblems('[{"key":"ok","label":"Fine","kind":"recycle"},{"key":"b","label":"B","kind":"maybe"}]'),
    );
    expect(line).toContain('item 1');
    expect(line).toContain('disqualify');
  });

  it('is reported together with other problems, each on its own line', () => {
    const problems = configProblems('nope').concat();
    expect(problems).toHaveLength(1);
    let thrown: unknown;
    try {
      parseConfig({ ...validRunEnv, REJECT_REASONS: 'nope', PORT: 'eighty' }, 'run');
    } catch (error) {
      thrown = error;
    }
    const all = (thrown as ConfigError).problems;
    expect(all).toHaveLength(2);
    expect(all.filter((p) => p.startsWith('REJECT_REASONS'))).toHaveLength(1);
    expect(all.filter((p) => p.startsWith('PORT'))).toHaveLength(1);
  });
});
