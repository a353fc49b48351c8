/**
 * Coded errors. Each message says what went wrong and what to do next; the code lets callers
 * (and tests) tell them apart without parsing text.
 */
export abstract class LeadloopError extends Error {
  abstract readonly code: string;
}

export class ConfigError extends LeadloopError {
  readonly code = 'leadloop_config_error';
  constructor(readonly problems: string[]) {
    super(`The configuration has ${problems.length} problem(s):\n${problems.join('\n')}`);
  }
}

export class DatabaseOpenError extends LeadloopError {
  readonly code = 'leadloop_database_open_error';
}

export class UsageError extends LeadloopError {
  readonly code = 'leadloop_usage_error';
}

export class SlackStartError extends LeadloopError {
  readonly code = 'leadloop_slack_start_error';
}

export class CsvFormatError extends LeadloopError {
  readonly code = 'leadloop_csv_format_error';
}

/** A /leadstats query that its worker thread could not answer (it failed, crashed or was stopped). */
export class StatsThreadError extends LeadloopError {
  readonly code = 'leadloop_stats_thread_error';
}

/** A database file that cannot be backed up, checked or restored; the message says what to do. */
export class DatabaseFileError extends LeadloopError {
  readonly code = 'leadloop_database_file_error';
}

/** `leadloop start` while another Leadloop holds the database's lease; the message names it. */
export class InstanceRunningError extends LeadloopError {
  readonly code = 'leadloop_instance_running';
}

/** The HTTP server could not listen (the port is taken, or not allowed); the message says what to change. */
export class ListenError extends LeadloopError {
  readonly code = 'leadloop_listen_error';
}

/** The database file was deleted or replaced under the running bot: nothing written now would be kept. */
export class DatabaseGoneError extends LeadloopError {
  readonly code = 'leadloop_database_gone';
}

/**
 * The database cannot take a write now (another process holds its lock, the disk is full, the
 * file is gone or read-only). Requests that would store something answer 503 so that the sender
 * retries; the message says what an operator should look at.
 */
export class StorageUnavailableError extends LeadloopError {
  readonly code = 'leadloop_storage_unavailable';
}
