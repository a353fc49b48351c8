import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { leadloopVersion } from '../../src/version.js';
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
