import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import { INGEST_TOKEN, LEADS_CHANNEL, lead, testEnv } from '../harness/app.js';
import { runningPort, spawnProcess } from '../harness/process.js';
import { waitFor } from '../harness/waitFor.js';

/*
 * The production install as an admin (or the Dockerfile) does it, in a clean folder: a copy of
 * the checkout's files (no node_modules, no dist), then exactly the `deploy/build.sh` steps the
 * Dockerfile RUNs, then the Dockerfile's ENTRYPOINT + CMD against the fake Slack, checked with the
 * Dockerfile's own HEALTHCHECK. Slow (npm ci twice and a TypeScript build): it runs as
 * `npm run test:deploy`, a CI step of its own, not in `npm test`.
 */

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCKERFILE = readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const LOCK = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean }>;
};
/** Where the Dockerfile puts the artefact; the test puts it in its temp folder instead. */
const IMAGE_APP = '/app';

/** The Dockerfile's instructions, continuation lines joined. */
function instructions(name: string): string[] {
  return DOCKERFILE.replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((l) => l.startsWith(`${name} `))
    .map((l) => l.slice(name.length + 1).trim());
}
/** An instruction's exec form (`["node", "…"]`), after its options (HEALTHCHECK's `… CMD [...]`). */
function execForm(name: string): string[] {
  const [only, ...more] = instructions(name);
  if (only === undefined || more.length > 0) throw new Error(`Expected one ${name} in deploy/Dockerfile`);
  return JSON.parse(only.slice(only.indexOf('['))) as string[];
}

/**
 * The environment of a shell an admin would type in: none of the variables npm and vitest set
 * for this run (npm's would point the inner npm at this checkout), but the Node headers that
 * node-gyp should compile against when CI chose them (npm_config_nodedir).
 */
function shellEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => k === 'npm_config_nodedir' || !/^(npm_|VITEST|NODE_ENV$|NODE_OPTIONS$)/i.test(k),
    ),
  );
}

let work: string;
let app: string;
let fake: FakeSlack;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'leadloop-deploy-'));
  const src = join(work, 'src');
  app = join(work, 'app');
  // The checkout's files as `git ls-files` sees them (committed or not, ignored files left out).
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  for (const file of stdout.split('\0').filter(Boolean)) {
    const from = join(ROOT, file);
    if (!existsSync(from) || !lstatSync(from).isFile()) continue; // deleted, or the node_modules link
    mkdirSync(dirname(join(src, file)), { recursive: true });
    copyFileSync(from, join(src, file));
  }
  // The build steps the Dockerfile runs, in its order, with its artefact folder moved here.
  for (const step of instructions('RUN').filter((r) => r.startsWith('deploy/build.sh '))) {
    const args = step
      .split(/\s+/)
      .slice(1)
      .map((a) => (a === IMAGE_APP ? app : a));
    await run('bash', ['deploy/build.sh', ...args], {
      cwd: src,
      env: shellEnv(),
      maxBuffer: 64 * 1024 * 1024,
    });
  }
  fake = await FakeSlack.start();
});

afterAll(async () => {
  await fake?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the production install (deploy/build.sh, as the Dockerfile runs it)', () => {
  it('the Dockerfile builds and installs with deploy/build.sh, and nothing else', () => {
    expect(instructions('RUN').filter((r) => r.includes('build.sh'))).toEqual([
      `deploy/build.sh build ${IMAGE_APP}`,
      `deploy/build.sh install ${IMAGE_APP}`,
    ]);
    expect(instructions('COPY')).toContain(`--from=build ${IMAGE_APP} ${IMAGE_APP}`);
    expect(instructions('WORKDIR').at(-1)).toBe(IMAGE_APP);
  });

  it('holds the compiled bot, its migrations and production dependencies only', () => {
    for (const file of [
      'dist/cli.js',
      'drizzle/meta/_journal.json',
      'LICENSE',
      'CHANGELOG.md',
      '.env.example',
    ]) {
      expect(existsSync(join(app, file)), file).toBe(true);
    }
    expect(existsSync(join(app, 'src'))).toBe(false);
    // Every package the lockfile marks as needed only for development is left out (types that
    // are also an optional peer of a dependency, "devOptional", may stay: npm installs those).
    const devOnly = Object.entries(LOCK.packages).filter(
      ([path, entry]) => path !== '' && entry.dev === true,
    );
    expect(devOnly.map(([path]) => path)).toEqual(
      expect.arrayContaining(['node_modules/typescript', 'node_modules/tsx', 'node_modules/vitest']),
    );
    for (const [path] of devOnly) expect(existsSync(join(app, path)), path).toBe(false);
    for (const name of ['better-sqlite3', '@napi-rs/canvas', 'dejavu-fonts-ttf']) {
      expect(existsSync(join(app, 'node_modules', name)), name).toBe(true);
    }
  });

  it('says its version', async () => {
    const { stdout } = await run('node', ['dist/cli.js', '--version'], { cwd: app, env: shellEnv() });
    expect(stdout).toBe(`${PACKAGE.version}\n`);
  });

  it('starts as the image does, answers /healthz (the HEALTHCHECK passes), posts a lead, stops on SIGTERM', async () => {
    const [command = '', ...args] = [...execForm('ENTRYPOINT'), ...execForm('CMD')];
    expect([command, ...args]).toEqual(['node', 'dist/cli.js', 'start']);
    const env = testEnv(fake, join(work, 'data', 'leadloop.db'), { HOST: '127.0.0.1' });
    const bot = spawnProcess(command, args, env, app);
    try {
      const port = await runningPort(bot);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

      const healthcheck = execForm('HEALTHCHECK');
      const check = () =>
        run(healthcheck[0] ?? '', healthcheck.slice(1), {
          env: { PATH: process.env.PATH, PORT: String(port) },
        }).then(
          () => 0,
          (error: { code?: number }) => error.code ?? -1,
        );
      expect(await check()).toBe(0);

      const res = await fetch(`http://127.0.0.1:${port}/leads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(lead()),
      });
      expect(res.status).toBe(202);
      await waitFor('the lead to be posted', () => fake.messages(LEADS_CHANNEL).length === 1);

      bot.child.kill('SIGTERM');
      expect(await bot.exited).toEqual({ code: 0, signal: null });
      expect(await check()).toBe(1);
    } finally {
      bot.child.kill('SIGKILL');
    }
  });

  it('draws the digest chart with the shipped font and the canvas binary', async () => {
    const chart = join(work, 'chart.png');
    await run('node', [join(app, 'dist/cli.js'), 'digest', '--dry-run', '--chart', chart], {
      cwd: work,
      env: { PATH: process.env.PATH, DATABASE_PATH: join(work, 'data', 'leadloop.db') },
    });
    expect(readFileSync(chart).subarray(1, 4).toString()).toBe('PNG');
  });
});
