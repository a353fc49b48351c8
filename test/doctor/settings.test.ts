import { describe, expect, it } from 'vitest';
import { checkOtherSettings, problemVariable, readDoctorSettings } from '../../src/doctor/settings.js';

const GOOD = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
  SLACK_SIGNING_SECRET: 'a-signing-secret-of-32-characters',
  LEADS_CHANNEL_ID: 'C0LEADS001',
  DIGEST_CHANNEL_IDS: 'C0SALES001',
};

describe('readDoctorSettings', () => {
  it('reads a valid configuration as start would', () => {
    const settings = readDoctorSettings(GOOD);
    expect(settings.problems).toEqual([]);
    expect(settings.mode).toBe('http');
    expect(settings.config.slack.botToken).toBe(GOOD.SLACK_BOT_TOKEN);
  });

  it('keeps the valid settings when others are wrong, with every problem in config.ts’s words', () => {
    const settings = readDoctorSettings({
      ...GOOD,
      PORT: 'eighty',
      LEADS_CHANNEL_ID: '#leads',
      DATABASE_PATH: '/srv/leadloop.db',
      ACCEPT_EMOJIS: 'x',
      REJECT_EMOJIS: 'x',
    });
    expect(settings.problems.map(problemVariable)).toEqual(['LEADS_CHANNEL_ID', 'PORT', 'ACCEPT_EMOJIS']);
    expect(settings.config).toMatchObject({
      slack: { botToken: GOOD.SLACK_BOT_TOKEN },
      leadsChannelId: undefined,
      digestChannelIds: ['C0SALES001'],
      databasePath: '/srv/leadloop.db',
      port: 3000,
      acceptEmojis: ['white_check_mark', 'heavy_check_mark'],
    });
  });

  it('counts a malformed SLACK_APP_TOKEN as asking for Socket Mode', () => {
    const settings = readDoctorSettings({ ...GOOD, SLACK_APP_TOKEN: 'xoxb-pasted-in-the-wrong-place' });
    expect(settings.mode).toBe('socket');
    expect(settings.config.slack.appToken).toBeUndefined();
    expect(settings.problems).toEqual([expect.stringMatching(/^SLACK_APP_TOKEN must be an app-level token/)]);
  });

  it('treats a blank SLACK_APP_TOKEN as unset, as config.ts does', () => {
    expect(readDoctorSettings({ ...GOOD, SLACK_APP_TOKEN: '  ' }).mode).toBe('http');
  });

  it('lists what the running bot requires, even from an empty environment', () => {
    const settings = readDoctorSettings({});
    expect(settings.problems.map(problemVariable)).toEqual([
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'LEADS_CHANNEL_ID',
      'DIGEST_CHANNEL_IDS',
    ]);
    expect(settings.config.databasePath).toBe('./data/leadloop.db');
  });
});

describe('checkOtherSettings', () => {
  it('gives each problem no other check covers a line of its own', () => {
    const settings = readDoctorSettings({
      ...GOOD,
      PORT: 'eighty',
      LEADS_CHANNEL_ID: '#leads',
      LOG_LEVEL: 'loud',
    });
    expect(checkOtherSettings(settings).map((r) => [r.status, r.detail.split(' ')[0]])).toEqual([
      ['fail', 'PORT'],
      ['fail', 'LOG_LEVEL'],
    ]);
  });

  it('is one passing line when they are all valid', () => {
    expect(checkOtherSettings(readDoctorSettings(GOOD))).toEqual([
      expect.objectContaining({ name: 'Settings', status: 'ok' }),
    ]);
  });
});
