import assert from 'node:assert/strict';
import sdk from '@binance-chain/javascript-sdk';
import { generateMnemonic, validateMnemonic, privateKeyFromMnemonic, hdPath } from '../../../src/crypto/hd.js';
import { encryptKeystore, decryptKeystore, KeystoreError } from '../../../src/crypto/keystore.js';
import { toHex, fromHex } from '../../../src/crypto/hash.js';

const sdkCrypto = (sdk as unknown as { crypto: Record<string, (...a: unknown[]) => unknown> }).crypto;

/** BIP39 test vector for 256 bits of 0x7f entropy. */
const MNEMONIC_24 =
  'legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title';
const MNEMONIC_12 = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

describe('crypto/hd', () => {
  it('derivation matches the SDK getPrivateKeyFromMnemonic for several indexes', () => {
    for (const m of [MNEMONIC_12, MNEMONIC_24]) {
      assert.ok(validateMnemonic(m));
      for (const i of [0, 1, 7]) {
        assert.equal(toHex(privateKeyFromMnemonic(m, i)), sdkCrypto.getPrivateKeyFromMnemonic!(m, true, i) as string, `index ${i}`);
      }
    }
  });

  it('account changes the hardened level; path format', () => {
    assert.equal(hdPath(3, 2), "m/44'/714'/2'/0/3");
    assert.notEqual(toHex(privateKeyFromMnemonic(MNEMONIC_12, 0, 1)), toHex(privateKeyFromMnemonic(MNEMONIC_12, 0, 0)));
    assert.throws(() => hdPath(-1));
    assert.throws(() => hdPath(2 ** 31));
  });

  it('generate / validate', () => {
    const m = generateMnemonic();
    assert.equal(m.split(' ').length, 24);
    assert.ok(validateMnemonic(m));
    assert.equal(generateMnemonic(128).split(' ').length, 12);
    assert.ok(sdkCrypto.validateMnemonic!(m) as boolean);
    assert.equal(validateMnemonic(MNEMONIC_12.replace(/about$/, 'abandon')), false);
    assert.throws(() => privateKeyFromMnemonic('not a mnemonic'), /invalid mnemonic/);
  });
});

describe('crypto/keystore', () => {
  const priv = fromHex('30c5e838578a29e3e9273edddd753d6c9b38aca2446dd84bdfe2e5988b0da0a1');

  it('opens a keystore made by the SDK generateKeyStore', () => {
    const ks = sdkCrypto.generateKeyStore!(toHex(priv), 'correct horse');
    assert.deepEqual(decryptKeystore(ks, 'correct horse'), priv);
    assert.deepEqual(decryptKeystore(JSON.stringify(ks), 'correct horse'), priv);
  });

  it('the SDK opens ours; format matches the SDK', () => {
    const ks = encryptKeystore(priv, 'pässword');
    assert.equal(ks.version, 1);
    assert.equal(ks.crypto.cipher, 'aes-256-ctr');
    assert.equal(ks.crypto.kdf, 'pbkdf2');
    assert.deepEqual(Object.keys(ks.crypto.kdfparams).sort(), ['c', 'dklen', 'prf', 'salt']);
    assert.equal(ks.crypto.mac.length, 128);
    assert.equal(sdkCrypto.getPrivateKeyFromKeyStore!(ks, 'pässword'), toHex(priv));
    assert.throws(() => sdkCrypto.getPrivateKeyFromKeyStore!(ks, 'wrong'), /mac check failed/);
    assert.deepEqual(decryptKeystore(ks, 'pässword'), priv);
  });

  it('wrong password is a clear KeystoreError', () => {
    const ks = encryptKeystore(priv, 'pw', { iterations: 1000 });
    assert.throws(
      () => decryptKeystore(ks, 'PW'),
      (e: unknown) => e instanceof KeystoreError && e.code === 'wrongPassword' && /wrong password/.test(e.message),
    );
  });

  it('rejects malformed and unsupported files clearly', () => {
    const ks = encryptKeystore(priv, 'pw', { iterations: 1000 });
    assert.throws(() => decryptKeystore('{', 'pw'), /not valid JSON/);
    assert.throws(() => decryptKeystore({}, 'pw'), /no crypto/);
    assert.throws(() => decryptKeystore({ ...ks, crypto: { ...ks.crypto, cipher: 'aes-128-cbc' } }, 'pw'), /unsupported keystore cipher/);
    assert.throws(() => decryptKeystore({ ...ks, crypto: { ...ks.crypto, kdf: 'argon2' } }, 'pw'), /unsupported keystore kdf/);
    assert.throws(() => decryptKeystore({ ...ks, crypto: { ...ks.crypto, kdfparams: { ...ks.crypto.kdfparams, c: 2 ** 40 } } }, 'pw'), /kdfparams.c/);
    assert.throws(() => decryptKeystore({ ...ks, crypto: { ...ks.crypto, ciphertext: 'zz' } }, 'pw'), /hex/);
  });

  it('opens the Web3 Secret Storage (Ethereum v3) PBKDF2 test vector', () => {
    const v3 = {
      crypto: {
        cipher: 'aes-128-ctr',
        cipherparams: { iv: '6087dab2f9fdbbfaddc31a909735c1e6' },
        ciphertext: '5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46',
        kdf: 'pbkdf2',
        kdfparams: { c: 262144, dklen: 32, prf: 'hmac-sha256', salt: 'ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd' },
        mac: '517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2',
      },
      id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
      version: 3,
    };
    assert.equal(toHex(decryptKeystore(v3, 'testpassword')), '7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d');
  });
});
