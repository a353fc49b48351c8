import { type Config, parseConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { type CheckResult, checkIngestToken } from './checks.js';

type Env = Record<string, string | undefined>;

/**
 * The configuration as doctor sees it: what parseConfig('run') would refuse (`problems`, in
 * config.ts's own words), and a Config built from the settings that are valid, so that every
 * other check still runs when part of the configuration is wrong.
 */
export interface DoctorSettings {
  config: Config;
  problems: string[];
  /**
   * The mode the person asked for. config.ts picks Socket Mode when SLACK_APP_TOKEN is set; a
   * malformed SLACK_APP_TOKEN is left out of `config`, but it still says "Socket Mode".
   */
  mode: 'http' | 'socket';
}

/**
 * config.ts's problems start with the variable they are about ("PORT must be …"); one names two
 * ("ACCEPT_EMOJIS and REJECT_EMOJIS both contain …").
 */
const LEADING_VARIABLES = /^([A-Z][A-Z0-9_]*)(?: and ([A-Z][A-Z0-9_]*))?\b/;

export function problemVariable(problem: string): string | undefined {
  return LEADING_VARIABLES.exec(problem)?.[1];
}

function problemVariables(problem: string): string[] {
  const match = LEADING_VARIABLES.exec(problem);
  return [match?.[1], match?.[2]].filter((v): v is string => v !== undefined);
}

export function problemsAbout(problems: readonly string[], variables: readonly string[]): string[] {
  return problems.filter((p) => variables.includes(problemVariable(p) ?? ''));
}

export function readDoctorSettings(env: Env): DoctorSettings {
  const mode = (env.SLACK_APP_TOKEN ?? '').trim() !== '' ? 'socket' : 'http';
  try {
    return { config: parseConfig(env, 'run'), problems: [], mode };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { config: validPart(env), problems: error.problems, mode };
  }
}

/**
 * Drops the variables config.ts complains about until the rest parses; a dropped variable takes
 * its default (or stays unset), which the checks then report together with the problem.
 */
function validPart(env: Env): Config {
  let rest = { ...env };
  for (;;) {
    try {
      return parseConfig(rest, 'local');
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const named = error.problems.flatMap(problemVariables).filter((v) => rest[v] !== undefined);
      if (named.length === 0) return parseConfig({}, 'local');
      rest = Object.fromEntries(Object.entries(rest).filter(([key]) => !named.includes(key)));
    }
  }
}

/** Variables that have a check of their own; problems with any other variable get a line each. */
export const CHECKED_VARIABLES = [
  'SLACK_BOT_TOKEN',
  'SLACK_API_URL',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'LEADS_CHANNEL_ID',
  'DIGEST_CHANNEL_IDS',
  'DATABASE_PATH',
  'INGEST_TOKEN',
];

/** One failed line per problem with a setting no other check covers (PORT, TIMEZONE, …). */
export function checkOtherSettings(settings: DoctorSettings): CheckResult[] {
  const others = settings.problems.filter((p) => !CHECKED_VARIABLES.includes(problemVariable(p) ?? ''));
  if (others.length === 0) {
    const { config } = settings;
    return [
      {
        name: 'Settings',
        status: 'ok',
        detail: `valid (PORT ${config.port}, TIMEZONE ${config.timezone}, DIGEST_CRON "${config.digestCron}", DECISION_SLA_HOURS ${config.decisionSlaHours})`,
      },
    ];
  }
  return others.map((problem) => ({ name: 'Settings', status: 'fail', detail: problem }));
}

export function checkIngestSetting(settings: DoctorSettings): CheckResult {
  return checkIngestToken(settings.config.ingestToken, problemsAbout(settings.problems, ['INGEST_TOKEN']));
}
