import { expect } from 'vitest';
import { lead, type TestBot } from './app.js';

/**
 * What a full disk must look like from outside, whether the disk is really full (a tmpfs) or
 * SQLite is kept from growing: a batch of leads is refused with 503 naming the disk, and
 * /healthz says so too. Returns the refused batch, for the sender's retry.
 */
export async function expectFullDiskRefusals(bot: TestBot): Promise<ReturnType<typeof lead>[]> {
  const many = Array.from({ length: 300 }, (_, i) =>
    lead({ externalId: `full-${i}`, notes: 'x'.repeat(2000) }),
  );
  const ingest = await bot.ingest(many);
  expect(ingest.status).toBe(503);
  expect(((await ingest.json()) as { message: string }).message).toContain('disk');
  const health = await fetch(`${bot.baseUrl}/healthz`);
  expect(health.status).toBe(503);
  expect(((await health.json()) as { dbError?: string }).dbError).toContain('disk');
  return many;
}
