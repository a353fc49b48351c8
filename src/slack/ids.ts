/**
 * Every action, block and callback id the bot sends and listens for, in one place, so builders
 * and listeners cannot drift apart.
 */
export const ActionId = {
  accept: 'lead_accept',
  reject: 'lead_reject',
  openCrm: 'lead_open_crm',
} as const;

export const BlockId = {
  leadActions: 'lead_actions',
} as const;

/** Message metadata event type on every lead post: lets an in-doubt post be found in history. */
export const LEAD_POST_EVENT_TYPE = 'leadloop_lead_posted';
