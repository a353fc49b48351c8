import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/*
 * deploy/leadloop.service, checked by systemd itself (`systemd-analyze verify`, and its offline
 * security review). systemd-analyze prints unknown keys and bad values as warnings and still
 * exits 0, so any output fails the check. CI installs systemd when it is missing; these tests are
 * skipped only where the binary is absent.
 */

const run = promisify(execFile);
const UNIT = fileURLToPath(new URL('../../deploy/leadloop.service', import.meta.url));
const hasSystemdAnalyze = (() => {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function verify(unitPath: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('systemd-analyze', ['verify', unitPath]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

/** The unit's settings as key → values (a key may repeat). */
function settings(text: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m?.[1] !== undefined) map.set(m[1], [...(map.get(m[1]) ?? []), m[2] ?? '']);
  }
  return map;
}

describe('deploy/leadloop.service', () => {
  const unit = settings(readFileSync(UNIT, 'utf8'));

  it('runs the compiled bot as its own user, from the folder that holds .env, restarting on failure', () => {
    expect(unit.get('User')).toEqual(['leadloop']);
    expect(unit.get('WorkingDirectory')).toEqual(['/opt/leadloop']);
    expect(unit.get('ExecStart')).toEqual(['/usr/bin/node /opt/leadloop/dist/cli.js start']);
    expect(unit.get('Restart')).toEqual(['on-failure']);
    expect(unit.get('StateDirectory')).toEqual(['leadloop']);
    expect(unit.get('ReadWritePaths')).toEqual(['/var/lib/leadloop']);
    for (const [key, value] of [
      ['NoNewPrivileges', 'true'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'true'],
      ['PrivateTmp', 'true'],
    ]) {
      expect(unit.get(key ?? ''), key).toEqual([value]);
    }
    // V8 needs writable executable memory: this setting would kill the bot at start.
    expect(unit.has('MemoryDenyWriteExecute')).toBe(false);
  });

  it.skipIf(!hasSystemdAnalyze)('passes systemd-analyze verify without a single warning', async () => {
    expect(await verify(UNIT)).toEqual({ code: 0, output: '' });
  });

  it.skipIf(!hasSystemdAnalyze)('a misspelt key or a bad value would be caught', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadloop-unit-'));
    try {
      const broken = join(dir, 'leadloop.service');
      writeFileSync(
        broken,
        readFileSync(UNIT, 'utf8')
          .replace('NoNewPrivileges=true', 'NoNewPrivilege=true')
          .replace('Restart=on-failure', 'Restart=sometimes'),
      );
      const result = await verify(broken);
      expect(result.output).toContain("Unknown key 'NoNewPrivilege'");
      expect(result.output).toContain('sometimes');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasSystemdAnalyze)(
    'is rated OK by systemd’s security review (exposure at most 2.0 of 10)',
    async () => {
      // --threshold makes the exit code non-zero above that exposure (in tenths).
      const { stdout } = await run('systemd-analyze', ['security', '--offline=true', '--threshold=20', UNIT]);
      expect(stdout).toMatch(/Overall exposure level for leadloop\.service: \d\.\d OK/);
    },
  );
});
