export type { KVReader, KVWriter, CacheKV, CommitOptions, MerkleProof, StateStore, ValueCodec } from './types.js';
export { iterateDecoded, readDecoded, writeDecoded } from './decoded.js';
export { openStateStore, memoryStateStore, StateStoreImpl, type StateStoreOptions } from './store.js';
export { verifyProof, bucketOf, type StateProof } from './merkle.js';
export type { IterateOpts } from './views.js';
export {
  concatBytes,
  utf8,
  fromUtf8,
  prefixEnd,
  startsWith,
  compareBytes,
  bytesEqual,
  bigintToBytes8BE,
  bytes8BEToBigint,
  heightToBytes,
  bytesToHeight,
  toHex,
  fromHex,
} from './bytes.js';
