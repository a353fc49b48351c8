import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LeadInput, leadInputSchema } from '../../src/domain/lead.js';
import { type AttentionInput, AttentionStore } from '../../src/storage/attention.js';
import { type Db, openDatabase } from '../../src/storage/db.js';
import { Store } from '../../src/storage/store.js';
import { tempDir } from '../harness/app.js';

const NOW = Date.UTC(2026, 10, 20, 14, 0);

function leads(...bodies: Record<string, unknown>[]): LeadInput[] {
  return bodies.map((b) => leadInputSchema.parse({ name: 'Ana Silva', campaign: 'Webinar A', ...b }));
}

function item(overrides: Partial<AttentionInput> = {}): AttentionInput {
  return {
    profile: 'hubspot',
    raw: '{"properties":{"email":{"value":"ana@acme.io"}}}',
    itemIndex: 0,
    itemCount: 1,
    who: 'ana@acme.io',
    reason: 'no campaign: map one or use ?campaign=',
    issues: [{ index: 0, path: 'campaign', message: 'is required' }],
    ...overrides,
  };
}

let temp: ReturnType<typeof tempDir>;
let db: Db;
let store: Store;
let attention: AttentionStore;

const count = (table: 'leads' | 'needs_attention') =>
  (db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

beforeEach(() => {
  temp = tempDir();
  db = openDatabase(join(temp.dir, 'leadloop.db'));
  store = new Store(db);
  attention = new AttentionStore(db);
});

afterEach(() => {
  if (db.$client.open) db.$client.close();
  temp.cleanup();
});

describe('AttentionStore', () => {
  it('stores the leads and the items of several requests together, each with its own results', () => {
    const stored = attention.storeIntake(
      store,
      [
        { leads: leads({ email: 'a@x.io' }), attention: [item({ itemIndex: 1, itemCount: 2 })] },
        { leads: [], attention: [item({ who: undefined })] },
      ],
      NOW,
    );
    expect(stored[0]?.results).toEqual([{ id: expect.any(String), status: 'queued' }]);
    expect(stored[0]?.attentionIds).toHaveLength(1);
    expect(stored[1]?.results).toEqual([]);
    expect(count('leads')).toBe(1);
    const open = attention.open();
    expect(open.map((o) => o.id)).toEqual([
      ...(stored[0]?.attentionIds ?? []),
      ...(stored[1]?.attentionIds ?? []),
    ]);
    expect(open[0]).toMatchObject({
      state: 'open',
      profile: 'hubspot',
      itemIndex: 1,
      itemCount: 2,
      receivedAt: NOW,
      issues: [{ index: 0, path: 'campaign', message: 'is required' }],
    });
    expect(open[1]?.who).toBeNull();
  });

  it('stores nothing at all when the transaction fails', () => {
    const bad = { ...item(), raw: null as unknown as string };
    expect(() => attention.storeIntake(store, [{ leads: leads({}), attention: [bad] }], NOW)).toThrow();
    expect(count('leads')).toBe(0);
    expect(count('needs_attention')).toBe(0);
  });

  it('counts open items since the last announcement and remembers the announcement', () => {
    const [{ attentionIds } = { attentionIds: [] }] = attention.storeIntake(
      store,
      [{ leads: [], attention: [item(), item({ reason: 'other' }), item()] }],
      NOW,
    );
    expect(attention.lastAnnouncement()).toBeUndefined();
    expect(attention.openSince(0)).toEqual({
      count: 3,
      lastId: attentionIds[2],
      reasons: ['no campaign: map one or use ?campaign=', 'other', 'no campaign: map one or use ?campaign='],
    });
    attention.recordAnnouncement(NOW, attentionIds[1] as number);
    attention.recordAnnouncement(NOW + 1, attentionIds[1] as number);
    expect(attention.lastAnnouncement()).toEqual({ at: NOW + 1, throughId: attentionIds[1] });
    expect(attention.openSince(attentionIds[1] as number).count).toBe(1);
    attention.drop([attentionIds[2] as number], NOW);
    expect(attention.openSince(attentionIds[1] as number)).toMatchObject({ count: 0, reasons: [] });
  });

  it('retries an open item into a lead once; a second retry or a drop changes nothing', () => {
    const [stored] = attention.storeIntake(store, [{ leads: [], attention: [item()] }], NOW);
    const id = stored?.attentionIds[0] as number;
    const first = attention.retryWithLeads(store, id, leads({ email: 'ana@acme.io' }), NOW + 5);
    expect(first).toMatchObject({ ok: true, leadIds: [expect.any(Number)] });
    const leadId = first.ok ? first.leadIds[0] : undefined;
    expect(attention.byId(id)).toMatchObject({
      state: 'retried',
      leadId,
      resolvedAt: NOW + 5,
      retryCount: 1,
    });
    expect(attention.retryWithLeads(store, id, leads({}), NOW + 6)).toEqual({
      ok: false,
      state: 'retried',
      leadId,
    });
    expect(attention.drop([id], NOW + 7)).toEqual([]);
    expect(count('leads')).toBe(1);
    expect(store.leadById(leadId as number)?.postStatus).toBe('queued');
    expect(attention.retryWithLeads(store, 999, leads({}), NOW)).toEqual({ ok: false, state: 'missing' });
  });

  it('keeps a failed retry open with the new reason, and drops keep the row', () => {
    const [stored] = attention.storeIntake(store, [{ leads: [], attention: [item(), item()] }], NOW);
    const [a, b] = stored?.attentionIds ?? [];
    attention.recordFailedRetry(a as number, 'still no campaign', [
      { index: 0, path: 'campaign', message: 'still' },
    ]);
    expect(attention.byId(a as number)).toMatchObject({
      state: 'open',
      reason: 'still no campaign',
      retryCount: 1,
    });
    expect(attention.drop([a as number, b as number, 12345], NOW + 1)).toEqual([a, b]);
    expect(attention.drop([a as number], NOW + 2)).toEqual([]);
    expect(attention.byId(a as number)).toMatchObject({ state: 'dropped', resolvedAt: NOW + 1 });
    expect(attention.open()).toEqual([]);
    expect(count('needs_attention')).toBe(2);
  });
});
