import type { App } from '@slack/bolt';
import type { Logger } from '@slack/logger';
import type { DecisionService } from '../services/decisions.js';
import type { StatsRunner } from '../workers/statsRunner.js';
import * as actions from './actions/index.js';
import * as commands from './commands/index.js';
import * as events from './events/index.js';
import * as views from './views/index.js';

export interface ListenerDeps {
  decisions: DecisionService;
  stats: StatsRunner;
  logger: Logger;
  workspaceUrl: string | undefined;
}

export function registerListeners(app: App, deps: ListenerDeps): void {
  actions.register(app, deps);
  commands.register(app, deps);
  events.register(app, deps);
  views.register(app, deps);
}
