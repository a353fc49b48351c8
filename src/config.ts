import { existsSync, readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { validate as isValidCron } from 'node-cron';
import { z } from 'zod';
import { DEFAULT_REASONS, type RejectReason, reasonsSchema } from './domain/reasons.js';
import { ConfigError } from './errors.js';
import { parseMapping } from './intake/mapping.js';
import { EMPTY_MAPPING, type LeadMapping } from './intake/types.js';

/**
 * Configuration is read from the environment exactly once, here; nothing else reads `process.env`.
 * Every problem is reported at once, one line each, and no secret value is ever echoed back.
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  slack: {
    botToken: string | undefined;
    signingSecret: string | undefined;
    appToken: string | undefined;
    /** Web API base URL, always ending in `/`; undefined means Slack's own. */
    apiUrl: string | undefined;
    mode: 'http' | 'socket';
  };
  leadsChannelId: string | undefined;
  /** Where "leads need attention" notices go; unset: the leads channel. */
  attentionChannelId: string | undefined;
  digestChannelIds: string[];
  port: number;
  /** The address the HTTP server listens on; undefined means every interface. */
  host: string | undefined;
  ingestToken: string | undefined;
  databasePath: string;
  timezone: string;
  digestCron: string;
  decisionSlaHours: number;
  salesUserIds: string[] | undefined;
  acceptEmojis: string[];
  rejectEmojis: string[];
  logLevel: LogLevel;
  rejectReasons: RejectReason[];
  /** /healthz answers 503 when leads have waited this long and nothing was posted for as long. */
  healthStallMinutes: number;
  /** Days after which a lead's personal fields are erased (by received time); undefined keeps them. */
  retentionDays: number | undefined;
  /** How vendors' properties and columns feed lead fields (LEAD_MAPPING or leadloop.mapping.json). */
  leadMapping: LeadMapping;
}

/** `run` needs everything to talk to Slack; `local` commands (migrate, import, stats) only need storage. */
export type ConfigPurpose = 'run' | 'local';

