/**
 * Seeded multi-validator consensus simulation (see harness.ts). Each seed runs a chaos phase
 * (drops, duplicates, reordering, partitions, crash/restart with torn WALs, one equivocating
 * validator under 1/3 power), then heals; invariants are checked after every event and liveness
 * at the end.
 *
 *   npx mocha test/sim                          ~200 seeds across n = 4, 7, 10
 *   SIM_SEEDS=5000 npx mocha test/sim           more seeds (split the same way)
 *   SIM_SEED=1234 [SIM_N=7] npx mocha test/sim  replay exactly one seed
 *   npm run sim -- --seeds 5000                 the same outside mocha (test/sim/run.ts)
 */
import { checkSeed, SIM_CONFIGS, simPlan } from './plan.js';

const single = process.env.SIM_SEED !== undefined ? Number(process.env.SIM_SEED) : undefined;
const total = Number(process.env.SIM_SEEDS ?? 200);

describe('consensus simulation', function () {
  this.timeout(0);
  if (single !== undefined) {
    const ns = process.env.SIM_N ? [Number(process.env.SIM_N)] : SIM_CONFIGS.map((c) => c.n);
    for (const n of ns) it(`n=${n} seed ${single}`, () => void checkSeed(n, single));
    return;
  }
  for (const { n, first, count } of simPlan(total)) {
    it(`n=${n}: ${count} seeds (${first}..${first + count - 1}) keep agreement, validity and liveness`, () => {
      for (let seed = first; seed < first + count; seed++) checkSeed(n, seed);
    });
  }
});
