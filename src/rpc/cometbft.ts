/**
 * CometBFT-style RPC: the URI form (`GET /status?`, `GET /abci_query?path="…"`) and JSON-RPC 2.0
 * (`POST /` with `{method, params}`), as the SDK's RpcClient and CometBFT tools call them.
 * Heights are strings, hashes uppercase hex, bytes base64, as CometBFT prints them.
 */
import type { RpcNode } from './types.js';
import type { Block, Commit } from '../consensus/types.js';
import type { TxResult } from '../app/abci.js';
import type { StoredTx } from '../store/index.js';
import { HttpError, intParam, parseHexParam, unquote } from './http.js';
import { abciCode, RootCode } from '../errors.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const iso = (ms: number): string => new Date(ms).toISOString();

export type Params = Record<string, unknown>;

function str(p: Params, k: string): string | undefined {
  const v = p[k];
  if (v === undefined || v === null) return undefined;
  return unquote(String(v));
}

function eventsJson(events: { type: string; attributes: { key: string; value: string }[] }[]): unknown {
  return events.map((e) => ({ type: e.type, attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: true })) }));
}

export function txResultJson(r: { code: number; log: string; data: Uint8Array; events: { type: string; attributes: { key: string; value: string }[] }[] }): unknown {
  return {
    code: r.code,
    data: r.data.length ? b64(r.data) : null,
    log: r.log,
    info: '',
    gas_wanted: '0',
    gas_used: '0',
    events: eventsJson(r.events),
    // Older clients (the SDK's RpcClient) read `tags` with base64 key/value.
    tags: r.events.flatMap((e) => e.attributes.map((a) => ({ key: b64(Buffer.from(`${e.type}.${a.key}`)), value: b64(Buffer.from(a.value)) }))),
    codespace: '',
  };
}

function storedTxRpc(t: StoredTx): unknown {
  return { hash: t.hash, height: String(t.height), index: t.index, tx_result: txResultJson(t.result), tx: b64(t.tx) };
}

export function headerJson(b: Block, hash: Uint8Array): unknown {
  const h = b.header;
  return {
    block_id: { hash: hex(hash), parts: { total: 1, hash: hex(hash) } },
    block: {
      header: {
        version: { block: '11', app: '0' },
        chain_id: h.chainId,
        height: String(h.height),
        time: iso(h.timeMs),
        num_txs: String(b.txs.length),
        last_block_id: { hash: hex(h.lastBlockId.hash), parts: { total: 0, hash: '' } },
        last_commit_hash: hex(h.lastCommitHash),
        data_hash: hex(h.dataHash),
        validators_hash: hex(h.validatorsHash),
        next_validators_hash: hex(h.nextValidatorsHash),
        consensus_hash: '',
        app_hash: hex(h.appHash),
        last_results_hash: hex(h.lastResultsHash),
        evidence_hash: hex(h.evidenceHash),
        proposer_address: hex(h.proposerAddress),
      },
      data: { txs: b.txs.map(b64) },
      evidence: { evidence: b.evidence.map((e) => ({ type: 'tendermint/DuplicateVoteEvidence', validator: hex(e.voteA.validatorAddress), height: String(e.voteA.height) })) },
      last_commit: commitJson(b.lastCommit),
    },
  };
}

export function commitJson(c: Commit): unknown {
  return {
    height: String(c.height),
    round: c.round,
    block_id: { hash: hex(c.blockId.hash), parts: { total: 1, hash: hex(c.blockId.hash) } },
    signatures: c.signatures.map((s) => ({
      block_id_flag: s.flag,
      validator_address: hex(s.validatorAddress),
      timestamp: iso(s.timeMs),
      signature: s.signature.length ? b64(s.signature) : null,
    })),
  };
}

function heightParam(node: RpcNode, p: Params): number {
  const latest = node.latestHeight();
  const h = intParam('height', str(p, 'height'), latest, 0);
  if (h === 0) return latest;
  if (h > latest) throw new HttpError(400, abciCode('root', RootCode.invalidRequest), `height ${h} must be less than or equal to the current blockchain height ${latest}`);
  if (h < node.baseHeight()) throw new HttpError(400, abciCode('root', RootCode.invalidRequest), `height ${h} is not available, lowest height is ${node.baseHeight()}`);
  return h;
}