const CHANNEL_ID = /^[CG][A-Z0-9]{6,}$/;
const USER_ID = /^[UW][A-Z0-9]{6,}$/;
const EMOJI_NAME = /^[a-z0-9_+'-]+$/;
const DEFAULT_ACCEPT_EMOJIS = ['white_check_mark', 'heavy_check_mark'];
const DEFAULT_REJECT_EMOJIS = ['x', 'no_entry_sign'];

/** Blank values count as unset: `.env` files are full of `NAME=` lines. */
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const envSchema = z.object({
  SLACK_BOT_TOKEN: optionalText.refine((v) => v === undefined || v.startsWith('xoxb-'), {
    message:
      'must be a bot token starting with "xoxb-" (Slack app settings › OAuth & Permissions › Bot User OAuth Token)',
  }),
  SLACK_SIGNING_SECRET: optionalText.refine((v) => v === undefined || /^\S{16,}$/.test(v), {
    message:
      'must be the app’s signing secret, 16 or more characters without spaces (Slack app settings › Basic Information › App Credentials)',
  }),
  SLACK_APP_TOKEN: optionalText.refine((v) => v === undefined || v.startsWith('xapp-'), {
    message:
      'must be an app-level token starting with "xapp-" with the connections:write scope (Slack app settings › Basic Information › App-Level Tokens)',
  }),
  SLACK_API_URL: optionalText
    .refine((v) => v === undefined || /^https?:\/\/[^\s/]+/.test(v), {
      message: 'must be an http(s) URL, e.g. https://slack.com/api/ (leave it unset for Slack itself)',
    })
    .transform((v) => (v === undefined || v.endsWith('/') ? v : `${v}/`)),
  LEADS_CHANNEL_ID: optionalText.refine((v) => v === undefined || CHANNEL_ID.test(v), {
    message: 'must be a channel ID such as C0123456789, not a #name (channel details › About › Channel ID)',
  }),
  ATTENTION_CHANNEL_ID: optionalText.refine((v) => v === undefined || CHANNEL_ID.test(v), {
    message:
      'must be a channel ID such as C0123456789, not a #name (channel details › About › Channel ID); leave it unset to use LEADS_CHANNEL_ID',
  }),
  DIGEST_CHANNEL_IDS: optionalText.transform(list).refine((ids) => ids.every((id) => CHANNEL_ID.test(id)), {
    message: 'must be channel IDs separated by commas, e.g. C0123456789,C0987654321',
  }),
  PORT: optionalText
    .refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) <= 65535), {
      message: 'must be a port number from 0 to 65535, e.g. 3000',
    })
    .transform((v) => (v === undefined ? 3000 : Number(v))),
  HOST: optionalText.refine((v) => v === undefined || isIP(v) !== 0, {
    message:
      'must be an IP address to listen on, e.g. 127.0.0.1 (this machine only, behind a reverse proxy) or 0.0.0.0 (every IPv4 interface); leave it unset for every interface',
  }),
  INGEST_TOKEN: optionalText.refine((v) => v === undefined || v.length >= 24, {
    message:
      'must be at least 24 characters so it cannot be guessed; generate one with: openssl rand -hex 24 (or leave it unset to disable POST /leads)',
  }),
  DATABASE_PATH: optionalText.transform((v) => v ?? './data/leadloop.db'),
  TIMEZONE: optionalText
    .refine((v) => v === undefined || isValidTimeZone(v), {
      message: 'must be an IANA time zone name, e.g. Europe/Berlin or America/New_York',
    })
    .transform((v) => v ?? 'UTC'),
  DIGEST_CRON: optionalText
    .refine((v) => v === undefined || isValidCron(v), {
      message: 'must be a cron expression, e.g. "0 9 * * 1" for Mondays at 09:00',
    })
    .transform((v) => v ?? '0 9 * * 1'),
  DECISION_SLA_HOURS: optionalText
    .refine((v) => v === undefined || (/^\d+(\.\d+)?$/.test(v) && Number(v) > 0 && Number(v) <= 8760), {
      message: 'must be a number of hours greater than 0 and at most 8760, e.g. 24',
    })
    .transform((v) => (v === undefined ? 24 : Number(v))),
  SALES_USER_IDS: optionalText
    .transform((v) => (v === undefined ? undefined : list(v)))
    .refine((ids) => ids === undefined || ids.every((id) => USER_ID.test(id)), {
      message:
        'must be Slack user IDs separated by commas, e.g. U0123456789,U0987654321 (profile › ⋮ › Copy member ID)',
    }),
  ACCEPT_EMOJIS: optionalText
    .transform((v) => emojiList(v, DEFAULT_ACCEPT_EMOJIS))
    .refine((names) => names.length > 0 && names.every((n) => EMOJI_NAME.test(n)), {
      message: 'must be emoji names separated by commas, e.g. white_check_mark,heavy_check_mark',
    }),
  REJECT_EMOJIS: optionalText
    .transform((v) => emojiList(v, DEFAULT_REJECT_EMOJIS))
    .refine((names) => names.length > 0 && names.every((n) => EMOJI_NAME.test(n)), {
      message: 'must be emoji names separated by commas, e.g. x,no_entry_sign',
    }),
  REJECT_REASONS: optionalText.transform((v, ctx): RejectReason[] => {
    if (v === undefined) return DEFAULT_REASONS;
    const example =
      'e.g. [{"key":"bad_fit","label":"Bad fit","kind":"disqualify"},{"key":"other","label":"Other","kind":"disqualify","noteRequired":true}]';
    let json: unknown;
    try {
      json = JSON.parse(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be a JSON list of reasons, ${example}` });
      return z.NEVER;
    }
    const parsed = reasonsSchema.safeParse(json);
    if (!parsed.success) {
      const why = parsed.error.issues
        .map((i) => `${i.path.length > 0 ? `item ${i.path.join('.')}: ` : ''}${i.message}`)
        .join('; ');
      ctx.addIssue({ code: 'custom', message: `is not a valid list of reasons (${why}), ${example}` });
      return z.NEVER;
    }
    return parsed.data;
  }),
  HEALTH_STALL_MINUTES: optionalText
    .refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 10080), {
      message: 'must be a whole number of minutes from 1 to 10080, e.g. 15',
    })
    .transform((v) => (v === undefined ? 15 : Number(v))),
  RETENTION_DAYS: optionalText
    .refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 36500), {
      message:
        'must be a whole number of days from 1 to 36500, e.g. 365 (leave it unset to keep personal fields forever)',
    })
    .transform((v) => (v === undefined ? undefined : Number(v))),
  LOG_LEVEL: optionalText
    .refine((v) => v === undefined || (LOG_LEVELS as readonly string[]).includes(v.toLowerCase()), {
      message: `must be one of ${LOG_LEVELS.join(', ')}`,
    })
    .transform((v) => (v?.toLowerCase() ?? 'info') as LogLevel),
});

function emojiList(value: string | undefined, fallback: string[]): string[] {
  if (value === undefined) return fallback;
  return list(value).map((name) => name.replace(/^:|:$/g, '').toLowerCase());
}

type Env = Record<string, string | undefined>;

/**
 * Parses the environment into a Config, or throws a ConfigError listing every problem.
 * `purpose: 'local'` skips the Slack requirements so that `migrate`, `import` and `stats`
 * work on a machine that has only a database.
 */
export function parseConfig(env: Env, purpose: ConfigPurpose = 'run'): Config {
  const result = envSchema.safeParse(env);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}.`);
  const isSet = (name: string) => (env[name] ?? '').trim() !== '';

  if (purpose === 'run') {
    if (!isSet('SLACK_BOT_TOKEN')) {
      problems.push(
        'SLACK_BOT_TOKEN is required: the bot token starting with "xoxb-" (Slack app settings › OAuth & Permissions).',
      );
    }
    if (!isSet('SLACK_APP_TOKEN') && !isSet('SLACK_SIGNING_SECRET')) {
      problems.push(
        'SLACK_SIGNING_SECRET is required in HTTP mode (Slack app settings › Basic Information › Signing Secret); or set SLACK_APP_TOKEN (xapp-…) to use Socket Mode instead.',
      );
    }
    if (!isSet('LEADS_CHANNEL_ID')) {
      problems.push('LEADS_CHANNEL_ID is required: the channel ID where leads are posted, e.g. C0123456789.');
    }
    if (list(env.DIGEST_CHANNEL_IDS).length === 0) {
      problems.push(
        'DIGEST_CHANNEL_IDS is required: the channel IDs (sales and marketing) that get the weekly digest, e.g. C0123456789,C0987654321.',
      );
    }
  }
  const accept = emojiList(optionalText.parse(env.ACCEPT_EMOJIS), DEFAULT_ACCEPT_EMOJIS);
  const reject = emojiList(optionalText.parse(env.REJECT_EMOJIS), DEFAULT_REJECT_EMOJIS);
  const overlap = accept.filter((n) => reject.includes(n));
  if (overlap.length > 0) {
    problems.push(
      `ACCEPT_EMOJIS and REJECT_EMOJIS both contain ${overlap.join(', ')}: an emoji cannot both accept and reject, e.g. ACCEPT_EMOJIS=white_check_mark and REJECT_EMOJIS=x.`,
    );
  }
  const mapping = readMapping(env);
  if (!mapping.ok) problems.push(mapping.problem);
  if (!result.success || !mapping.ok || problems.length > 0) throw new ConfigError(problems);
  const e = result.data;

  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
      mode: e.SLACK_APP_TOKEN ? 'socket' : 'http',
    },
    leadsChannelId: e.LEADS_CHANNEL_ID,
    attentionChannelId: e.ATTENTION_CHANNEL_ID,
    digestChannelIds: e.DIGEST_CHANNEL_IDS,
    port: e.PORT,
    host: e.HOST,
    ingestToken: e.INGEST_TOKEN,
    databasePath: e.DATABASE_PATH,
    timezone: e.TIMEZONE,
    digestCron: e.DIGEST_CRON,
    decisionSlaHours: e.DECISION_SLA_HOURS,
    salesUserIds: e.SALES_USER_IDS,
    acceptEmojis: e.ACCEPT_EMOJIS,
    rejectEmojis: e.REJECT_EMOJIS,
    logLevel: e.LOG_LEVEL,
    rejectReasons: e.REJECT_REASONS,
    healthStallMinutes: e.HEALTH_STALL_MINUTES,
    retentionDays: e.RETENTION_DAYS,
    leadMapping: mapping.mapping,
  };
}

