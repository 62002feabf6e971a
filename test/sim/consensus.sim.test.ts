/**
 * Seeded multi-validator consensus simulation (see harness.ts). Each seed runs a chaos phase
 * (drops, duplicates, reordering, partitions, crash/restart with torn WALs, one equivocating
 * validator under 1/3 power), then heals; invariants are checked after every event and liveness
 * at the end.
 *
 *   npx mocha test/sim                          ~200 seeds across n = 4, 7, 10
 *   SIM_SEEDS=5000 npx mocha test/sim           more seeds (split the same way)
 *   SIM_SEED=1234 [SIM_N=7] npx mocha test/sim  replay exactly one seed
 */
import assert from 'node:assert/strict';
import { runSim, SimFailure } from './harness.js';

const CONFIGS = [
  { n: 4, share: 0.55 },
  { n: 7, share: 0.3 },
  { n: 10, share: 0.15 },
];

const single = process.env.SIM_SEED !== undefined ? Number(process.env.SIM_SEED) : undefined;
const total = Number(process.env.SIM_SEEDS ?? 200);

function check(n: number, seed: number): void {
  try {
    const r = runSim({ seed, n, byzantine: true, crashes: true, partitions: true, chaosMs: 8000, extraHeights: 2 });
    assert.ok(r.heights.every((h) => h >= 1));
    assert.ok(r.evidenceAgainstByz > 0);
  } catch (e) {
    if (e instanceof SimFailure) {
      throw new Error(`${e.message}\n  replay: SIM_SEED=${seed} SIM_N=${n} npx mocha test/sim/consensus.sim.test.ts`);
    }
    throw new Error(`seed ${seed} (n=${n}) crashed: ${(e as Error).stack}\n  replay: SIM_SEED=${seed} SIM_N=${n} npx mocha test/sim/consensus.sim.test.ts`);
  }
}

describe('consensus simulation', function () {
  this.timeout(0);
  if (single !== undefined) {
    const ns = process.env.SIM_N ? [Number(process.env.SIM_N)] : CONFIGS.map((c) => c.n);
    for (const n of ns) it(`n=${n} seed ${single}`, () => check(n, single));
    return;
  }
  let base = 1;
  for (const { n, share } of CONFIGS) {
    const count = Math.max(1, Math.round(total * share));
    const first = base;
    base += count;
    it(`n=${n}: ${count} seeds (${first}..${first + count - 1}) keep agreement, validity and liveness`, () => {
      for (let seed = first; seed < first + count; seed++) check(n, seed);
    });
  }
});
