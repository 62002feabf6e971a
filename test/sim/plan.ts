/**
 * What one simulation run covers, shared by the mocha suite (`consensus.sim.test.ts`) and the
 * stand-alone runner (`run.ts`, `npm run sim`): the seed budget is split across network sizes,
 * and every seed runs the full fault mix (equivocator, crashes with torn WALs, partitions).
 */
import assert from 'node:assert/strict';
import { runSim, SimFailure, type SimResult } from './harness.js';

export const SIM_CONFIGS = [
  { n: 4, share: 0.55 },
  { n: 7, share: 0.3 },
  { n: 10, share: 0.15 },
] as const;

export interface SimBatch {
  n: number;
  first: number;
  count: number;
}

/** `total` seeds split across SIM_CONFIGS, numbered consecutively from 1. */
export function simPlan(total: number): SimBatch[] {
  let base = 1;
  return SIM_CONFIGS.map(({ n, share }) => {
    const count = Math.max(1, Math.round(total * share));
    const b = { n, first: base, count };
    base += count;
    return b;
  });
}

export function replayHint(n: number, seed: number): string {
  return `replay: SIM_SEED=${seed} SIM_N=${n} npx mocha test/sim/consensus.sim.test.ts  (or: npm run sim -- --seed ${seed} --n ${n})`;
}

/** Runs one seed; throws with a replay hint when an invariant or liveness fails. */
export function checkSeed(n: number, seed: number): SimResult {
  try {
    const r = runSim({ seed, n, byzantine: true, crashes: true, partitions: true, chaosMs: 8000, extraHeights: 2 });
    assert.ok(r.heights.every((h) => h >= 1), 'a node committed nothing');
    assert.ok(r.evidenceAgainstByz > 0, 'no evidence against the equivocator');
    return r;
  } catch (e) {
    if (e instanceof SimFailure) throw new Error(`${e.message}\n  ${replayHint(n, seed)}`);
    throw new Error(`seed ${seed} (n=${n}) failed: ${(e as Error).stack}\n  ${replayHint(n, seed)}`);
  }
}
