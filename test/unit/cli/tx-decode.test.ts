/**
 * `dexchain tx decode` on every tx the real SDK signed (shared vectors): the hash, the
 * signature check for the right chain id (and its failure for another), and the decoded msgs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(new URL('../../..', import.meta.url).pathname);
const BIN = resolve(ROOT, 'bin', 'dexchain.js');
const vectors = JSON.parse(readFileSync(resolve(ROOT, '../shared/vectors/sdk-tx.json'), 'utf8')) as {
  vectors: { name: string; chain_id: string; tx_bytes_hex: string; tx_hash: string; msg_type_prefix_hex: string; memo: string }[];
};

function decode(hex: string, chainId: string): { status: number; json?: { hash: string; valid: boolean; tx: { msgs: { type: string }[]; memo: string } }; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'tx', 'decode', hex, '--chain-id', chainId], { encoding: 'utf8' });
  let json;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = undefined;
  }
  return { status: r.status ?? -1, json, stderr: r.stderr };
}

describe('cli: dexchain tx decode on the SDK vectors', function () {
  this.timeout(120_000);
  for (const v of vectors.vectors) {
    it(`${v.name}: hash, valid for ${v.chain_id}, invalid for another chain id`, () => {
      const ok = decode(v.tx_bytes_hex, v.chain_id);
      assert.equal(ok.status, 0, ok.stderr);
      assert.equal(ok.json!.hash, v.tx_hash);
      assert.equal(ok.json!.valid, true);
      assert.equal(ok.json!.tx.msgs.length, 1);
      assert.equal(ok.json!.tx.memo, v.memo);
      const other = decode(v.tx_bytes_hex, 'Binance-Chain-Tigris');
      assert.equal(other.json!.valid, false);
    });
  }

  it('garbage input: a clear error and a non-zero exit', () => {
    const r = decode('c901f0625dee0a4c', 'x');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /Error: .+/);
    const h = decode('zz', 'x');
    assert.notEqual(h.status, 0);
  });
});
