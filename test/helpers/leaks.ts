/**
 * Counts this process's live handles of the kinds we could leak (sockets, servers, timers), using
 * process.getActiveResourcesInfo(). Compare a snapshot before and after the work under test.
 */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

export const WATCHED = [
  'TCPSocketWrap',
  'TCPServerWrap',
  'UDPWrap',
  'PipeWrap',
  'Timeout',
  'GetAddrInfoReqWrap',
  'TLSWrap',
];

/**
 * Waits (bounded) until no watched resource exceeds the baseline, then returns the excess map
 * (empty when clean). Closing sockets finishes on a later tick, hence the wait.
 */
export async function settleLeaks(
  baseline: Record<string, number>,
  waitMs = 2000,
): Promise<Record<string, number>> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const now = activeResources();
    const excess: Record<string, number> = {};
    for (const kind of WATCHED) {
      const extra = (now[kind] ?? 0) - (baseline[kind] ?? 0);
      if (extra > 0) excess[kind] = extra;
    }
    if (Object.keys(excess).length === 0 || Date.now() > deadline) return excess;
    await new Promise((r) => setTimeout(r, 20));
  }
}
