import type { App } from '@slack/bolt';
import type { DecisionService } from '../../services/decisions.js';
import { reactionAdded, reactionRemoved } from './reactions.js';

export function register(app: App, deps: { decisions: DecisionService }): void {
  app.event('reaction_added', reactionAdded(deps.decisions));
  app.event('reaction_removed', reactionRemoved(deps.decisions));
}
