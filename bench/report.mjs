// The Markdown of a bench report: one row per case and metric with a column per transport, then
// the targets. `pnpm bench` prints it and (a full run of every case) writes it into README.md
// between the `bench:start` and `bench:end` markers.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const TRANSPORT_COLUMNS = ['direct', 'agent', 'ssh -R'];

function table(header, rows) {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

const shown = (row) => (row.skipped ? `skipped: ${row.skipped}` : `${row.value} ${row.unit}`);

/** The cases (transports as columns; other groupings, such as case 5's, as their own columns) and targets. */
export function renderReport(report, { command }) {
  const columns = [...TRANSPORT_COLUMNS];
  for (const row of report.cases) if (!columns.includes(row.transport)) columns.push(row.transport);
  const byKey = new Map();
  for (const row of report.cases) {
    const key = `${row.case}\u0000${row.metric}`;
    if (!byKey.has(key)) byKey.set(key, { case: row.case, metric: row.metric, cells: {} });
    byKey.get(key).cells[row.transport] = shown(row);
  }
  const used = columns.filter((column) => [...byKey.values()].some((entry) => entry.cells[column]));
  const cases = table(
    ['case', 'metric', ...used],
    [...byKey.values()].map((entry) => [
      entry.case,
      entry.metric,
      ...used.map((column) => entry.cells[column] ?? ''),
    ]),
  );
  const targets = table(
    ['target', 'value', 'bound', 'pass'],
    report.targets.map((target) => [
      target.name,
      `${target.value} ${target.unit}`,
      `${target.bound} ${target.unit}`,
      target.pass ? 'yes' : 'no',
    ]),
  );
  const when = `${report.date.slice(0, 10)} ${report.date.slice(11, 16)} UTC`;
  const { cpus, memGiB, node } = report.machine;
  return `Run of ${when} at ${report.commit}, \`${command}\`, on ${cpus} CPUs, ${memGiB} GiB, Node ${node}:\n\n${cases}\n\n${targets}\n`;
}

/** Replaces the block between the markers in README.md. */
export async function writeReadmeBlock(root, markdown) {
  const file = path.join(root, 'README.md');
  const text = await readFile(file, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error('README.md has no bench:start/bench:end block');
  await writeFile(file, `${text.slice(0, from + start.length)}\n${markdown}${text.slice(to)}`);
}
