export type { BlockStore, StoredTx, StoredTxResult, StoredEvent, SaveBlockInput, BlockInfo, TxsByAddressOpts } from './types.js';
export { openBlockStore, type BlockStoreOptions } from './block-store.js';
