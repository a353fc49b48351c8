import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig, readEnvironment } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { tempDir } from './harness/app.js';

/** The one problem parseConfig reports; fails the test when it does not throw. */
function problemOf(env: Record<string, string | undefined>): string {
  let thrown: unknown;
  try {
    parseConfig(env, 'local');
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  const { problems } = thrown as ConfigError;
  expect(problems).toHaveLength(1);
  expect(problems[0]).not.toContain('\n');
  return problems[0] ?? '';
}

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});
function folder(): string {
  const temp = tempDir();
  cleanup = temp.cleanup;
  return temp.dir;
}

describe('LEAD_MAPPING', () => {
  it('is empty when unset', () => {
    expect(parseConfig({}, 'local').leadMapping).toEqual({ fields: {}, profiles: {}, defaults: {} });
  });

  it('parses names for every profile, per profile, and defaults', () => {
    const config = parseConfig(
      {
        LEAD_MAPPING: JSON.stringify({
          fields: { 'UTM Campaign': 'campaign' },
          profiles: { hubspot: { 'Original Source Drill-Down 2': 'source' } },
          defaults: { campaign: ' Website ', source: 'inbound' },
        }),
      },
      'local',
    );
    expect(config.leadMapping).toEqual({
      fields: { 'UTM Campaign': 'campaign' },
      profiles: { hubspot: { 'Original Source Drill-Down 2': 'source' } },
      defaults: { campaign: 'Website', source: 'inbound' },
    });
  });

  it.each([
    ['{"fields": {"UTM Campaign": "campain"}', /LEAD_MAPPING is not valid JSON .*e\.g\. \{"fields"/],
    [
      '{"fields": {"UTM Campaign": "campain"}}',
      /LEAD_MAPPING .*fields › UTM Campaign: "campain" is not a lead field; use one of externalId, email/,
    ],
    [
      '{"profiles": {"hubspott": {"a": "source"}}}',
      /profiles › hubspott: "hubspott" is not a profile; use one of hubspot, salesforce/,
    ],
    ['{"profiles": {"native": {"a": "source"}}}', /"native" is not a profile/],
    ['{"defaults": {"owner": "x"}}', /only "campaign" and "source" can have defaults/],
    ['{"defaults": {"campaign": "  "}}', /defaults › campaign: cannot be blank/],
    ['{"field": {}}', /unknown part "field": a mapping has "fields", "profiles" and "defaults"/],
    ['["campaign"]', /must be a JSON object/],
    [
      '{"fields": {"UTM Campaign": "campaign", "utm_campaign": "source"}}',
      /"UTM Campaign" and "utm_campaign" are the same name .* feed campaign and source/,
    ],
  ])('refuses %s with one readable line and an example', (value, message) => {
    const problem = problemOf({ LEAD_MAPPING: value });
    expect(problem).toMatch(/^LEAD_MAPPING /);
    expect(problem).toMatch(message);
    expect(problem).toContain('e.g. {"fields":{"UTM Campaign":"campaign"}');
  });

  it('refuses LEAD_MAPPING and LEAD_MAPPING_FILE together', () => {
    expect(problemOf({ LEAD_MAPPING: '{}', LEAD_MAPPING_FILE: './m.json' })).toMatch(/both set: keep one/);
  });
});

describe('the mapping file', () => {
  it('reads leadloop.mapping.json next to .env', () => {
    const dir = folder();
    writeFileSync(join(dir, 'leadloop.mapping.json'), '{"fields": {"Lead Origin": "source"}}');
    expect(parseConfig(readEnvironment({}, dir), 'local').leadMapping.fields).toEqual({
      'Lead Origin': 'source',
    });
  });

  it('reads the file LEAD_MAPPING_FILE names, relative to that folder (also from .env)', () => {
    const dir = folder();
    mkdirSync(join(dir, 'conf'));
    writeFileSync(join(dir, 'conf', 'mapping.json'), '{"defaults": {"campaign": "Trade show"}}');
    writeFileSync(join(dir, '.env'), 'LEAD_MAPPING_FILE=conf/mapping.json\n');
    expect(parseConfig(readEnvironment({}, dir), 'local').leadMapping.defaults).toEqual({
      campaign: 'Trade show',
    });
  });

  it('lets LEAD_MAPPING win over the default file', () => {
    const dir = folder();
    writeFileSync(join(dir, 'leadloop.mapping.json'), '{"fields": {"Lead Origin": "source"}}');
    const env = readEnvironment({ LEAD_MAPPING: '{"fields": {"Origin": "source"}}' }, dir);
    expect(parseConfig(env, 'local').leadMapping.fields).toEqual({ Origin: 'source' });
  });

  it('names the file in its problems', () => {
    const dir = folder();
    writeFileSync(join(dir, 'leadloop.mapping.json'), '{"fields": {"Lead Origin": "origin"}}');
    expect(problemOf(readEnvironment({}, dir))).toMatch(
      /^leadloop\.mapping\.json is not a valid mapping \(fields › Lead Origin: "origin" is not a lead field/,
    );
    writeFileSync(join(dir, 'other.json'), 'not json');
    expect(problemOf(readEnvironment({ LEAD_MAPPING_FILE: 'other.json' }, dir))).toMatch(
      /^LEAD_MAPPING_FILE other\.json is not valid JSON/,
    );
  });

  it('says when LEAD_MAPPING_FILE names no file', () => {
    const dir = folder();
    expect(problemOf(readEnvironment({ LEAD_MAPPING_FILE: 'missing.json' }, dir))).toBe(
      'LEAD_MAPPING_FILE missing.json cannot be read: no such file (the path is relative to the folder of .env), e.g. LEAD_MAPPING_FILE=./leadloop.mapping.json.',
    );
  });
});
