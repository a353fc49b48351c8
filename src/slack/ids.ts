/**
 * Every action, block and callback id the bot sends and listens for, in one place, so builders
 * and listeners cannot drift apart.
 */
export const ActionId = {
  accept: 'lead_accept',
  reject: 'lead_reject',
  openCrm: 'lead_open_crm',
  /** The reason menu in the ephemeral / DM prompt after a reject reaction. */
  promptReason: 'prompt_reason',
  /** "Add a note…" in that prompt: opens the reason modal. */
  promptNote: 'prompt_note',
  /** Inputs inside the reason modal. */
  modalReason: 'modal_reason',
  modalNote: 'modal_note',
} as const;

export const BlockId = {
  leadActions: 'lead_actions',
  modalReason: 'reason',
  modalNote: 'note',
} as const;

export const CallbackId = {
  rejectModal: 'reject_reason',
} as const;

/** Message metadata event type on every lead post: lets an in-doubt post be found in history. */
export const LEAD_POST_EVENT_TYPE = 'leadloop_lead_posted';
