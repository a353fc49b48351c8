import { describe, expect, it } from 'vitest';
import { guessWho, topReasons } from '../../src/domain/attention.js';

describe('guessWho', () => {
  it('finds the email and name in a HubSpot v1 contact (properties with {"value"})', () => {
    const body = {
      vid: 3234574,
      properties: {
        firstname: { value: 'Ana' },
        lastname: { value: 'Silva' },
        email: { value: 'ana.silva@acme.io' },
      },
    };
    expect(guessWho(body)).toBe('Ana Silva <ana.silva@acme.io>');
  });

  it('reads flat bodies (HubSpot v3, Zapier) and tolerates missing parts', () => {
    expect(guessWho({ properties: { email: 'bo@x.io' } })).toBe('bo@x.io');
    expect(guessWho({ firstname: 'Bo', lastname: '' })).toBe('Bo');
    expect(guessWho({ 'Person - Name': 'Bo Li' })).toBe('Bo Li');
    expect(guessWho({ score: 3 })).toBeUndefined();
    expect(guessWho('just text')).toBeUndefined();
    expect(guessWho({ email: 'not an email' })).toBeUndefined();
  });
});

describe('topReasons', () => {
  it('counts reasons, most common first, first seen on ties', () => {
    expect(topReasons(['b', 'a', 'a', 'c', 'b', 'a', 'd'], 3)).toEqual([
      { reason: 'a', count: 3 },
      { reason: 'b', count: 2 },
      { reason: 'c', count: 1 },
    ]);
  });
});
