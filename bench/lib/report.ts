/** What a measure hands back: tables to print, targets checked, and the raw data for the JSON. */

export type Cell = string | number;

export interface Table {
  title?: string;
  columns: string[];
  rows: Cell[][];
}

export interface Check {
  label: string;
  target: string;
  actual: string;
  pass: boolean;
}

export interface MeasureReport {
  name: string;
  title: string;
  tables: Table[];
  checks: Check[];
  notes: string[];
  data: unknown;
}

export const fmt = {
  ms: (v: number) =>
    Number.isFinite(v) ? (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)) : '—',
  int: (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—'),
  mib: (bytes: number) => (Number.isFinite(bytes) ? (bytes / 1024 / 1024).toFixed(1) : '—'),
  ratio: (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)}%` : '—'),
};

export function renderTable(table: Table): string {
  const cells = [table.columns, ...table.rows.map((row) => row.map(String))];
  const widths = table.columns.map((_, c) => Math.max(...cells.map((row) => String(row[c] ?? '').length)));
  const line = (row: Cell[]) =>
    row
      .map((cell, c) => {
        const text = String(cell);
        // Numbers right-aligned, words left-aligned.
        return /^[-+]?[\d,.]+[%x]?$|^—$/.test(text)
          ? text.padStart(widths[c] ?? 0)
          : text.padEnd(widths[c] ?? 0);
      })
      .join('  ')
      .trimEnd();
  const out: string[] = [];
  if (table.title) out.push(table.title);
  out.push(line(table.columns), widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table.rows) out.push(line(row));
  return out.join('\n');
}

export function renderReport(report: MeasureReport): string {
  const out = [`\n== ${report.name}: ${report.title} ==`];
  for (const table of report.tables) out.push('', renderTable(table));
  if (report.checks.length > 0) {
    out.push(
      '',
      renderTable({
        title: 'Targets',
        columns: ['check', 'target', 'actual', 'result'],
        rows: report.checks.map((c) => [c.label, c.target, c.actual, c.pass ? 'PASS' : 'FAIL']),
      }),
    );
  }
  for (const note of report.notes) out.push(`note: ${note}`);
  return out.join('\n');
}