async function txsResults(node: RpcNode, height: number): Promise<TxResult[]> {
  return (await node.blockResults(height)) ?? [];
}

/** Parses the subset of CometBFT's tx_search query language we index: `tx.height=N`, `tx.hash='H'`, and `<event>.<attr>='bech32'` for address-bearing attributes. */
async function txSearch(node: RpcNode, p: Params): Promise<unknown> {
  const q = str(p, 'query') ?? '';
  const page = intParam('page', str(p, 'page'), 1, 1);
  const perPage = intParam('per_page', str(p, 'per_page'), 30, 1, 100);
  let m = /^\s*tx\.height\s*=\s*'?(\d+)'?\s*$/.exec(q);
  if (m) {
    const txs = await node.txsByHeight(Number(m[1]));
    const slice = txs.slice((page - 1) * perPage, page * perPage);
    return { txs: slice.map(storedTxRpc), total_count: String(txs.length) };
  }
  m = /^\s*tx\.hash\s*=\s*'([0-9A-Fa-f]{64})'\s*$/.exec(q);
  if (m) {
    const t = await node.getTx(m[1]!.toUpperCase());
    return { txs: t ? [storedTxRpc(t)] : [], total_count: t ? '1' : '0' };
  }
  m = /^\s*[a-z_]+\.(?:sender|recipient|address|from|to)\s*=\s*'([a-z0-9]+)'\s*$/.exec(q);
  if (m) {
    const r = await node.txsByAddress(m[1]!, { offset: (page - 1) * perPage, limit: perPage });
    return { txs: r.txs.map(storedTxRpc), total_count: String(r.total) };
  }
  throw HttpError.badRequest(`unsupported query "${q}": use tx.height=N, tx.hash='HASH' or message.sender='ADDRESS'`);
}

