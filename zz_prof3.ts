import { medianOfSortedChunks, concatNumbers } from './src/domain/stats.ts';
import { openDatabase } from './src/storage/db.ts';
import { StatsStore } from './src/storage/stats.ts';
const db = openDatabase('/work/main/bench/out/stats/leads-1000000.db');
const now = Date.UTC(2026, 10, 16, 17, 0);
const store = new StatsStore(db);
const cohort = { start: Date.UTC(2024, 10, 16), end: Date.UTC(2026, 10, 17) };
const m = (label: string, fn: () => unknown) => { const ts: number[] = []; for (let i = 0; i < 9; i++) { const t = performance.now(); fn(); ts.push(performance.now() - t); } ts.sort((a, b) => a - b); console.log(label.padEnd(30), ts[4].toFixed(1), 'max', ts[8].toFixed(1)); };
const cells = store.cohortCells(cohort, now, 86400000);
const reps = store.repCells(cohort, now);
const byCampaign = new Map<number, Float64Array[]>();
for (const c of cells) { const l = byCampaign.get(c.campaignId) ?? []; l.push(...c.times); byCampaign.set(c.campaignId, l); }
m('campaign medians', () => { for (const l of byCampaign.values()) medianOfSortedChunks(l); });
m('overall median', () => medianOfSortedChunks(cells.flatMap((c) => c.times)));
m('rep medians', () => { for (const r of reps) medianOfSortedChunks(r.times); });
console.log('rep chunks', reps.map(r => r.times.length).slice(0,5));
