import { systemClock } from '../clock.js';
import { ConfigError, LeadloopError, UsageError } from '../errors.js';
import { leadloopVersion, unsupportedNode } from '../version.js';
import { ATTENTION_HELP, attentionCommand } from './attention.js';
import { BACKUP_HELP, backupCommand } from './backup.js';
import { DIGEST_HELP, digestCommand } from './digest.js';
import { DOCTOR_HELP, doctorCommand } from './doctor.js';
import { IMPORT_HELP, importCommand } from './import.js';
import { type CommandIo, line } from './io.js';
import { MIGRATE_HELP, migrateCommand } from './migrate.js';
import { RECONCILE_HELP, reconcileCommand } from './reconcile.js';
import { RESTORE_HELP, restoreCommand } from './restore.js';
import { RETENTION_HELP, retentionCommand } from './retention.js';
import { START_HELP, startCommand } from './start.js';
import { STATS_HELP, statsCommand } from './stats.js';

const USAGE = `Leadloop: marketing's leads in Slack, sales' verdicts in numbers.

Usage: leadloop <command> [options]      (from a checkout: npm run leadloop -- <command>)

Commands:
  start                  run the bot (Slack listener, POST /leads, lead poster)
  migrate                create or upgrade the database
  import <file.csv>      import leads from a CRM export, with a progress bar
  attention list|show|retry|drop  leads from marketing tools that could not be stored: see, retry, drop
  reconcile [--since 7d] record decisions whose Slack events were lost, from the posts' reactions
  stats [words] [--json|--csv]  acceptance rates by campaign, as /leadstats shows them
  digest --dry-run|--send [--week 2026-W47] [--force]  the weekly digest: print it, or send it now
  doctor                 check the configuration against Slack and this machine, and say what to fix
  backup <file> [--force]  copy the database to <file>, safely while the bot runs, and check the copy
  restore <file>         replace the database with a backup (stop the bot first); the old one is kept aside
  retention [--dry-run]  erase now the personal fields of leads older than RETENTION_DAYS
  help [command]         show help for a command
  --version, -v          print Leadloop's version

Configuration is read from the environment and .env; see .env.example.`;

const HELP: Record<string, string> = {
  start: START_HELP,
  migrate: MIGRATE_HELP,
  import: IMPORT_HELP,
  attention: ATTENTION_HELP,
  reconcile: RECONCILE_HELP,
  stats: STATS_HELP,
  digest: DIGEST_HELP,
  doctor: DOCTOR_HELP,
  backup: BACKUP_HELP,
  restore: RESTORE_HELP,
  retention: RETENTION_HELP,
};

export async function runCli(argv: string[], io: CommandIo, signals: NodeJS.EventEmitter): Promise<number> {
  const [command, ...args] = argv;
  const oldNode = unsupportedNode();
  if (oldNode !== undefined) {
    line(io.stderr, oldNode);
    return 1;
  }
  try {
    if (args.includes('--help') || args.includes('-h')) {
      line(io.stdout, (command && HELP[command]) ?? USAGE);
      return 0;
    }
    switch (command) {
      case 'start':
        return await startCommand(args, io, systemClock, signals);
      case 'digest':
        return await digestCommand(args, io, systemClock);
      case 'stats':
        return await statsCommand(args, io, systemClock);
      case 'migrate':
        return await migrateCommand(args, io);
      case 'import':
        return await importCommand(args, io, systemClock);
      case 'attention':
        return await attentionCommand(args, io, systemClock);
      case 'reconcile':
        return await reconcileCommand(args, io, systemClock);
      case 'doctor':
        return await doctorCommand(args, io);
      case 'backup':
        return await backupCommand(args, io);
      case 'restore':
        return await restoreCommand(args, io, systemClock);
      case 'retention':
        return await retentionCommand(args, io, systemClock);
      case '--version':
      case '-v':
      case 'version':
        line(io.stdout, leadloopVersion());
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        line(io.stdout, (args[0] && HELP[args[0]]) ?? USAGE);
        return 0;
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      line(io.stderr, 'Leadloop cannot start: fix these settings (environment or .env) and run again:');
      for (const problem of error.problems) line(io.stderr, `  - ${problem}`);
      return 1;
    }
    const parseArgsError = String((error as { code?: unknown })?.code ?? '').startsWith('ERR_PARSE_ARGS');
    if (error instanceof UsageError || parseArgsError) {
      line(io.stderr, (error as Error).message);
      line(io.stderr, '');
      line(io.stderr, (command && HELP[command]) ?? USAGE);
      return 2;
    }
    if (error instanceof LeadloopError) {
      line(io.stderr, `Leadloop: ${error.message}`);
      return 1;
    }
    line(io.stderr, `Leadloop stopped on an unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    return 1;
  }
}
