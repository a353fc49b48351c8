import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { leadloopVersion, unsupportedNode } from '../../src/version.js';
import { tempDir } from '../harness/app.js';
import { runLeadloop } from '../harness/cli.js';

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

let temp: ReturnType<typeof tempDir>;
beforeEach(() => {
  temp = tempDir();
});
afterEach(() => temp.cleanup());

describe('leadloop --version', () => {
  it.each([['--version'], ['-v'], ['version']])(
    '%s prints the package.json version alone, exit 0',
    async (flag) => {
      const run = await runLeadloop([flag], {}, temp.dir);
      expect(run).toEqual({ code: 0, stdout: `${PACKAGE_VERSION}\n`, stderr: '' });
    },
  );

  it('is listed in the usage', async () => {
    expect((await runLeadloop(['help'], {}, temp.dir)).stdout).toMatch(
      /--version, -v +print Leadloop's version/,
    );
  });

  it('reads whatever version the package file states', () => {
    const file = join(temp.dir, 'package.json');
    writeFileSync(file, JSON.stringify({ name: 'leadloop', version: '9.8.7-rc.1' }));
    expect(leadloopVersion(file)).toBe('9.8.7-rc.1');
  });
});

describe('the Node.js version check', () => {
  it.each(['22.12.0', '22.23.3', '24.0.0', '24.21.0', '26.1.0'])('lets Node %s run', (version) => {
    expect(unsupportedNode(version)).toBeUndefined();
  });

  it.each(['20.20.2', '18.20.8', '21.7.3'])('stops Node %s with what to install', (version) => {
    const message = unsupportedNode(version);
    expect(message).toContain(`Leadloop needs Node.js 22 or 24 (LTS); this is Node.js ${version}.`);
    expect(message).toContain('nvm install 24');
  });

  it('passes the Node that runs this suite, so every command runs', () => {
    expect(unsupportedNode()).toBeUndefined();
  });
});
