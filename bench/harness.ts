import fs from 'node:fs';
import path from 'node:path';

/// One figure a suite reports. `baseline` names what a ratio is measured against.
export interface Metric {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: string | null;
}

export interface Suite {
  readonly name: string;
  readonly description: string;
  run(log: (line: string) => void): Promise<Metric[]>;
}

export const resultsDir = path.resolve(import.meta.dirname, 'results');

export function printTable(suite: string, metrics: readonly Metric[]): void {
  const rows = metrics.map((m) => [m.metric, formatValue(m.value), m.unit, m.baseline ?? '']);
  const header = ['metric', 'value', 'unit', 'baseline'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(`\n== ${suite}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

export function writeResults(suite: string, metrics: readonly Metric[]): string {
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${suite}.json`);
  fs.writeFileSync(file, JSON.stringify(metrics, null, 2) + '\n');
  return file;
}

function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3);
}

/// CPU time (user + system) of this process in milliseconds.
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
