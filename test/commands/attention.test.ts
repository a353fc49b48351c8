import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guessWho } from '../../src/domain/attention.js';
import { type AttentionInput, AttentionStore } from '../../src/storage/attention.js';
import { openDatabase } from '../../src/storage/db.js';
import { Store } from '../../src/storage/store.js';
import { tempDir } from '../harness/app.js';
import { runLeadloop } from '../harness/cli.js';

let temp: ReturnType<typeof tempDir>;
let databasePath: string;

beforeEach(() => {
  temp = tempDir();
  databasePath = join(temp.dir, 'data', 'leadloop.db');
});
afterEach(() => temp.cleanup());

const RECEIVED = Date.UTC(2026, 10, 20, 14, 3);
const leadloop = (...argv: string[]) =>
  runLeadloop(argv, { DATABASE_PATH: databasePath, TIMEZONE: 'Europe/Berlin' }, temp.dir);

const HUBSPOT_V1 = {
  vid: 3234574,
  'canonical-vid': 3234574,
  properties: {
    firstname: { value: 'Ana' },
    lastname: { value: 'Silva\u001b[2J' },
    email: { value: 'ana.silva@acme.io' },
    utm_campaign_custom: { value: 'Spring webinar' },
  },
};

/** Items as POST /leads keeps them, written through the real store. */
function keep(...items: Partial<AttentionInput>[]): number[] {
  const db = openDatabase(databasePath);
  try {
    const [stored] = new AttentionStore(db).storeIntake(
      new Store(db),
      [
        {
          leads: [],
          attention: items.map((i) => ({
            profile: 'hubspot',
            raw: JSON.stringify(HUBSPOT_V1),
            itemIndex: 0,
            itemCount: 1,
            who: guessWho(HUBSPOT_V1),
            reason: 'looks like a HubSpot contact but has no campaign: map one or use ?campaign=',
            issues: [{ index: 0, path: 'campaign', message: 'is required' }],
            ...i,
          })),
        },
      ],
      RECEIVED,
    );
    return stored?.attentionIds ?? [];
  } finally {
    db.$client.close();
  }
}

function states(): { id: number; state: string }[] {
  const db = openDatabase(databasePath);
  try {
    return db.$client.prepare('SELECT id, state FROM needs_attention ORDER BY id').all() as {
      id: number;
      state: string;
    }[];
  } finally {
    db.$client.close();
  }
}

