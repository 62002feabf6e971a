/**
 * `data/priv_validator_state.json`: the last (height, round, step) the validator signed, with the
 * sign bytes and signature (CometBFT `FilePVLastSignState`). The GuardedSigner calls `save`
 * before it releases a signature, so the file must be durable when `save` returns: written to a
 * temporary file, fsynced, renamed over the old one, directory fsynced.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { INITIAL_SIGNER_STATE, type SignerStateData } from '../consensus/signer.js';

interface StateJson {
  height: string;
  round: number;
  step: number;
  signature?: string;
  signbytes?: string;
}

export function loadSignerState(path: string): SignerStateData {
  if (!existsSync(path)) return INITIAL_SIGNER_STATE;
  let j: StateJson;
  try {
    j = JSON.parse(readFileSync(path, 'utf8')) as StateJson;
  } catch (e) {
    // Refuse to guess: signing from a blank state could double-sign.
    throw new Error(`cannot parse signer state ${path}: ${(e as Error).message}; restore it or remove it only if this validator never signed`);
  }
  const height = Number(j.height);
  if (!Number.isSafeInteger(height) || height < 0 || !Number.isSafeInteger(j.round) || j.round < 0 || !Number.isSafeInteger(j.step)) {
    throw new Error(`signer state ${path} has invalid fields`);
  }
  return {
    height,
    round: j.round,
    step: j.step,
    signature: new Uint8Array(Buffer.from(j.signature ?? '', 'base64')),
    signBytes: new Uint8Array(Buffer.from(j.signbytes ?? '', 'hex')),
  };
}

export function saveSignerState(path: string, s: SignerStateData): void {
  const doc: StateJson = {
    height: String(s.height),
    round: s.round,
    step: s.step,
    signature: Buffer.from(s.signature).toString('base64'),
    signbytes: Buffer.from(s.signBytes).toString('hex').toUpperCase(),
  };
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.tmp`;
  const data = Buffer.from(JSON.stringify(doc, null, 2) + '\n');
  const fd = openSync(tmp, 'w', 0o600);
  try {
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* directory fsync unsupported: rename is still atomic */
  }
}
