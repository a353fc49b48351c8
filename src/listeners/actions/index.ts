import type { App } from '@slack/bolt';
import type { DecisionService } from '../../services/decisions.js';
import { ActionId } from '../../slack/ids.js';
import { acceptButton, promptNote, promptReason, rejectButton } from './decide.js';
import { openCrm } from './openCrm.js';

export function register(app: App, deps: { decisions: DecisionService }): void {
  app.action(ActionId.openCrm, openCrm);
  app.action(ActionId.accept, acceptButton(deps.decisions));
  app.action(ActionId.reject, rejectButton(deps.decisions));
  app.action(ActionId.promptReason, promptReason(deps.decisions));
  app.action(ActionId.promptNote, promptNote(deps.decisions));
}
