// What the API logged during the soak, by kind: its errors and warnings (pino JSON lines), apart
// from the agent_offline answers the soak causes on purpose (the load counts those itself).
import { readFile } from 'node:fs/promises';

const EXPECTED = /^agent_offline: /;

export async function apiLogDigest(file) {
  const text = await readFile(file, 'utf8').catch(() => '');
  const errors = {};
  const warnings = {};
  let unparsed = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      unparsed++;
      continue;
    }
    if (entry.level < 40 || EXPECTED.test(entry.err?.message ?? '')) continue;
    const what = `${entry.msg}${entry.err ? `: ${String(entry.err.message).trim().split('\n').at(-1).slice(0, 200)}` : ''}`;
    const into = entry.level >= 50 ? errors : warnings;
    into[what] = (into[what] ?? 0) + 1;
  }
  const top = (counts) =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([what, count]) => ({ what, count }));
  const total = (counts) => Object.values(counts).reduce((sum, n) => sum + n, 0);
  return {
    errors: total(errors),
    warnings: total(warnings),
    topErrors: top(errors),
    topWarnings: top(warnings),
    linesNotJson: unparsed,
  };
}
