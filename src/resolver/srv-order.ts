/** What the RFC 2782 order reads of a target (SrvTarget in srv-target.ts, which calls this). */
export interface SrvOrderable {
  readonly hostname: string;
  readonly priority: number;
  readonly weight: number;
}

/** A uniform random number in [0, 1), as `Math.random` returns; injectable for tests. */
export type RandomSource = () => number;

/**
 * g_srv_target_list_sort (gio/gsrvtarget.c, RFC 2782): the order in which a client must
 * try SRV targets per RFC 2782.
 *
 * 1. A single target `"."` means "decidedly not available": the result is empty (callers turn
 *    that into an error; an empty success would break the connect loop of g_socket_client_connect).
 * 2. Stable sort by priority, then weight ascending — RFC 2782 wants the weight-0 entries first
 *    within a priority so the selection below gives them a small but non-zero chance.
 * 3. Per priority group, repeatedly pick `val` uniformly in [0, sum] *inclusive* and take the
 *    first entry whose running weight reaches it; remove it and subtract its weight.
 *
 * The input is not modified.
 */
export function sortSrvTargets<T extends SrvOrderable>(
  targets: readonly T[],
  random: RandomSource = Math.random,
): T[] {
  if (targets.length === 1 && targets[0].hostname === '.') return [];
  // Array.prototype.sort is stable (ES2019), as GLib's g_list_sort (a merge sort) is.
  const sorted = [...targets].sort((a, b) => a.priority - b.priority || a.weight - b.weight);
  const out: T[] = [];
  let start = 0;
  while (start < sorted.length) {
    let end = start;
    while (end < sorted.length && sorted[end].priority === sorted[start].priority) end++;
    const group = sorted.slice(start, end);
    let sum = group.reduce((s, t) => s + t.weight, 0);
    while (group.length > 0) {
      let val = randomIntInclusive(sum, random);
      // val <= sum, so the walk always stops inside the group; the bound is only a guard.
      let i = 0;
      for (; i < group.length - 1; i++) {
        if (group[i].weight >= val) break;
        val -= group[i].weight;
      }
      const [chosen] = group.splice(i, 1);
      out.push(chosen);
      sum -= chosen.weight;
    }
    start = end;
  }
  return out;
}

/** g_random_int_range(0, max + 1): an integer in [0, max]. */
function randomIntInclusive(max: number, random: RandomSource): number {
  const r = Math.floor(random() * (max + 1));
  // A source returning exactly 1 (or more) must not push val past the sum.
  return Math.min(Math.max(r, 0), max);
}
