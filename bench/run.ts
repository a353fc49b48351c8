import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import type { BenchContext } from './lib/context.js';
import { ENV_HELP, readOptions } from './lib/options.js';
import { OUT_DIR, REPO_DIR } from './lib/paths.js';
import { type MeasureReport, renderReport, renderTable } from './lib/report.js';
import { killAllTargetsNow, stopAllTargets } from './lib/targets.js';
import { MEASURES } from './measures/index.js';

const USAGE = `Usage: npm run bench -- [--quick] [--strict] [measure ...]

Measures (all those marked * when none is named):
${MEASURES.map((m) => `  ${m.byDefault ? '*' : ' '} ${m.name.padEnd(10)} ${m.title}`).join('\n')}

--quick   a smoke run at a small scale (seconds, not minutes)
--strict  exit 1 when a target is missed (for CI); without it only errors exit non-zero

${ENV_HELP}

Results: a table per measure on stdout, JSON in bench/out/latest.json (and a timestamped copy).`;

/** Which code was measured: the commit, and the files under src/ that differ from it. */
function sourceVersion(): { commit: string | undefined; changedSrcFiles: string[] } {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: REPO_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    return {
      commit: git('rev-parse', 'HEAD').trim(),
      changedSrcFiles: git('status', '--porcelain', '--', 'src')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.slice(3)),
    };
  } catch {
    return { commit: undefined, changedSrcFiles: [] };
  }
}

async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith('-')));
  const names = argv.filter((a) => !a.startsWith('-'));
  if (flags.has('--help') || flags.has('-h')) {
    console.log(USAGE);
    return 0;
  }
  const unknownFlags = [...flags].filter((f) => f !== '--quick' && f !== '--strict');
  const unknownNames = names.filter((n) => !MEASURES.some((m) => m.name === n));
  if (unknownFlags.length > 0 || unknownNames.length > 0) {
    console.error(`Unknown ${[...unknownFlags, ...unknownNames].join(', ')}.\n\n${USAGE}`);
    return 2;
  }
  const options = readOptions(process.env, flags.has('--quick'));
  const selected =
    names.length > 0 ? MEASURES.filter((m) => names.includes(m.name)) : MEASURES.filter((m) => m.byDefault);
  const startedAt = new Date();
  const source = sourceVersion();
  const began = performance.now();
  const ctx: BenchContext = {
    options,
    progress: (message) =>
      process.stderr.write(`[${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s] ${message}\n`),
  };
  ctx.progress(
    `Leadloop bench${options.quick ? ' (quick)' : ''}: ${selected.map((m) => m.name).join(', ')} on Node ${process.version}, ${cpus().length} cores, ` +
      `code at ${source.commit?.slice(0, 7) ?? 'unknown commit'}${source.changedSrcFiles.length > 0 ? ` + uncommitted changes in ${source.changedSrcFiles.join(', ')}` : ''}`,
  );
  const loadAtStart = loadavg();
  if ((loadAtStart[0] ?? 0) > cpus().length / 2) {
    ctx.progress(
      `warning: load average is ${loadAtStart[0]?.toFixed(1)} on ${cpus().length} cores: something else is busy, numbers will be noisy (the "vs bare" ratios less so)`,
    );
  }

  const reports: MeasureReport[] = [];
  const failures: { measure: string; error: string }[] = [];
  for (const measure of selected) {
    try {
      const report = await measure.run(ctx);
      reports.push(report);
      console.log(renderReport(report));
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      failures.push({ measure: measure.name, error: message });
      console.error(`\n== ${measure.name}: ERROR ==\n${message}`);
      await stopAllTargets();
    }
  }

  const checks = reports.flatMap((r) => r.checks.map((c) => ({ measure: r.name, ...c })));
  if (checks.length > 0) {
    console.log(
      `\n${renderTable({
        title: '== Summary ==',
        columns: ['measure', 'check', 'target', 'actual', 'result'],
        rows: checks.map((c) => [c.measure, c.label, c.target, c.actual, c.pass ? 'PASS' : 'FAIL']),
      })}`,
    );
  }
  const durationS = (performance.now() - began) / 1000;
  const result = {
    startedAt: startedAt.toISOString(),
    durationS,
    quick: options.quick,
    source,
    machine: {
      node: process.version,
      platform: process.platform,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      totalMemBytes: totalmem(),
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadavg(),
    },
    options,
    measures: Object.fromEntries(
      reports.map((r) => [
        r.name,
        { title: r.title, checks: r.checks, notes: r.notes, tables: r.tables, data: r.data },
      ]),
    ),
    failures,
    pass: failures.length === 0 && checks.every((c) => c.pass),
  };
  mkdirSync(OUT_DIR, { recursive: true });
  const json = `${JSON.stringify(result, null, 2)}\n`;
  const latest = join(OUT_DIR, 'latest.json');
  writeFileSync(latest, json);
  writeFileSync(
    join(
      OUT_DIR,
      `run-${startedAt.toISOString().replace(/[:.]/g, '-')}${options.quick ? '-quick' : ''}.json`,
    ),
    json,
  );
  console.log(
    `\n${checks.filter((c) => c.pass).length}/${checks.length} targets met, ${failures.length} measure error(s), ${durationS.toFixed(0)} s. JSON: ${relative(REPO_DIR, latest)}`,
  );
  if (failures.length > 0) return 1;
  return flags.has('--strict') && !result.pass ? 1 : 0;
}

let exiting = false;
const interrupt = (signal: string) => {
  if (exiting) return;
  exiting = true;
  process.stderr.write(`\n${signal}: stopping the servers under test…\n`);
  stopAllTargets().finally(() => process.exit(130));
};
process.once('SIGINT', () => interrupt('SIGINT'));
process.once('SIGTERM', () => interrupt('SIGTERM'));
process.once('exit', killAllTargetsNow);

const code = await main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  return 1;
});
await stopAllTargets();
// Explicit: a stray handle (a keep-alive socket in fetch's pool) must not keep the bench alive.
process.exit(code);