export const DEFAULT_MAPPING_FILE = 'leadloop.mapping.json';
/** Set by readEnvironment only: the text of the mapping file, read next to `.env`. */
const MAPPING_FILE_TEXT = 'LEADLOOP_MAPPING_FILE_TEXT';

/** LEAD_MAPPING (JSON in the environment) or the mapping file; neither means no mapping. */
function readMapping(env: Env): { ok: true; mapping: LeadMapping } | { ok: false; problem: string } {
  const inline = optionalText.parse(env.LEAD_MAPPING);
  const file = optionalText.parse(env.LEAD_MAPPING_FILE);
  const fileText = env[MAPPING_FILE_TEXT];
  if (inline !== undefined && file !== undefined) {
    return {
      ok: false,
      problem: `LEAD_MAPPING and LEAD_MAPPING_FILE are both set: keep one, e.g. LEAD_MAPPING_FILE=./${DEFAULT_MAPPING_FILE}.`,
    };
  }
  let label: string;
  let text: string;
  if (inline !== undefined) {
    label = 'LEAD_MAPPING';
    text = inline;
  } else if (fileText !== undefined) {
    label = file === undefined ? DEFAULT_MAPPING_FILE : `LEAD_MAPPING_FILE ${file}`;
    text = fileText;
  } else if (file !== undefined) {
    return {
      ok: false,
      problem: `LEAD_MAPPING_FILE ${file} cannot be read: no such file (the path is relative to the folder of .env), e.g. LEAD_MAPPING_FILE=./${DEFAULT_MAPPING_FILE}.`,
    };
  } else {
    return { ok: true, mapping: EMPTY_MAPPING };
  }
  const parsed = parseMapping(text);
  return parsed.ok ? parsed : { ok: false, problem: `${label} ${parsed.problem}.` };
}

