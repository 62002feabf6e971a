/**
 * Scrape-time metrics: the verify pool's and the RPC server's counters are read when Prometheus
 * scrapes, from whatever the node bound; nothing bound reads as zero.
 */
import assert from 'node:assert/strict';
import { NodeMetrics } from '../../../src/node/metrics.js';
import { abciCode, codeName, rootError } from '../../../src/errors.js';

const value = (text: string, name: string): number | undefined => {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
};

describe('node metrics read at scrape time', () => {
  it('report the bound verify pool and RPC stats as they are at each scrape', async () => {
    const m = new NodeMetrics(false);
    const pool = { queued: 3, inFlight: 128, verified: 1000, workers: 2 };
    const rpc = { requests: 10, errors: 1, limited: 2 };
    m.bind({ verifyPool: () => pool, rpc: () => rpc });
    let t = await m.text();
    assert.equal(value(t, 'dexchain_verify_queue'), 131);
    assert.equal(value(t, 'dexchain_verify_signatures'), 1000);
    assert.equal(value(t, 'dexchain_rpc_requests'), 10);
    assert.equal(value(t, 'dexchain_rpc_errors'), 1);
    assert.equal(value(t, 'dexchain_rpc_rate_limited'), 2);
    pool.verified = 5000;
    pool.queued = 0;
    pool.inFlight = 0;
    rpc.requests = 11;
    t = await m.text();
    assert.equal(value(t, 'dexchain_verify_signatures'), 5000);
    assert.equal(value(t, 'dexchain_verify_queue'), 0);
    assert.equal(value(t, 'dexchain_rpc_requests'), 11);
  });

  it('report admission refusals by origin and reason name, as they are at each scrape', async () => {
    const m = new NodeMetrics(false);
    const rows = [
      { origin: 'peer', code: rootError('rateLimited', '').code, count: 4 },
      { origin: 'client', code: rootError('invalidSequence', '').code, count: 7 },
    ];
    m.bind({ refusals: () => rows });
    let t = await m.text();
    assert.match(t, /^dexchain_admission_refused\{origin="peer",reason="rateLimited"\} 4$/m);
    assert.match(t, /^dexchain_admission_refused\{origin="client",reason="invalidSequence"\} 7$/m);
    rows[0]!.count = 9;
    rows.pop();
    t = await m.text();
    assert.match(t, /^dexchain_admission_refused\{origin="peer",reason="rateLimited"\} 9$/m);
    assert.doesNotMatch(t, /invalidSequence/);
  });

  it('name codes outside the root space by space and number', () => {
    assert.equal(codeName(abciCode('dex', 7)), 'dex/7');
    assert.equal(codeName(abciCode('root', 99)), 'root/99');
    assert.equal(codeName(rootError('mempoolFull', '').code), 'mempoolFull');
  });

  it('report zero for parts that were never bound', async () => {
    const t = await new NodeMetrics(false).text();
    assert.equal(value(t, 'dexchain_verify_queue'), 0);
    assert.equal(value(t, 'dexchain_rpc_requests'), 0);
    assert.match(t, /# HELP dexchain_verify_signatures /);
  });
});
