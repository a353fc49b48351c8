import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot, tempDir } from '../harness/app.js';
import { runLeadloop } from '../harness/cli.js';
import { DAY } from '../harness/fixtures.js';

/*
 * `leadloop import --history` into the database of a running bot (the real app against the fake
 * Slack): the leads count in `leadloop stats` with their outcomes, and not one of them is posted.
 */

let t: TestBot;
let temp: ReturnType<typeof tempDir>;
let imported: { code: number; stdout: string; stderr: string };

const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  t = await startTestBot();
  temp = tempDir();
  const now = Date.now();
  // HubSpot's export labels, a Lead Status per contact; one row without a campaign.
  const lines = [
    'Record ID,First Name,Last Name,Email,Lead Status,Create Date,Campaign',
    `101,Ana,Silva,ana@acme.io,Connected,${iso(now - 5 * DAY)},Webinar A`,
    `102,Bo,Berg,bo@beta.io,Unqualified,${iso(now - 5 * DAY)},Webinar A`,
    `103,Cy,Wu,cy@cyber.io,Bad Timing,${iso(now - 4 * DAY)},Webinar A`,
    `104,Di,Ng,di@delta.io,New,${iso(now - 3 * DAY)},Webinar A`,
    `105,Ed,Ek,ed@echo.io,Open Deal,${iso(now - 3 * DAY)},`,
  ];
  writeFileSync(join(temp.dir, 'hubspot-contacts.csv'), `${lines.join('\n')}\n`);
  imported = await runLeadloop(
    ['import', 'hubspot-contacts.csv', '--history', '--campaign', 'Trade Show'],
    { DATABASE_PATH: t.databasePath },
    temp.dir,
  );
});

afterAll(async () => {
  await t?.close();
  temp?.cleanup();
});

describe('leadloop import --history', () => {
  it('says what it stored', () => {
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(
      'Imported 5 lead(s) as history, not posted: 2 accepted, 2 rejected, 1 without an outcome (pending).',
    );
  });

  it('posts none of them, while the bot posts a live lead that arrives after them', async () => {
    await t.postLead({ externalId: 'live-1', campaign: 'Live campaign' });
    const posts = t.fake.calls('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]?.args)).toContain('Live campaign');
    const statuses = t.bot.store.db.$client
      .prepare(
        "SELECT post_status, count(*) AS n FROM leads WHERE external_id != 'live-1' GROUP BY post_status",
      )
      .all();
    expect(statuses).toEqual([{ post_status: 'history', n: 5 }]);
  });

  it('counts them in `leadloop stats`, by campaign, with their reasons, and as nobody’s rep decisions', async () => {
    const stats = await runLeadloop(
      ['stats', 'reasons', '--json'],
      { DATABASE_PATH: t.databasePath },
      temp.dir,
    );
    expect(stats.code).toBe(0);
    const report = JSON.parse(stats.stdout);
    const byName = Object.fromEntries(
      report.campaigns.map((c: Record<string, unknown>) => [
        c.campaign,
        {
          posted: c.posted,
          accepted: c.accepted,
          rejected: c.rejected,
          pending: c.pending,
          median: c.medianDecisionMs,
        },
      ]),
    );
    expect(byName['Webinar A']).toEqual({
      posted: 4,
      accepted: 1,
      rejected: 2,
      pending: 1,
      median: undefined,
    });
    expect(byName['Trade Show']).toEqual({
      posted: 1,
      accepted: 1,
      rejected: 0,
      pending: 0,
      median: undefined,
    });
    expect(
      report.reasons.overall.map((r: { reason: string | null; count: number }) => [r.reason, r.count]),
    ).toEqual(
      expect.arrayContaining([
        ['not_ready', 1],
        [null, 1],
      ]),
    );
    const reps = await runLeadloop(['stats', 'reps', '--json'], { DATABASE_PATH: t.databasePath }, temp.dir);
    expect(JSON.parse(reps.stdout).reps).toEqual([]);
  });
});

describe('leadloop import of a vendor export, posted by the running bot', () => {
  it('escapes hostile text in every mapped column', async () => {
    const lines = [
      'Record ID,First Name,Last Name,Email,Company Name,Job Title,Phone Number,Country/Region,Original Source,Create Date,Campaign',
      [
        'hs-hostile',
        '"<!channel>"',
        'Mallory',
        'mallory@evil.example',
        '"<@U0ADMIN01> & Co"',
        '"<!here|here>"',
        '"<!subteam^S0123>"',
        '"<https://evil.example|Click>"',
        '"<!everyone>"',
        '2026-11-20 14:03',
        '"<https://evil.example|Free money>"',
      ].join(','),
    ];
    writeFileSync(join(temp.dir, 'hubspot-hostile.csv'), `${lines.join('\n')}\n`);
    const before = t.fake.calls('chat.postMessage').length;
    const result = await runLeadloop(
      ['import', 'hubspot-hostile.csv'],
      { DATABASE_PATH: t.databasePath },
      temp.dir,
    );
    expect(result.code).toBe(0);
    const posts = await t.fake.waitForCalls('chat.postMessage', before + 1);
    const post = posts[before];
    const text = String(post?.args.text);
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toMatch(/<[!@#h]/);
    // mrkdwn text escapes them; plain_text (the header) is never parsed for mentions or links.
    const blocks = post?.args.blocks as { type: string; text?: { type: string } }[];
    const mrkdwn = JSON.stringify(blocks.filter((b) => b.type !== 'header')).replace(/<!date\^[^>]+>/g, '');
    expect(mrkdwn).not.toContain('<');
    expect(mrkdwn).toContain('&lt;@U0ADMIN01&gt; &amp; Co');
    expect(blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
  });
});
