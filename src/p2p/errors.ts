/**
 * Network errors. They never reach a tx result, but they are still typed ChainErrors (space
 * `node`) so the node and RPC can report them uniformly. Local codes start at 100 to stay clear
 * of any codes node/ defines for itself.
 */
import { ChainError } from '../errors.js';

export const P2PCode = {
  /** The peer is not connected (or not yet past the status handshake). */
  peerNotConnected: 100,
  /** The peer did not answer in time. */
  timeout: 101,
  /** The peer answered with bytes that break the protocol. */
  protocol: 102,
  /** A message is larger than the protocol allows. */
  tooLarge: 103,
  /** The host is not running. */
  notStarted: 104,
  /** A configuration value (address, key file) is invalid. */
  config: 105,
  /** The caller cancelled the request (an abort signal); not the peer's fault. */
  cancelled: 106,
} as const;

export function p2pError(kind: keyof typeof P2PCode, message: string): ChainError {
  return new ChainError('node', P2PCode[kind], message);
}
