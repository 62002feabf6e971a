/**
 * Every tuning constant of the network layer, with the reason for its value. Hosts take
 * overrides through `P2PHostInit.limits` (tests shorten the timers); the defaults are for
 * production.
 */

const MiB = 1024 * 1024;

/** Largest gossip/direct payload: a proposal carries a whole block (blocks are capped at 4 MiB). */
export const MAX_MESSAGE_BYTES = 4 * MiB;
/** Largest commit in a block-sync entry (signatures of up to a few hundred validators). */
export const MAX_COMMIT_BYTES = 1 * MiB;
/** Largest status frame: three small fields in JSON; anything bigger is garbage. */
export const MAX_STATUS_BYTES = 1024;
/** Most blocks one block-sync response carries, whatever the caller asked for. */
export const MAX_BLOCKS_PER_REQUEST = 100;
/**
 * Most bytes one block-sync response carries (the server stops adding blocks past this, but
 * always sends at least one so a single 4 MiB block still syncs).
 */
export const MAX_BLOCKS_RESPONSE_BYTES = 32 * MiB;

export interface P2PLimits {
  /** A status request must be answered within this (ms). */
  statusTimeoutMs: number;
  /** A block-sync response must be complete within this (ms); a full response is ~32 MiB. */
  blocksTimeoutMs: number;
  /** A peer that connected but has not passed the status handshake by then is dropped (ms). */
  handshakeTimeoutMs: number;
  /** First redial delay for a persistent peer (ms); doubles after each failure. */
  reconnectBaseMs: number;
  /** Redial delay ceiling (ms): a restarted peer is found again within this. */
  reconnectMaxMs: number;
  /** Score at or below which a peer is disconnected and banned. */
  banThreshold: number;
  /** How long a banned peer is refused (ms). */
  banDurationMs: number;
  /** Points a peer's negative score recovers per minute, so old sins are forgotten. */
  scoreRecoveryPerMinute: number;
  /** How long a gossip message id is remembered for deduplication (ms). */
  seenTtlMs: number;
  /** Most message ids remembered (oldest dropped first), bounding memory under a flood. */
  seenMax: number;
  /** Bytes queued for one peer before further messages to it are dropped (a stuck peer). */
  maxQueuedBytesPerPeer: number;
  /**
   * Gossip messages up to this size are relayed in full; larger ones (tx batches, proposals)
   * are relayed as an IHAVE of their id, fetched by the peers that lack them. In a full mesh
   * every peer already got the message from its origin, so relaying large ones in full made
   * every node receive, decrypt and hash each of them once per peer instead of once.
   */
  relayInlineBytes: number;
  /** How long a message relayed by IHAVE is kept to answer IWANTs (ms). */
  relayKeepMs: number;
  /** Most bytes of such messages kept (oldest dropped first). */
  relayKeepBytes: number;
  /**
   * How long an IHAVE waits before we ask for the message (ms): in a full mesh the origin's own
   * copy is usually still in flight behind its send queue, and asking a relay then fetches the
   * message twice. A node reached only through relays pays this once per hop.
   */
  wantDelayMs: number;
  /** An IWANT not answered within this is sent to another peer that announced the id (ms). */
  wantRetryMs: number;
}

export const DEFAULT_LIMITS: P2PLimits = {
  statusTimeoutMs: 10_000,
  blocksTimeoutMs: 30_000,
  handshakeTimeoutMs: 15_000,
  reconnectBaseMs: 1_000,
  reconnectMaxMs: 30_000,
  banThreshold: -100,
  banDurationMs: 10 * 60_000,
  scoreRecoveryPerMinute: 10,
  seenTtlMs: 120_000,
  seenMax: 100_000,
  maxQueuedBytesPerPeer: 64 * MiB,
  relayInlineBytes: 4096,
  relayKeepMs: 15_000,
  relayKeepBytes: 64 * MiB,
  wantDelayMs: 150,
  wantRetryMs: 1_000,
};

/**
 * Points taken for each kind of misbehaviour. With the default threshold of -100: one
 * oversized frame bans at once (the stream can no longer be parsed and it costs us memory);
 * four malformed messages ban; timeouts alone need ten in a row.
 */
export const PENALTY = {
  oversizedFrame: 100,
  malformedFrame: 25,
  badBlockResponse: 50,
  badStatus: 50,
  timeout: 10,
} as const;
