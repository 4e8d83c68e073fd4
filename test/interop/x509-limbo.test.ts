// x509-limbo through a real TLS handshake: for every case a TLS client can run, Node's
// tls.connect and gsocketclient (VALIDATE_ALL, no handler, `ca` = the case's roots) connect to
// the same loopback server presenting the case's chain. gsocketclient must never accept a chain
// Node rejects that the suite expects rejected, and must not have more false accepts than Node
// (issue 9: OpenSSL decides, GIO's flags explain).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { requireOrSkip } from '../helpers/env.js';
import {
  faketimeOf,
  LIMBO_PATH,
  loadLimbo,
  notRunnableReason,
  REPO_ROOT,
  type CaseVerdict,
  type LimboCase,
} from './x509-limbo-cases.js';

const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const RUNNER = 'test/interop/x509-limbo-runner.ts';
const CHILD_BUDGET_MS = 60_000;
/** Child processes at once (each runs its cases with bounded concurrency itself). */
const PARALLEL_CHILDREN = 2;

interface Batch {
  /** libfaketime's frozen clock, or null for the real one. */
  readonly faketime: string | null;
  readonly cases: readonly LimboCase[];
}

/** Runs one batch in a child (under libfaketime when it has a clock); resolves its verdicts. */
function runBatch(batch: Batch): Promise<{ clock: string; verdicts: CaseVerdict[] }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LIMBO_CASES: batch.cases.map((c) => c.id).join(','),
    TZ: 'UTC',
  };
  if (batch.faketime !== null) {
    env.LD_PRELOAD = LIBFAKETIME;
    env.FAKETIME = batch.faketime;
    // Timers run on the monotonic clock; only the wall clock (what certificates are judged by)
    // is frozen at the case's validation time.
    env.FAKETIME_DONT_FAKE_MONOTONIC = '1';
  }
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', './test/helpers/network-guard.ts', RUNNER],
      { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_BUDGET_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(
          new Error(
            `limbo runner (FAKETIME=${batch.faketime ?? 'none'}) exited ${code}: ${err.slice(-2000)}`,
          ),
        );
        return;
      }
      try {
        resolve(
          JSON.parse(out.trim().split('\n').at(-1) ?? '') as { clock: string; verdicts: CaseVerdict[] },
        );
      } catch (e) {
        reject(new Error(`limbo runner printed no verdicts: ${String(e)} ${err.slice(-2000)}`));
      }
    });
  });
}

async function runAll(batches: readonly Batch[]): Promise<CaseVerdict[]> {
  const out: CaseVerdict[] = [];
  const failures: unknown[] = [];
  let next = 0;
  // Workers never throw: every child is waited for before the test ends, failed or not.
  await Promise.all(
    Array.from({ length: PARALLEL_CHILDREN }, async () => {
      while (next < batches.length && failures.length === 0) {
        const batch = batches[next++];
        try {
          const { clock, verdicts } = await runBatch(batch);
          if (batch.faketime !== null) {
            // The faked clock must really be the case's time (libfaketime loaded, frozen).
            assert.equal(clock, new Date(batch.faketime.replace(' ', 'T') + 'Z').toISOString());
          }
          out.push(...verdicts);
        } catch (err) {
          failures.push(err);
        }
      }
    }),
  );
  if (failures.length > 0) throw failures[0];
  return out;
}

describe('x509-limbo: gsocketclient is never more lenient than tls.connect', () => {
  it('every TLS-runnable case, Node and gsocketclient on the same served chain', async (t) => {
    if (!requireOrSkip(t, existsSync(LIMBO_PATH), `x509-limbo data not found at ${LIMBO_PATH}`)) return;
    if (!requireOrSkip(t, existsSync(LIBFAKETIME), `libfaketime not installed (${LIBFAKETIME})`)) return;
    const all = loadLimbo();
    const byId = new Map(all.map((c) => [c.id, c]));
    const notRunnable = new Map<string, string>();
    const byClock = new Map<string | null, LimboCase[]>();
    for (const c of all) {
      const reason = notRunnableReason(c);
      if (reason !== null) {
        notRunnable.set(c.id, reason);
        continue;
      }
      const clock = c.validation_time === null ? null : faketimeOf(c.validation_time);
      byClock.set(clock, [...(byClock.get(clock) ?? []), c]);
    }
    const batches = [...byClock].map(([faketime, cases]) => ({ faketime, cases }));
    const verdicts = await runAll(batches);

    const tally = {
      ran: 0,
      expectedFailure: 0,
      nodeFalseAccepts: 0,
      oursFalseAccepts: 0,
      nodeFalseRejects: 0,
      oursFalseRejects: 0,
    };
    const violations: string[] = [];
    const oursStricter: string[] = [];
    /** Anything tls.connect refuses and we accept, whatever the suite expects (the rule). */
    const oursLaxer: string[] = [];
    const falseRejects: string[] = [];
    for (const v of verdicts) {
      const c = byId.get(v.id)!;
      if (v.notServed !== undefined || !v.node || !v.ours) {
        notRunnable.set(v.id, v.notServed ?? 'no verdict');
        continue;
      }
      tally.ran++;
      if (c.expected_result === 'FAILURE') {
        tally.expectedFailure++;
        if (v.node.accepted) tally.nodeFalseAccepts++;
        if (v.ours.accepted) tally.oursFalseAccepts++;
        if (!v.node.accepted && v.ours.accepted) violations.push(`${v.id} (Node: ${v.node.error})`);
      } else {
        if (!v.node.accepted) tally.nodeFalseRejects++;
        if (!v.ours.accepted) {
          tally.oursFalseRejects++;
          falseRejects.push(`${v.id} ours: ${v.ours.error}; Node: ${v.node.error ?? 'accepted'}`);
        }
      }
      if (!v.node.accepted && v.ours.accepted)
        oursLaxer.push(`${v.id} [${c.expected_result}] Node: ${v.node.error}`);
      if (v.node.accepted && !v.ours.accepted)
        oursStricter.push(`${v.id} [${c.expected_result}] ours: ${v.ours.error}`);
    }

    const reasons = new Map<string, number>();
    for (const reason of notRunnable.values()) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    t.diagnostic(
      `x509-limbo: ${all.length} cases, ${tally.ran} run (${batches.length} clocks), ` +
        `${tally.expectedFailure} expected to fail`,
    );
    t.diagnostic(
      `false accepts (expected FAILURE, accepted): tls.connect ${tally.nodeFalseAccepts}, ` +
        `gsocketclient ${tally.oursFalseAccepts}; false rejects (expected SUCCESS, refused): ` +
        `tls.connect ${tally.nodeFalseRejects}, gsocketclient ${tally.oursFalseRejects}`,
    );
    for (const [reason, n] of reasons) t.diagnostic(`not runnable (${n}): ${reason}`);
    for (const line of oursStricter) t.diagnostic(`refused by gsocketclient only: ${line}`);
    for (const line of falseRejects) t.diagnostic(`expected SUCCESS, refused by gsocketclient: ${line}`);

    assert.ok(tally.ran >= 150, `only ${tally.ran} cases ran`);
    assert.deepEqual(
      violations,
      [],
      'chains tls.connect rejects (and the suite expects rejected) that we accept',
    );
    assert.deepEqual(oursLaxer, [], 'chains tls.connect rejects that gsocketclient accepts');
    assert.ok(
      tally.oursFalseAccepts <= tally.nodeFalseAccepts,
      `gsocketclient false accepts ${tally.oursFalseAccepts} > tls.connect ${tally.nodeFalseAccepts}`,
    );
  });
});