/**
 * The process environment overlaid on `.env` (when present in `cwd`): a variable set in the
 * environment wins over the file, as with dotenv.
 */
export function readEnvironment(processEnv: Env, cwd: string): Env {
  const file = `${cwd}/.env`;
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  const env: Env = { ...fromFile, ...processEnv };
  delete env[MAPPING_FILE_TEXT];
  // The mapping file lives next to .env: LEAD_MAPPING_FILE, or leadloop.mapping.json when present.
  const mappingFile = resolve(cwd, optionalText.parse(env.LEAD_MAPPING_FILE) ?? DEFAULT_MAPPING_FILE);
  if (statSync(mappingFile, { throwIfNoEntry: false })?.isFile())
    env[MAPPING_FILE_TEXT] = readFileSync(mappingFile, 'utf8');
  return env;
}

/** A Config narrowed to what the running bot needs; parseConfig('run') guarantees these. */
export interface RunConfig extends Config {
  slack: Config['slack'] & { botToken: string };
  leadsChannelId: string;
}

export function asRunConfig(config: Config): RunConfig {
  if (!config.slack.botToken || !config.leadsChannelId) {
    throw new ConfigError(['SLACK_BOT_TOKEN and LEADS_CHANNEL_ID are required to run the bot.']);
  }
  return config as RunConfig;
}
