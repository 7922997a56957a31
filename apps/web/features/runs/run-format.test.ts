import type { FlowRunSummary } from '@outpost/protocol/rest/runs';
import { describe, expect, it } from 'vitest';
import { countsText, formatDuration, isActive, runDuration } from './run-format';

const run: FlowRunSummary = {
  id: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a00',
  flow: { id: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a01', name: 'Orders' },
  status: 'running',
  trigger: 'manual',
  triggeredBy: 'ada@example.com',
  counts: { read: 1200, written: 1180, failed: 20 },
  pagesDone: 3,
  error: null,
  createdAt: '2026-11-28T10:00:00.000Z',
  startedAt: '2026-11-28T10:00:01.000Z',
  finishedAt: null,
  durationMs: null,
};

describe('formatDuration', () => {
  it('picks a unit a person reads at a glance', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(1_240)).toBe('1.2 s');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(7_620_000)).toBe('2 h 07 min');
  });
});

describe('runDuration', () => {
  it('counts a running run up to now, and takes a finished one as the API says', () => {
    expect(runDuration(run, new Date('2026-11-28T10:00:04.500Z').getTime())).toBe(3_500);
    expect(runDuration({ ...run, status: 'succeeded', durationMs: 9_000 }, 0)).toBe(9_000);
    expect(runDuration({ ...run, status: 'queued', startedAt: null }, 0)).toBeNull();
  });
});

describe('a run', () => {
  it('is active while queued or running', () => {
    expect(isActive('queued')).toBe(true);
    expect(isActive('running')).toBe(true);
    expect(isActive('cancelled')).toBe(false);
  });

  it('says its counts in one line', () => {
    expect(countsText(run.counts)).toBe('1,200 read · 1,180 written · 20 failed');
  });
});
