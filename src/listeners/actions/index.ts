import type { App } from '@slack/bolt';
import { ActionId } from '../../slack/ids.js';
import { openCrm } from './openCrm.js';

export function register(app: App): void {
  app.action(ActionId.openCrm, openCrm);
}
