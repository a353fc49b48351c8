import type { App } from '@slack/bolt';
import type { Logger } from '@slack/logger';
import type { DecisionService } from '../../services/decisions.js';
import { CallbackId } from '../../slack/ids.js';
import { rejectReasonSubmitted } from './rejectReason.js';

export function register(app: App, deps: { decisions: DecisionService; logger: Logger }): void {
  app.view(CallbackId.rejectModal, rejectReasonSubmitted(deps.decisions, deps.logger));
}
