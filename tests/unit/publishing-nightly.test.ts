import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PublishService } from '#lib/publishing/service.ts';
import { scheduleNightly } from '#server/nightly.ts';

/** A publisher that records what it was asked; `refuse` makes it answer that one is running. */
function fakeService(builtAt: string, refuse = false) {
  const starts: Date[] = [];
  const service = {
    start: vi.fn(async (request: { kind: string }) => {
      expect(request.kind).toBe('nightly');
      starts.push(new Date());
      return refuse ? { ok: false as const, reason: 'conflict' as const, message: 'A publish is already running.' } : { ok: true as const, publishId: starts.length };
    }),
    live: () => ({ publishId: null, builtAt: new Date(builtAt), manifest: {} }),
    canRestore: () => false,
    settled: async () => undefined,
  } as unknown as PublishService;
  return { service, starts };
}

afterEach(() => vi.useRealTimers());

describe('the nightly rebuild', () => {
  it('runs at the next 00:05 UK time, then every night', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-01T23:30:00Z') });
    const { service, starts } = fakeService('2026-12-01T09:00:00Z');
    const nightly = scheduleNightly(service);
    await vi.advanceTimersByTimeAsync(34 * 60 * 1000); // 00:04
    expect(starts).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * 60 * 1000); // 00:06
    expect(starts.map((d) => d.toISOString())).toEqual(['2026-12-02T00:05:00.000Z']);
    await vi.advanceTimersByTimeAsync(24 * 60 * 60 * 1000);
    expect(starts.map((d) => d.toISOString())).toEqual(['2026-12-02T00:05:00.000Z', '2026-12-03T00:05:00.000Z']);
    nightly.stop();
  });

  it('catches up a minute after start when the live build is older than the last 00:05', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-02T08:00:00Z') });
    const { service, starts } = fakeService('2026-12-01T09:00:00Z');
    const nightly = scheduleNightly(service);
    await vi.advanceTimersByTimeAsync(61 * 1000);
    expect(starts.map((d) => d.toISOString())).toEqual(['2026-12-02T08:01:00.000Z']);
    nightly.stop();
  });

  it('tries again five minutes later when a publish is running, and stops when told', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-02T00:04:00Z') });
    const { service, starts } = fakeService('2026-12-01T09:00:00Z', true);
    // The live build is older than 00:05 on 1 December: a catch-up at 00:05, refused, then retries.
    const nightly = scheduleNightly(service);
    await vi.advanceTimersByTimeAsync(60 * 1000 + 5 * 60 * 1000 + 1000);
    expect(starts.map((d) => d.toISOString())).toEqual(['2026-12-02T00:05:00.000Z', '2026-12-02T00:10:00.000Z']);
    nightly.stop();
    await vi.advanceTimersByTimeAsync(60 * 60 * 1000);
    expect(starts).toHaveLength(2);
  });
});