describe('leadloop attention', () => {
  it('list says so when nothing needs attention', async () => {
    expect(await leadloop('attention', 'list')).toEqual({
      code: 0,
      stdout: 'Nothing needs attention.\n',
      stderr: '',
    });
  });

  it('lists open items with when (in TIMEZONE), profile, who and why, without control characters', async () => {
    keep({}, { profile: 'flat', who: undefined, reason: 'no email or name' });
    const result = await leadloop('attention', 'list');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('2 item(s) need attention, oldest first:');
    expect(result.stdout).toMatch(/ID\s+RECEIVED \(Europe\/Berlin\)\s+PROFILE\s+WHO\s+WHY/);
    expect(result.stdout).toMatch(
      /1\s+2026-11-20 15:03\s+hubspot\s+Ana Silva\[2J <ana\.silva@acme\.io>\s+looks like/,
    );
    expect(result.stdout).toMatch(/2\s+2026-11-20 15:03\s+flat\s+\?\s+no email or name/);
    expect(result.stdout).not.toContain('\u001b');
  });

  it('show prints the reason(s) and the body pretty-printed, with control characters stripped', async () => {
    const [id] = keep({ campaignParam: 'Q4' });
    const result = await leadloop('attention', 'show', String(id));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Item ${id} · open`);
    expect(result.stdout).toContain(
      'Received: 2026-11-20 15:03 (Europe/Berlin) · profile hubspot · ?campaign=Q4',
    );
    expect(result.stdout).toContain('Why:      looks like a HubSpot contact but has no campaign');
    expect(result.stdout).toContain('  - campaign: is required');
    expect(result.stdout).toContain('"properties": {\n    "firstname": {\n      "value": "Ana"');
    // JSON escapes C0 controls itself; C1 controls and bidi overrides would pass, so they are removed.
    expect(result.stdout).toContain('"value": "Silva\\u001b[2J"');
    const c1 = keep({ raw: JSON.stringify({ email: 'x@y.io', name: 'Evil\u009b2J\u202e' }) })[0];
    const shown = await leadloop('attention', 'show', String(c1));
    expect(shown.stdout).toContain('"name": "Evil2J"');
  });

  it('show and drop say which ids are unknown, with exit code 1', async () => {
    expect(await leadloop('attention', 'show', '42')).toMatchObject({
      code: 1,
      stderr: 'No item 42: leadloop attention list shows the open ones.\n',
    });
    expect((await leadloop('attention', 'drop', '42')).code).toBe(1);
  });

  it('drop marks items dropped and keeps the rows; dropping again changes nothing', async () => {
    const [a, b] = keep({}, {});
    const first = await leadloop('attention', 'drop', String(a), `#${b}`);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toBe(
      `Item ${a}: dropped (kept in the database, no longer listed).\nItem ${b}: dropped (kept in the database, no longer listed).\n`,
    );
    expect(await leadloop('attention', 'drop', String(a))).toMatchObject({
      code: 0,
      stdout: `Item ${a}: already dropped.\n`,
    });
    expect(states()).toEqual([
      { id: a, state: 'dropped' },
      { id: b, state: 'dropped' },
    ]);
    expect((await leadloop('attention', 'list')).stdout).toBe('Nothing needs attention.\n');
    expect((await leadloop('attention', 'show', String(a))).stdout).toMatch(/^Item \d+ · dropped \d{4}-/);
  });

  it('refuses bad usage with exit code 2 and the help', async () => {
    for (const argv of [
      ['attention'],
      ['attention', 'purge'],
      ['attention', 'show'],
      ['attention', 'show', 'abc'],
      ['attention', 'drop', '--all'],
      ['attention', 'retry'],
      ['attention', 'retry', '3', '--all'],
    ]) {
      const result = await leadloop(...argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toContain('leadloop attention list');
    }
    expect((await leadloop('help', 'attention')).stdout).toContain('retry --all');
  });

  it('retry --all stores what now reads as a lead, keeps the rest open with the reason of now', async () => {
    const [hubspot, nameless, dropped] = keep(
      {},
      {
        profile: 'flat',
        raw: JSON.stringify({ phone: '+1 555 0100', campaign: 'Zap', score: '7' }),
        who: undefined,
        reason: 'no email or name',
      },
      {},
    );
    await leadloop('attention', 'drop', String(dropped));
    const mapping = JSON.stringify({ fields: { utm_campaign_custom: 'campaign' } });
    const result = await runLeadloop(
      ['attention', 'retry', '--all'],
      { DATABASE_PATH: databasePath, LEAD_MAPPING: mapping },
      temp.dir,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^Item ${hubspot}: stored as lead 1\\.$`, 'm'));
    expect(result.stdout).toContain(
      `Item ${nameless}: still cannot be stored, kept open: email: email or name is required`,
    );
    expect(result.stdout).toContain('Fix the mapping');
    expect(result.stdout).not.toContain(`Item ${dropped}`);
    expect(states()).toEqual([
      { id: hubspot, state: 'retried' },
      { id: nameless, state: 'open' },
      { id: dropped, state: 'dropped' },
    ]);

    const named = await leadloop('attention', 'retry', String(hubspot), String(dropped), '99');
    expect(named.code).toBe(1);
    expect(named.stdout).toBe(`Item ${hubspot}: already retried → lead 1.\n`);
    expect(named.stderr).toBe(
      `Item ${dropped}: not retried, it was dropped.\nNo item 99: leadloop attention list shows the open ones.\n`,
    );
    expect((await leadloop('attention', 'show', String(hubspot))).stdout).toMatch(
      /· retried \d{4}-\d\d-\d\d \d\d:\d\d → lead 1\n/,
    );
  });

  it('retry --all with nothing open says so', async () => {
    expect(await leadloop('attention', 'retry', '--all')).toEqual({
      code: 0,
      stdout: 'Nothing needs attention: there is nothing to retry.\n',
      stderr: '',
    });
  });

  it('an item whose body retention erased shows so, and retry says to drop it', async () => {
    const [id] = keep({ raw: '', who: undefined });
    expect((await leadloop('attention', 'show', String(id))).stdout).toContain(
      'Body as received:\n(erased after RETENTION_DAYS)',
    );
    const retried = await leadloop('attention', 'retry', String(id));
    expect(retried.code).toBe(1);
    expect(retried.stdout).toContain(
      'its body was erased (RETENTION_DAYS), so it cannot be read again: drop it',
    );
  });
});
