/**
 * The validator's consensus key file (`config/priv_validator_key.json`), CometBFT-shaped:
 * `{address, pub_key:{type,value}, priv_key:{type,value}}` with base64 values.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ed25519Generate, ed25519PublicKey } from '../crypto/ed25519.js';
import { consensusAddress, toHex, bytesEqual } from '../crypto/hash.js';

export interface ValidatorKey {
  address: Uint8Array;
  pubKey: Uint8Array;
  /** 32-byte ed25519 seed. */
  privKey: Uint8Array;
}

export function generateValidatorKey(): ValidatorKey {
  const { priv, pub } = ed25519Generate();
  return { address: consensusAddress(pub), pubKey: pub, privKey: priv };
}

export function writeValidatorKey(path: string, key: ValidatorKey): void {
  mkdirSync(dirname(path), { recursive: true });
  const doc = {
    address: toHex(key.address).toUpperCase(),
    pub_key: { type: 'tendermint/PubKeyEd25519', value: Buffer.from(key.pubKey).toString('base64') },
    priv_key: { type: 'tendermint/PrivKeyEd25519', value: Buffer.from(key.privKey).toString('base64') },
  };
  writeFileSync(path, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
}

export function loadValidatorKey(path: string): ValidatorKey {
  if (!existsSync(path)) throw new Error(`validator key not found: ${path} (run dexchain init)`);
  let doc: { pub_key?: { value?: string }; priv_key?: { value?: string } };
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`cannot parse validator key ${path}: ${(e as Error).message}`);
  }
  const seed = Buffer.from(doc.priv_key?.value ?? '', 'base64');
  if (seed.length !== 32 && seed.length !== 64) throw new Error(`validator key ${path}: priv_key must be a 32-byte ed25519 seed`);
  const priv = new Uint8Array(seed.subarray(0, 32));
  const pub = ed25519PublicKey(priv);
  const stated = Buffer.from(doc.pub_key?.value ?? '', 'base64');
  if (stated.length && !bytesEqual(new Uint8Array(stated), pub)) throw new Error(`validator key ${path}: pub_key does not match priv_key`);
  return { address: consensusAddress(pub), pubKey: pub, privKey: priv };
}
