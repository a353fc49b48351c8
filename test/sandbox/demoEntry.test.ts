import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { leadFromForm, splitCommand } from '../../sandbox/web/server.js';
import { waitFor } from '../harness/waitFor.js';

const DEMO = fileURLToPath(new URL('../../sandbox/demo.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

/** `npm run demo -- <args>` as a child process, with nothing configured. */
function demo(args: string[]) {
  const child = spawn(process.execPath, ['--import', TSX, DEMO, ...args], {
    env: { PATH: process.env.PATH ?? '', TMPDIR: process.env.TMPDIR ?? '/tmp' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

const running: ReturnType<typeof demo>[] = [];
afterEach(() => {
  for (const d of running.splice(0)) if (d.child.exitCode === null) d.child.kill('SIGKILL');
});

describe('npm run demo (the entry)', () => {
  it('--help says how to run it and exits 0', async () => {
    const d = demo(['--help']);
    running.push(d);
    expect(await d.exited).toBe(0);
    expect(d.output()).toContain('--simulate');
    expect(d.output()).toContain('--port');
  });

  it('refuses a bad option with the usage and exit code 2', async () => {
    const d = demo(['--frobnicate']);
    running.push(d);
    expect(await d.exited).toBe(2);
    expect(d.output()).toContain('--simulate');
  });

  it('needs no configuration, falls back from a taken port, serves the page, and removes its database on Ctrl-C', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const d = demo(['--port', String(port)]);
      running.push(d);
      const url = await waitFor(
        'the page address',
        () => /Open\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(d.output())?.[1],
        {
          timeoutMs: 30_000,
        },
      );
      expect(url).not.toContain(`:${port}/`);
      const database = /Database: (\S+)/.exec(d.output())?.[1] ?? '';
      expect(existsSync(database)).toBe(true);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Leadloop sandbox');
      d.child.kill('SIGINT');
      expect(await d.exited).toBe(0);
      expect(existsSync(database)).toBe(false);
      expect(d.output()).toContain('Demo stopped');
    } finally {
      taken.close();
    }
  }, 60_000);
});

describe('page helpers', () => {
  it('splits what was typed into a slash command and its text', () => {
    expect(splitCommand('/leadstats 7d reasons')).toEqual({ command: '/leadstats', text: '7d reasons' });
    expect(splitCommand('  /LeadStats  ')).toEqual({ command: '/leadstats', text: '' });
    expect(splitCommand('last-week')).toEqual({ command: '/leadstats', text: 'last-week' });
  });

  it('turns the lead form into a POST /leads body: blanks left out, the score a number', () => {
    expect(leadFromForm({ name: ' Dana ', email: '', score: '68', campaign: 'Spring' })).toEqual({
      name: 'Dana',
      score: 68,
      campaign: 'Spring',
    });
    expect(leadFromForm({ score: 'high' })).toEqual({ score: 'high' });
  });
});
