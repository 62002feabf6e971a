/**
 * Stand-alone runner of the consensus simulation (`npm run sim -- --seeds 5000`): the same seeds,
 * split and checks as `consensus.sim.test.ts`, spread over worker processes, with progress and a
 * replay line for every failing seed. Exit code 1 when any seed fails.
 *
 *   tsx test/sim/run.ts --seeds 5000 [--jobs 4]     many seeds (jobs: default = CPU cores)
 *   tsx test/sim/run.ts --seed 1234 [--n 7]         replay one seed
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { checkSeed, SIM_CONFIGS, simPlan } from './plan.js';

interface Args {
  seeds: number;
  seed?: number;
  n?: number;
  jobs: number;
  /** Internal: a worker's share, "n:first:count[,n:first:count…]". */
  part?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { seeds: 200, jobs: availableParallelism() };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = argv[i + 1];
    const num = (): number => {
      const x = Number(v);
      if (v === undefined || !Number.isInteger(x) || x < 0) throw new Error(`${k} needs a non-negative integer, got "${v ?? ''}"`);
      i++;
      return x;
    };
    if (k === '--seeds') a.seeds = num();
    else if (k === '--seed') a.seed = num();
    else if (k === '--n') a.n = num();
    else if (k === '--jobs') a.jobs = Math.max(1, num());
    else if (k === '--part') {
      a.part = v;
      i++;
    } else throw new Error(`unknown argument "${k}" (use --seeds N, --seed S, --n N, --jobs J)`);
  }
  return a;
}

/** Runs seeds in this process; prints `ok <count>` / `fail <message>` lines for the parent. */
function runPart(part: string): number {
  let failed = 0;
  for (const spec of part.split(',')) {
    const [n, first, count] = spec.split(':').map(Number) as [number, number, number];
    for (let seed = first; seed < first + count; seed++) {
      try {
        checkSeed(n, seed);
        process.stdout.write('ok 1\n');
      } catch (e) {
        failed++;
        process.stdout.write(`fail ${JSON.stringify((e as Error).message)}\n`);
      }
    }
  }
  return failed ? 1 : 0;
}

/** Splits the plan into `jobs` contiguous shares of roughly equal seed counts. */
function shares(total: number, jobs: number): string[] {
  const flat: [number, number][] = [];
  for (const b of simPlan(total)) for (let s = b.first; s < b.first + b.count; s++) flat.push([b.n, s]);
  const per = Math.ceil(flat.length / jobs);
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += per) {
    const chunk = flat.slice(i, i + per);
    const specs: string[] = [];
    for (const [n, s] of chunk) {
      const last = specs[specs.length - 1];
      const m = last?.split(':').map(Number);
      if (m && m[0] === n && m[1]! + m[2]! === s) specs[specs.length - 1] = `${n}:${m[1]}:${m[2]! + 1}`;
      else specs.push(`${n}:${s}:1`);
    }
    out.push(specs.join(','));
  }
  return out;
}

async function main(): Promise<number> {
  const a = parseArgs(process.argv.slice(2));
  if (a.part) return runPart(a.part);
  if (a.seed !== undefined) {
    const ns = a.n !== undefined ? [a.n] : SIM_CONFIGS.map((c) => c.n);
    let failed = 0;
    for (const n of ns) {
      try {
        const r = checkSeed(n, a.seed);
        process.stdout.write(`seed ${a.seed} n=${n}: ok, heights ${r.heights.join(',')}, ${r.evidenceAgainstByz} evidence, ${r.events} events\n`);
      } catch (e) {
        failed++;
        process.stdout.write(`seed ${a.seed} n=${n}: FAIL ${(e as Error).message}\n`);
      }
    }
    return failed ? 1 : 0;
  }
  const plan = simPlan(a.seeds);
  const total = plan.reduce((s, b) => s + b.count, 0);
  process.stdout.write(`consensus simulation: ${total} seeds (${plan.map((b) => `n=${b.n}: ${b.first}..${b.first + b.count - 1}`).join(', ')}), ${a.jobs} jobs\n`);
  const t0 = Date.now();
  let done = 0;
  const failures: string[] = [];
  const self = fileURLToPath(import.meta.url);
  await Promise.all(
    shares(a.seeds, a.jobs).map(
      (part) =>
        new Promise<void>((resolve, reject) => {
          // execArgv carries tsx's loader, so the child runs this file the same way.
          const c = spawn(process.execPath, [...process.execArgv, self, '--part', part], { stdio: ['ignore', 'pipe', 'inherit'] });
          let buf = '';
          c.stdout!.on('data', (d: Buffer) => {
            buf += d.toString();
            let i;
            while ((i = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, i);
              buf = buf.slice(i + 1);
              if (line.startsWith('ok ')) done++;
              else if (line.startsWith('fail ')) {
                done++;
                const msg = JSON.parse(line.slice(5)) as string;
                failures.push(msg);
                process.stdout.write(`\nFAIL ${msg}\n`);
              }
            }
            if (process.stdout.isTTY) process.stdout.write(`\r  ${done}/${total} seeds, ${failures.length} failed, ${Math.round((Date.now() - t0) / 1000)} s`);
          });
          c.once('error', reject);
          c.once('exit', (code, sig) => (sig ? reject(new Error(`worker killed by ${sig}`)) : code === 0 || failures.length > 0 ? resolve() : reject(new Error(`worker exited with ${code}`))));
        }),
    ),
  );
  process.stdout.write(`\n${done}/${total} seeds done in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${total - failures.length} passed, ${failures.length} failed\n`);
  return failures.length > 0 || done !== total ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(e.message);
    process.exit(2);
  },
);
