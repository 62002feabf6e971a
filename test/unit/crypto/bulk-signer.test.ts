import assert from 'node:assert/strict';
import { bulkSigner, signHash, randomPrivateKey } from '../../../src/crypto/secp256k1.js';
import { sha256 } from '../../../src/crypto/hash.js';

describe('crypto: bulk signer', () => {
  it('loads the native backend here and agrees byte-for-byte with noble (RFC6979, low-S)', () => {
    const s = bulkSigner();
    assert.equal(s.backend, 'native');
    for (let i = 0; i < 200; i++) {
      const priv = randomPrivateKey();
      const h = sha256(new TextEncoder().encode(`msg ${i}`));
      assert.deepEqual(s.sign(h, priv), signHash(h, priv));
    }
  });
});
