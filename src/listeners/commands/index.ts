import type { App } from '@slack/bolt';
import { type LeadstatsDeps, leadstats } from './leadstats.js';

export const LEADSTATS_COMMAND = '/leadstats';

export function register(app: App, deps: LeadstatsDeps): void {
  app.command(LEADSTATS_COMMAND, leadstats(deps));
}
