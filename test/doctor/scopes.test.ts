import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REQUIRED_BOT_SCOPES } from '../../src/doctor/scopes.js';

/** oauth_config.scopes.bot of manifest.yml, read line by line: the file is plain block YAML. */
function manifestBotScopes(): string[] {
  const lines = readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8').split('\n');
  const path: string[] = [];
  const scopes: string[] = [];
  for (const line of lines) {
    if (/^\s*(#|$)/.test(line)) continue;
    const indent = line.length - line.trimStart().length;
    const key = /^\s*([a-z_]+):\s*$/.exec(line)?.[1];
    if (key) {
      path.splice(indent / 2);
      path[indent / 2] = key;
      continue;
    }
    const item = /^\s*- (\S+)\s*$/.exec(line)?.[1];
    if (item && path.slice(0, 3).join('.') === 'oauth_config.scopes.bot' && indent / 2 <= 3)
      scopes.push(item);
    else if (!item) path.splice(indent / 2);
  }
  return scopes;
}

describe('REQUIRED_BOT_SCOPES', () => {
  it("equals manifest.yml's oauth_config.scopes.bot", () => {
    const fromManifest = manifestBotScopes();
    expect(fromManifest).toContain('chat:write');
    expect(REQUIRED_BOT_SCOPES).toEqual(fromManifest);
  });
});
