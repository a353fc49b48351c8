import type { App } from '@slack/bolt';
import * as actions from './actions/index.js';

export function registerListeners(app: App): void {
  actions.register(app);
}
