/**
 * An empty Node process that speaks child.ts's IPC protocol, run with plain `node -e` (no tsx):
 * the memory floor of the runtime itself, to tell Node's, tsx's and the app's shares apart.
 * Plain JavaScript in a string because it must run without the TypeScript loader.
 */
export const NODE_FLOOR_SCRIPT = `
const peakRss = () => {
  try {
    const m = /VmHWM:\\s+(\\d+) kB/.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {}
  return process.resourceUsage().maxRSS * 1024;
};
process.on('message', (m) => {
  if (m.type !== 'usage') return;
  if (m.gc && globalThis.gc) { globalThis.gc(); globalThis.gc(); }
  const u = process.memoryUsage();
  const c = process.cpuUsage();
  process.send({ type: 'usage', id: m.id, usage: {
    cpuUserUs: c.user, cpuSystemUs: c.system, rss: u.rss, heapUsed: u.heapUsed, heapTotal: u.heapTotal,
    external: u.external, arrayBuffers: u.arrayBuffers, maxRss: peakRss(),
    gcRan: Boolean(m.gc && globalThis.gc),
  } });
});
const stop = () => process.exit(0);
process.once('SIGTERM', stop);
process.once('disconnect', stop);
process.send({ type: 'ready', port: 0 });
`;
