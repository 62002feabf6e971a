export type { BlockStore, StoredTx, StoredTxResult, StoredEvent, SaveBlockInput, BlockInfo, TxsByAddressOpts } from './types.js';
export { openBlockStore, BlockStoreFormatError, BLOCK_STORE_FORMAT, type BlockStoreOptions } from './block-store.js';
