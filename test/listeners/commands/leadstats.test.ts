import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { describe, expect, it, vi } from 'vitest';
import { StatsThreadError } from '../../../src/errors.js';
import { leadstats } from '../../../src/listeners/commands/leadstats.js';
import { createLogger } from '../../../src/logger.js';

/** The listener called directly, as Bolt calls it, with recording ack and respond. */
function invoke(run: () => Promise<never>) {
  const ack = vi.fn(async () => {});
  const respond = vi.fn(async () => {});
  const handler = leadstats({
    stats: { run },
    logger: createLogger('error', { write: () => {} }),
    workspaceUrl: undefined,
  });
  const args = {
    command: { text: '30d' },
    ack,
    respond,
    client: {},
  } as unknown as SlackCommandMiddlewareArgs & AllMiddlewareArgs;
  return { ack, respond, done: handler(args) };
}

describe('/leadstats listener', () => {
  it('acks first, then tells the user when the numbers cannot be computed, and passes the error on', async () => {
    const failure = new StatsThreadError('The stats thread crashed: out of memory');
    const { ack, respond, done } = invoke(() => Promise.reject(failure));
    await expect(done).rejects.toBe(failure);
    expect(ack).toHaveBeenCalledTimes(1);
    expect(ack.mock.invocationCallOrder[0]).toBeLessThan(respond.mock.invocationCallOrder[0] as number);
    expect(respond).toHaveBeenCalledWith(
      expect.objectContaining({
        response_type: 'ephemeral',
        text: expect.stringMatching(/could not work out/),
      }),
    );
  });
});
