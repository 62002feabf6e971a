/**
 * The libp2p stack of a dexchain node: TCP, Noise, Yamux, identify. One place so the host and
 * the tests build exactly the same transport. Types of libp2p@3 are taken from the `libp2p`
 * package itself (the hoisted `@libp2p/interface` is the older v2 one pulled in by gossipsub).
 */
import './polyfill.js';
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { multiaddr } from '@multiformats/multiaddr';
import type { NodePrivateKey } from './node-key.js';

export type Libp2pNode = Libp2p;
export type Connection = Awaited<ReturnType<Libp2pNode['dial']>>;
export type Stream = Awaited<ReturnType<Libp2pNode['dialProtocol']>>;
export type PeerIdObject = Connection['remotePeer'];
type DialTarget = Parameters<Libp2pNode['dial']>[0];
type Gater = NonNullable<NonNullable<Parameters<typeof createLibp2p>[0]>['connectionGater']>;

export interface TransportNodeInit {
  privateKey: NodePrivateKey;
  /** Multiaddr text, e.g. `/ip4/127.0.0.1/tcp/0`. */
  listen: string[];
  maxConnections: number;
  /** Returns true to refuse a peer (banned, or full). */
  denyPeer?: (peerId: string, direction: 'inbound' | 'outbound') => boolean;
}

/**
 * More connections per second from one host than libp2p's default of 5, so a localnet whose
 * validators share one IP can reconnect after a restart without being refused.
 */
const INBOUND_CONNECTION_THRESHOLD = 50;

export async function createTransportNode(init: TransportNodeInit): Promise<Libp2pNode> {
  const deny = init.denyPeer;
  const gater: Gater = deny === undefined ? {} : {
    denyDialPeer: (p) => deny(p.toString(), 'outbound'),
    denyInboundEncryptedConnection: (p) => deny(p.toString(), 'inbound'),
    denyOutboundEncryptedConnection: (p) => deny(p.toString(), 'outbound'),
  };
  return createLibp2p({
    privateKey: init.privateKey,
    addresses: { listen: init.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: gater,
    connectionManager: {
      maxConnections: init.maxConnections,
      inboundConnectionThreshold: INBOUND_CONNECTION_THRESHOLD,
      // persistent peers are redialled by the host with its own backoff, forever
      reconnectRetries: 0,
    },
    services: { identify: identify() },
  }) as unknown as Promise<Libp2pNode>;
}

/**
 * Multiaddr from text. The hoisted @multiformats/multiaddr is v12 while libp2p@3 uses v13; the
 * objects are interchangeable at run time (same symbol, same methods libp2p calls), so the
 * type is bridged here and nowhere else.
 */
export function toDialTarget(ma: string): DialTarget {
  return multiaddr(ma) as unknown as DialTarget;
}
