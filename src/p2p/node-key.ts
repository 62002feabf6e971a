/**
 * The node's libp2p identity, `<home>/config/node_key.json`:
 * `{ "priv_key": { "type": "ed25519", "value": <base64 libp2p protobuf> }, "id": <peer id> }`.
 * The id is derived from the key on load; a file whose id disagrees is rejected rather than
 * trusted, since peers list this node by id.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { p2pError } from './errors.js';

export type NodePrivateKey = ReturnType<typeof privateKeyFromProtobuf>;

export interface NodeKey {
  privateKey: NodePrivateKey;
  /** Peer id text (`12D3KooW…`). */
  id: string;
}

interface NodeKeyFile {
  priv_key: { type: string; value: string };
  id: string;
}

function fromFile(path: string): NodeKey {
  let parsed: NodeKeyFile;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as NodeKeyFile;
  } catch (e) {
    throw p2pError('config', `cannot read node key ${path}: ${(e as Error).message}`);
  }
  if (parsed?.priv_key?.type !== 'ed25519' || typeof parsed.priv_key.value !== 'string') {
    throw p2pError('config', `node key ${path}: priv_key must be {type: "ed25519", value: base64}`);
  }
  let key;
  try {
    key = privateKeyFromProtobuf(Buffer.from(parsed.priv_key.value, 'base64'));
  } catch (e) {
    throw p2pError('config', `node key ${path}: invalid key: ${(e as Error).message}`);
  }
  if (key.type !== 'Ed25519') throw p2pError('config', `node key ${path}: expected an Ed25519 key, got ${key.type}`);
  const id = key.publicKey.toString();
  if (parsed.id !== undefined && parsed.id !== id) {
    throw p2pError('config', `node key ${path}: id ${parsed.id} does not match the key (${id})`);
  }
  return { privateKey: key, id };
}

/** Reads the key, or creates (0600, written atomically) a fresh Ed25519 key if the file is absent. */
export async function loadOrCreateNodeKey(path: string): Promise<NodeKey> {
  if (existsSync(path)) return fromFile(path);
  const privateKey = await generateKeyPair('Ed25519');
  const id = privateKey.publicKey.toString();
  const file: NodeKeyFile = {
    priv_key: { type: 'ed25519', value: Buffer.from(privateKeyToProtobuf(privateKey)).toString('base64') },
    id,
  };
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
  return { privateKey, id };
}

/** The peer id of an existing key file (for `dexchain show-node-id` and peer lists). */
export function nodeIdFromKeyFile(path: string): string {
  return fromFile(path).id;
}
