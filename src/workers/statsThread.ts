import { parentPort, workerData } from 'node:worker_threads';
import type { StatsQuery } from '../domain/statsCommand.js';
import { StatsService, type StatsSettings } from '../services/stats.js';
import { openDatabase } from '../storage/db.js';
import { StatsStore } from '../storage/stats.js';
import type { StatsThreadData, StatsThreadReply, StatsThreadRequest } from './statsProtocol.js';

/**
 * The /leadstats worker thread: its own connection to the database (WAL lets it read while the
 * main thread writes) and its own StatsService. "Now" comes with each request from the main
 * thread's clock, so the answer is the one the main thread would have computed.
 */

const { databasePath, settings } = workerData as StatsThreadData;
let now = 0;
const db = openDatabase(databasePath, { migrate: false });
const service = new StatsService(
  { stats: new StatsStore(db), clock: { now: () => now } },
  settings satisfies StatsSettings,
);

parentPort?.on('message', (request: StatsThreadRequest) => {
  let reply: StatsThreadReply;
  try {
    now = request.now;
    reply = { id: request.id, outcome: service.run(request.query satisfies StatsQuery) };
  } catch (error) {
    reply = {
      id: request.id,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  }
  parentPort?.postMessage(reply);
});
parentPort?.once('close', () => db.$client.close());
