import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig, readEnvironment } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { tempDir } from './harness/app.js';

// Distinctive secret values: none of them (nor their distinctive middle) may ever be echoed back.
const BOT_TOKEN = 'xoxb-1111-2222-Qz8wBotTokenK7p';
const SIGNING_SECRET = 'sig9f8e7d6c5b4a3SigningZx42';
const APP_TOKEN = 'xapp-1-A0-Lm5nAppTokenR3t';
const INGEST_TOKEN = 'ingest-Vb7qIngestToken-0123456789';

const validRunEnv = (): Record<string, string | undefined> => ({
  SLACK_BOT_TOKEN: BOT_TOKEN,
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  LEADS_CHANNEL_ID: 'C0LEADS001',
  DIGEST_CHANNEL_IDS: 'C0SALES001,C0MKTG0001',
});

/** The ConfigError thrown by parseConfig; fails the test when nothing (or something else) is thrown. */
function configError(env: Record<string, string | undefined>, purpose: 'run' | 'local' = 'run'): ConfigError {
  let thrown: unknown;
  try {
    parseConfig(env, purpose);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  return thrown as ConfigError;
}

describe('parseConfig defaults', () => {
  it('gives every variable in PRODUCT.md its documented default', () => {
    const config = parseConfig({}, 'local');
    expect(config).toMatchObject({
      slack: {
        botToken: undefined,
        signingSecret: undefined,
        appToken: undefined,
        apiUrl: undefined,
        mode: 'http',
      },
      leadsChannelId: undefined,
      digestChannelIds: [],
      port: 3000,
      ingestToken: undefined,
      databasePath: './data/leadloop.db',
      timezone: 'UTC',
      digestCron: '0 9 * * 1',
      decisionSlaHours: 24,
      salesUserIds: undefined,
      acceptEmojis: ['white_check_mark', 'heavy_check_mark'],
      rejectEmojis: ['x', 'no_entry_sign'],
      logLevel: 'info',
      retentionDays: undefined,
    });
  });

  it('keeps the defaults when a full run configuration sets only the required variables', () => {
    const config = parseConfig(validRunEnv(), 'run');
    expect(config.slack.botToken).toBe(BOT_TOKEN);
    expect(config.slack.signingSecret).toBe(SIGNING_SECRET);
    expect(config.slack.mode).toBe('http');
    expect(config.leadsChannelId).toBe('C0LEADS001');
    expect(config.digestChannelIds).toEqual(['C0SALES001', 'C0MKTG0001']);
    expect(config.port).toBe(3000);
    expect(config.host).toBeUndefined();
    expect(config.ingestToken).toBeUndefined();
    expect(config.logLevel).toBe('info');
  });

  it('parses set values', () => {
    const config = parseConfig(
      {
        ...validRunEnv(),
        PORT: '8080',
        HOST: '127.0.0.1',
        INGEST_TOKEN,
        DATABASE_PATH: '/var/lib/leadloop/db.sqlite',
        TIMEZONE: 'Europe/Berlin',
        DIGEST_CRON: '30 8 * * 1',
        DECISION_SLA_HOURS: '4',
        SALES_USER_IDS: 'U0123456789, W0987654321',
        ACCEPT_EMOJIS: 'thumbsup',
        REJECT_EMOJIS: 'thumbsdown',
        LOG_LEVEL: 'DEBUG',
        HEALTH_STALL_MINUTES: '30',
      },
      'run',
    );
    expect(config.port).toBe(8080);
    expect(config.host).toBe('127.0.0.1');
    expect(config.ingestToken).toBe(INGEST_TOKEN);
    expect(config.databasePath).toBe('/var/lib/leadloop/db.sqlite');
    expect(config.timezone).toBe('Europe/Berlin');
    expect(config.digestCron).toBe('30 8 * * 1');
    expect(config.decisionSlaHours).toBe(4);
    expect(config.salesUserIds).toEqual(['U0123456789', 'W0987654321']);
    expect(config.acceptEmojis).toEqual(['thumbsup']);
    expect(config.rejectEmojis).toEqual(['thumbsdown']);
    expect(config.logLevel).toBe('debug');
    expect(config.healthStallMinutes).toBe(30);
  });

  it('counts blank values as unset', () => {
    const config = parseConfig(
      {
        ...validRunEnv(),
        SLACK_APP_TOKEN: '',
        SLACK_API_URL: '   ',
        PORT: '',
        HOST: ' ',
        INGEST_TOKEN: ' ',
        DATABASE_PATH: '',
        TIMEZONE: '  ',
        DIGEST_CRON: '',
        DECISION_SLA_HOURS: '',
        SALES_USER_IDS: '',
        ACCEPT_EMOJIS: '',
        REJECT_EMOJIS: ' ',
        LOG_LEVEL: '',
        HEALTH_STALL_MINUTES: ' ',
      },
      'run',
    );
    expect(config.slack.mode).toBe('http');
    expect(config.slack.appToken).toBeUndefined();
    expect(config.slack.apiUrl).toBeUndefined();
    expect(config.port).toBe(3000);
    expect(config.host).toBeUndefined();
    expect(config.ingestToken).toBeUndefined();
    expect(config.databasePath).toBe('./data/leadloop.db');
    expect(config.timezone).toBe('UTC');
    expect(config.digestCron).toBe('0 9 * * 1');
    expect(config.decisionSlaHours).toBe(24);
    expect(config.salesUserIds).toBeUndefined();
    expect(config.acceptEmojis).toEqual(['white_check_mark', 'heavy_check_mark']);
    expect(config.rejectEmojis).toEqual(['x', 'no_entry_sign']);
    expect(config.logLevel).toBe('info');
    expect(config.healthStallMinutes).toBe(15);
  });

  it('treats a blank required variable as missing', () => {
    const error = configError({ ...validRunEnv(), SLACK_BOT_TOKEN: '   ' });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain('SLACK_BOT_TOKEN');
  });

  it('accepts emoji names written with colons, and any case', () => {
    const config = parseConfig(
      { ACCEPT_EMOJIS: ':thumbsup:, :White_Check_Mark:', REJECT_EMOJIS: ':x:' },
      'local',
    );
    expect(config.acceptEmojis).toEqual(['thumbsup', 'white_check_mark']);
    expect(config.rejectEmojis).toEqual(['x']);
  });

  it('gives SLACK_API_URL a trailing slash, and keeps one that is there', () => {
    expect(parseConfig({ SLACK_API_URL: 'http://127.0.0.1:9999/api' }, 'local').slack.apiUrl).toBe(
      'http://127.0.0.1:9999/api/',
    );
    expect(parseConfig({ SLACK_API_URL: 'https://slack-gov.com/api/' }, 'local').slack.apiUrl).toBe(
      'https://slack-gov.com/api/',
    );
  });
});

describe('parseConfig modes and purposes', () => {
  it('chooses Socket Mode when SLACK_APP_TOKEN is set, and then needs no signing secret', () => {
    const env = { ...validRunEnv(), SLACK_SIGNING_SECRET: undefined, SLACK_APP_TOKEN: APP_TOKEN };
    const config = parseConfig(env, 'run');
    expect(config.slack.mode).toBe('socket');
    expect(config.slack.appToken).toBe(APP_TOKEN);
    expect(config.slack.signingSecret).toBeUndefined();
  });

  it('chooses HTTP mode without an app token', () => {
    expect(parseConfig(validRunEnv(), 'run').slack.mode).toBe('http');
  });

  it('needs no Slack settings for local commands', () => {
    const config = parseConfig({ DATABASE_PATH: '/tmp/x.db' }, 'local');
    expect(config.databasePath).toBe('/tmp/x.db');
    expect(config.slack.botToken).toBeUndefined();
  });

  it.each([['SLACK_BOT_TOKEN'], ['LEADS_CHANNEL_ID'], ['DIGEST_CHANNEL_IDS'], ['SLACK_SIGNING_SECRET']])(
    'reports a missing %s in one line that names it',
    (name) => {
      const env = validRunEnv();
      delete env[name];
      const error = configError(env, 'run');
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toContain(name);
      expect(error.problems[0]).not.toContain('\n');
    },
  );

  it('lists every missing required variable at once', () => {
    const error = configError({}, 'run');
    expect(error.problems).toHaveLength(4);
    for (const name of [
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'LEADS_CHANNEL_ID',
      'DIGEST_CHANNEL_IDS',
    ]) {
      expect(error.problems.filter((p) => p.includes(name))).toHaveLength(1);
    }
  });
});

describe('parseConfig bad values', () => {
  // [variable, bad value, what an example of a good value in the message looks like]
  const cases: [string, string, RegExp][] = [
    ['PORT', 'abc', /3000/],
    ['PORT', '70000', /3000/],
    ['HOST', 'localhost:3000', /127\.0\.0\.1/],
    ['HOST', '999.1.1.1', /0\.0\.0\.0/],
    ['TIMEZONE', 'Mars/Olympus', /Europe\/Berlin|America\/New_York/],
    ['DIGEST_CRON', 'nonsense', /0 9 \* \* 1/],
    ['DECISION_SLA_HOURS', '0', /e\.g\. \d+/],
    ['DECISION_SLA_HOURS', '-3', /e\.g\. \d+/],
    ['INGEST_TOKEN', 'short-Hq3IngestSecret', /openssl rand|e\.g\./],
    ['LEADS_CHANNEL_ID', '#sales', /C0123456789/],
    ['DIGEST_CHANNEL_IDS', 'C0SALES001,#marketing', /C0123456789/],
    ['SALES_USER_IDS', 'bob', /U0123456789/],
    ['LOG_LEVEL', 'verbose', /info/],
    ['HEALTH_STALL_MINUTES', '0', /e\.g\. 15/],
    ['HEALTH_STALL_MINUTES', '2.5', /e\.g\. 15/],
    ['SLACK_BOT_TOKEN', 'xoxp-5555-Ur7UserTokenWq', /xoxb-/],
    ['SLACK_APP_TOKEN', 'xoxb-1-Wrong9AppToken', /xapp-/],
    ['SLACK_SIGNING_SECRET', 'short Yt5secret', /16 or more|e\.g\./],
    ['SLACK_API_URL', 'slack.example.com/api', /https:\/\/slack\.com\/api\//],
    ['ACCEPT_EMOJIS', 'white check mark', /white_check_mark/],
    ['RETENTION_DAYS', '0', /e\.g\. 365/],
    ['RETENTION_DAYS', '30d', /e\.g\. 365/],
    ['RETENTION_DAYS', '1.5', /e\.g\. 365/],
    ['RETENTION_DAYS', '36501', /e\.g\. 365/],
  ];

  it.each(cases)(
    '%s=%s gives one line that names the variable and shows a good value',
    (name, value, example) => {
      const env = { ...validRunEnv(), [name]: value };
      const error = configError(env, 'run');
      expect(error.problems).toHaveLength(1);
      const [problem] = error.problems;
      expect(problem).toContain(name);
      expect(problem).toMatch(example);
      expect(problem).not.toContain('\n');
    },
  );

  it.each([
    ['SLACK_BOT_TOKEN', 'xoxp-5555-Ur7UserTokenWq'],
    ['SLACK_APP_TOKEN', 'xoxb-1-Wrong9AppToken'],
    ['SLACK_SIGNING_SECRET', 'short Yt5secret'],
    ['INGEST_TOKEN', 'short-Hq3IngestSecret'],
  ])('does not echo a bad %s', (name, value) => {
    const error = configError({ ...validRunEnv(), [name]: value }, 'run');
    expect(error.problems.join('\n')).not.toContain(value);
    expect(error.message).not.toContain(value);
  });

  it('reports an emoji in both ACCEPT_EMOJIS and REJECT_EMOJIS in one line naming both, with a good example', () => {
    const error = configError({
      ...validRunEnv(),
      ACCEPT_EMOJIS: 'white_check_mark,x',
      REJECT_EMOJIS: ':x:',
    });
    expect(error.problems).toHaveLength(1);
    const [problem] = error.problems;
    expect(problem).toContain('ACCEPT_EMOJIS');
    expect(problem).toContain('REJECT_EMOJIS');
    expect(problem).toMatch(/\bx\b/);
    expect(problem).not.toContain('\n');
    // PRODUCT.md: every problem line gives an example of a good value.
    expect(problem).toMatch(/e\.g\.|for example/i);
  });

  it('refuses an emoji list that is only commas', () => {
    const error = configError({ ACCEPT_EMOJIS: ', ,' }, 'local');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain('ACCEPT_EMOJIS');
  });

  it('accepts the edges of the valid ranges', () => {
    expect(parseConfig({ PORT: '0' }, 'local').port).toBe(0);
    expect(parseConfig({ PORT: '65535' }, 'local').port).toBe(65535);
    expect(parseConfig({ DECISION_SLA_HOURS: '0.5' }, 'local').decisionSlaHours).toBe(0.5);
    expect(() => parseConfig({ PORT: '65536' }, 'local')).toThrow(ConfigError);
    expect(parseConfig({ RETENTION_DAYS: '1' }, 'local').retentionDays).toBe(1);
    expect(parseConfig({ RETENTION_DAYS: ' 36500 ' }, 'local').retentionDays).toBe(36500);
    expect(parseConfig({ RETENTION_DAYS: '' }, 'local').retentionDays).toBeUndefined();
  });

  it('lists several bad values and missing variables together, one line each', () => {
    const error = configError(
      {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        PORT: 'abc',
        TIMEZONE: 'Mars/Olympus',
        DIGEST_CRON: 'nonsense',
        LOG_LEVEL: 'verbose',
        SALES_USER_IDS: 'bob',
      },
      'run',
    );
    const expected = [
      'PORT',
      'TIMEZONE',
      'DIGEST_CRON',
      'LOG_LEVEL',
      'SALES_USER_IDS',
      'LEADS_CHANNEL_ID',
      'DIGEST_CHANNEL_IDS',
    ];
    expect(error.problems).toHaveLength(expected.length);
    for (const name of expected) {
      expect(error.problems.filter((p) => p.startsWith(`${name} `))).toHaveLength(1);
    }
    for (const problem of error.problems) expect(problem).not.toContain('\n');
  });

  it('lists an emoji overlap together with the other problems', () => {
    const error = configError(
      { ...validRunEnv(), PORT: 'abc', ACCEPT_EMOJIS: 'x', REJECT_EMOJIS: 'x,no_entry_sign' },
      'run',
    );
    expect(error.problems).toHaveLength(2);
    expect(error.problems.some((p) => p.includes('PORT'))).toBe(true);
    expect(error.problems.some((p) => p.includes('ACCEPT_EMOJIS') && p.includes('REJECT_EMOJIS'))).toBe(true);
  });

  it('never prints a secret value, valid or not', () => {
    const secrets = {
      SLACK_BOT_TOKEN: 'xoxp-9999-Kd2LeakedUserToken',
      SLACK_SIGNING_SECRET: 'bad secret Pm4LeakedSigning',
      SLACK_APP_TOKEN: 'xoxa-Jr8LeakedAppToken',
      INGEST_TOKEN: 'Gw6LeakedIngest',
    };
    const error = configError({ ...secrets, PORT: 'abc', LEADS_CHANNEL_ID: '#sales' }, 'run');
    expect(error.problems.length).toBeGreaterThanOrEqual(6);
    const printed = `${error.message}\n${error.problems.join('\n')}\n${error.stack ?? ''}`;
    for (const value of Object.values(secrets)) {
      expect(printed).not.toContain(value);
    }
    for (const fragment of ['Kd2Leaked', 'Pm4Leaked', 'Jr8Leaked', 'Gw6Leaked']) {
      expect(printed).not.toContain(fragment);
    }

    // Valid secrets next to another problem are not printed either.
    const withValid = configError({ ...validRunEnv(), SLACK_APP_TOKEN: APP_TOKEN, INGEST_TOKEN, PORT: 'x' });
    const printedValid = `${withValid.message}\n${withValid.problems.join('\n')}`;
    for (const value of [BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, INGEST_TOKEN]) {
      expect(printedValid).not.toContain(value);
    }
  });
});

describe('readEnvironment', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => {
    cleanup?.();
    cleanup = undefined;
  });

  it('reads .env from the folder, and the process environment wins over it', () => {
    const temp = tempDir();
    cleanup = temp.cleanup;
    writeFileSync(
      join(temp.dir, '.env'),
      [
        '# comment',
        'PORT=4000',
        'TIMEZONE=Europe/Berlin',
        'LEADS_CHANNEL_ID=C0FROMFILE1',
        'SLACK_SIGNING_SECRET="quoted-secret-0123456789"',
        '',
      ].join('\n'),
    );
    const env = readEnvironment({ PORT: '5000', LOG_LEVEL: 'warn' }, temp.dir);
    expect(env.PORT).toBe('5000');
    expect(env.TIMEZONE).toBe('Europe/Berlin');
    expect(env.LEADS_CHANNEL_ID).toBe('C0FROMFILE1');
    expect(env.SLACK_SIGNING_SECRET).toBe('quoted-secret-0123456789');
    expect(env.LOG_LEVEL).toBe('warn');

    const config = parseConfig(env, 'local');
    expect(config.port).toBe(5000);
    expect(config.timezone).toBe('Europe/Berlin');
    expect(config.logLevel).toBe('warn');
  });

  it('works without a .env file', () => {
    const temp = tempDir();
    cleanup = temp.cleanup;
    expect(readEnvironment({ PORT: '5000' }, temp.dir)).toEqual({ PORT: '5000' });
  });
});