export async function handleCometMethod(node: RpcNode, method: string, p: Params): Promise<unknown> {
  switch (method) {
    case 'health':
      return {};
    case 'status': {
      const s = node.status();
      return {
        node_info: {
          protocol_version: { p2p: '8', block: '11', app: '0' },
          id: s.nodeId,
          listen_addr: s.listenAddr,
          network: s.network,
          version: s.version,
          channels: '',
          moniker: s.moniker,
          other: { tx_index: 'on', rpc_address: s.rpcAddress },
        },
        sync_info: {
          latest_block_hash: s.latestBlockHash,
          latest_app_hash: s.latestAppHash,
          latest_block_height: String(s.latestBlockHeight),
          latest_block_time: iso(s.latestBlockTimeMs),
          earliest_block_height: String(s.earliestBlockHeight),
          catching_up: s.catchingUp,
        },
        validator_info: {
          address: hex(s.validator.address),
          pub_key: { type: 'tendermint/PubKeyEd25519', value: b64(s.validator.pubKey) },
          voting_power: s.validator.power.toString(),
        },
      };
    }
    case 'abci_info': {
      const i = node.abciInfo();
      return { response: { data: 'dexchain', version: i.version, last_block_height: String(i.height), last_block_app_hash: b64(i.appHash) } };
    }
    case 'abci_query': {
      const path = str(p, 'path');
      if (!path) throw HttpError.badRequest('path is required');
      const data = str(p, 'data') ? parseHexParam('data', str(p, 'data')!) : new Uint8Array();
      const height = intParam('height', str(p, 'height'), 0, 0);
      const r = node.abciQuery(path, data, height || undefined);
      return {
        response: {
          code: r.code,
          log: r.log,
          info: '',
          index: '0',
          key: null,
          value: r.value.length ? b64(r.value) : null,
          proof: r.proof ?? null,
          height: String(r.height),
          codespace: '',
        },
      };
    }
    case 'tx': {
      const h = str(p, 'hash');
      if (!h) throw HttpError.badRequest('hash is required');
      const bytes = h.length === 64 && /^[0-9a-fA-F]+$/.test(h) ? Buffer.from(h, 'hex') : Buffer.from(parseHexParam('hash', h));
      if (bytes.length !== 32) throw HttpError.badRequest('hash must be 32 bytes');
      const t = await node.getTx(hex(bytes));
      if (!t) throw HttpError.notFound(`tx (${hex(bytes)}) not found`);
      return storedTxRpc(t);
    }
    case 'tx_search':
      return txSearch(node, p);
    case 'block': {
      const h = heightParam(node, p);
      const b = await node.block(h);
      if (!b) throw HttpError.notFound(`block ${h} not found`);
      return headerJson(b.block, b.hash);
    }
    case 'block_by_hash': {
      throw HttpError.badRequest('block_by_hash: use block?height=');
    }
    case 'block_results': {
      const h = heightParam(node, p);
      const results = await txsResults(node, h);
      return { height: String(h), txs_results: results.map(txResultJson), results: { deliver_tx: results.map(txResultJson) } };
    }
    case 'commit': {
      const h = heightParam(node, p);
      const b = await node.block(h);
      const c = await node.commit(h);
      if (!b || !c) throw HttpError.notFound(`commit for height ${h} not found`);
      const hdr = headerJson(b.block, b.hash) as { block: { header: unknown } };
      return { signed_header: { header: hdr.block.header, commit: commitJson(c) }, canonical: true };
    }
    case 'blockchain': {
      const latest = node.latestHeight();
      const max = Math.min(intParam('maxHeight', str(p, 'maxHeight'), latest, 0) || latest, latest);
      const min = Math.max(intParam('minHeight', str(p, 'minHeight'), 1, 0) || 1, max - 19, node.baseHeight());
      const metas = [];
      for (let h = max; h >= min && h >= 1; h--) {
        const b = await node.block(h);
        if (!b) continue;
        const j = headerJson(b.block, b.hash) as { block_id: unknown; block: { header: unknown } };
        metas.push({ block_id: j.block_id, block_size: '0', header: j.block.header, num_txs: String(b.block.txs.length) });
      }
      return { last_height: String(latest), block_metas: metas };
    }
    case 'validators': {
      const h = str(p, 'height') ? heightParam(node, p) : node.latestHeight();
      const vals = node.validators(h);
      return {
        block_height: String(h),
        validators: vals.map((v) => ({
          address: hex(v.address),
          pub_key: { type: 'tendermint/PubKeyEd25519', value: b64(v.pubKey) },
          voting_power: v.power.toString(),
          proposer_priority: v.proposerPriority.toString(),
        })),
        count: String(vals.length),
        total: String(vals.length),
      };
    }
    case 'genesis':
      return { genesis: node.genesis() };
    case 'net_info': {
      const peers = node.peers();
      return { listening: true, listeners: [node.status().listenAddr], n_peers: String(peers.length), peers: peers.map((x) => ({ node_info: { id: x.id }, remote_ip: x.address })) };
    }
    case 'num_unconfirmed_txs': {
      const m = node.mempoolInfo();
      return { n_txs: String(m.size), total: String(m.size), total_bytes: String(m.bytes), txs: null };
    }
    case 'unconfirmed_txs': {
      const limit = intParam('limit', str(p, 'limit'), 30, 1, 100);
      const m = node.mempoolInfo();
      return { n_txs: String(Math.min(limit, m.size)), total: String(m.size), total_bytes: String(m.bytes), txs: node.unconfirmed(limit).map((x) => b64(x.tx)) };
    }
    case 'broadcast_tx_async':
    case 'broadcast_tx_sync':
    case 'broadcast_tx_commit': {
      const raw = p['tx'];
      if (raw === undefined) throw HttpError.badRequest('tx is required');
      const s = String(raw);
      // URI form sends 0x-hex; JSON-RPC sends base64.
      const tx = s.startsWith('0x') || s.startsWith('"0x') ? parseHexParam('tx', s) : new Uint8Array(Buffer.from(unquote(s)!, 'base64'));
      if (tx.length === 0) throw HttpError.badRequest('tx is empty or not valid hex/base64');
      const o = await node.broadcast(tx, method === 'broadcast_tx_commit');
      const check = { code: o.check.code, data: o.check.data.length ? b64(o.check.data) : '', log: o.check.log, codespace: '', hash: o.check.hash };
      if (method !== 'broadcast_tx_commit') return check;
      return {
        check_tx: { ...check, events: eventsJson(o.check.events) },
        deliver_tx: o.committed ? { code: o.committed.code, log: o.committed.log, data: '', events: [] } : {},
        hash: o.check.hash,
        height: o.committed ? String(o.committed.height) : '0',
      };
    }
    default:
      throw new HttpError(404, abciCode('root', RootCode.unknownRequest), `Method not found: ${method}`);
  }
}
