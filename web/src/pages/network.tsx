/** Network: head, block interval, throughput, validators (and who signed recent blocks), peers, mempool. */
import * as api from '../api.js';
import { IntervalChart } from '../charts.js';
import { ago, bytes, int, isoTime, percent } from '../format.js';
import { useLive, useTick } from '../live.js';
import { Card, Empty, ErrorBox, HeightLink, Load, Loading, Mono, Stat, Table, useAsync, useNow } from '../ui.js';

const SIGNED_WINDOW = 10;

interface NetData {
  status: api.Status;
  blocks: api.BlockMeta[];
  validators: api.Validator[];
  peers: api.Peer[] | undefined;
  mempool: api.Mempool | undefined;
  /** validator address → flags for the last SIGNED_WINDOW commits, oldest first */
  signed: Map<string, { height: number; flag: number }[]>;
  commitHeights: number[];
}

async function loadNetwork(): Promise<NetData> {
  const status = await api.status();
  const h = status.height;
  const [blocks, validators, peers, mempool] = await Promise.all([
    h > 0 ? api.recentBlocks(h, 60) : Promise.resolve([]),
    api.validators(),
    api.peers().catch(() => undefined),
    api.mempool().catch(() => undefined),
  ]);
  // block h carries the commit of h-1: fetch the last few blocks to see who signed
  const heights: number[] = [];
  for (let x = h; x > Math.max(1, h - SIGNED_WINDOW); x--) heights.push(x);
  const details = await Promise.all(heights.map((x) => api.block(x).catch(() => undefined)));
  const signed = new Map<string, { height: number; flag: number }[]>();
  const commitHeights: number[] = [];
  for (const d of details.filter((x): x is api.BlockDetail => !!x).reverse()) {
    commitHeights.push(d.lastCommit.height);
    for (const v of validators) {
      const sig = d.lastCommit.signatures.find((s) => s.validator.toUpperCase() === v.address);
      const arr = signed.get(v.address) ?? [];
      arr.push({ height: d.lastCommit.height, flag: sig?.flag ?? 1 });
      signed.set(v.address, arr);
    }
  }
  return { status, blocks, validators, peers, mempool, signed, commitHeights };
}

export function NetworkPage() {
  const tick = useTick(2000);
  const { head } = useLive();
  const now = useNow();
  const net = useAsync(loadNetwork, [tick]);
  if (!net.data) return net.error ? <ErrorBox error={net.error} what="the network status" /> : <Loading what="network status" />;
  const d = net.data;
  const height = Math.max(d.status.height, head?.height ?? 0);
  const lastTime = head && head.height >= d.status.height ? head.timeMs : d.status.timeMs;
  const bl = [...d.blocks].sort((a, b) => a.height - b.height);
  const points = bl.slice(1).map((b, i) => ({ height: b.height, seconds: Math.max(0, (b.timeMs - bl[i]!.timeMs) / 1000), txs: b.numTxs }));
  const span = bl.length > 1 ? (bl[bl.length - 1]!.timeMs - bl[0]!.timeMs) / 1000 : 0;
  const txsInSpan = bl.slice(1).reduce((s, b) => s + b.numTxs, 0);
  const avgInterval = bl.length > 1 ? span / (bl.length - 1) : 0;
  const totalPower = d.validators.reduce((s, v) => s + v.power, 0);
  return (
    <div class="page">
      <h1 class="page-title">
        Network <span class="muted">{d.status.chainId}</span>
      </h1>
      {net.error ? <ErrorBox error={net.error} what="the latest network status (showing the last known)" /> : null}
      <div class="stats">
        <Stat label="Height" value={<HeightLink h={height} />} testid="height" sub={d.status.catchingUp ? 'catching up' : 'in sync'} />
        <Stat label="Last block" value={ago(lastTime, now)} sub={isoTime(lastTime)} />
        <Stat label="Block interval" value={avgInterval ? `${avgInterval.toFixed(2)} s` : '—'} sub={`average of the last ${Math.max(0, bl.length - 1)} blocks`} />
        <Stat label="Committed tx/s" value={span > 0 ? (txsInSpan / span).toFixed(2) : '0.00'} sub={`${int(txsInSpan)} txs in ${span.toFixed(0)} s`} testid="tps" />
        <Stat label="Mempool" value={d.mempool ? `${int(d.mempool.txs)} txs` : '—'} sub={d.mempool ? bytes(d.mempool.bytes) : 'unavailable'} testid="mempool" />
        <Stat label="Validators" value={int(d.validators.length)} sub={`total power ${int(totalPower)}`} />
        <Stat label="Peers" value={d.peers ? int(d.peers.length) : '—'} sub={d.status.moniker} />
      </div>
      <Card title="Block interval" id="intervals">
        {points.length ? <IntervalChart points={points} label={`Seconds between the last ${points.length} blocks`} /> : <Empty>Not enough blocks yet to draw intervals.</Empty>}
        <p class="hint">Seconds between consecutive blocks by height; green bars are blocks that carried transactions.</p>
      </Card>
      <Card title="Validators" id="validators">
        {d.validators.length === 0 ? (
          <Empty>No validators reported.</Empty>
        ) : (
          <Table label="Validators">
            <thead>
              <tr>
                <th>Validator</th>
                <th class="r">Power</th>
                <th class="r hide-s">Share</th>
                <th>Signed the last {d.commitHeights.length} blocks</th>
              </tr>
            </thead>
            <tbody>
              {d.validators.map((v) => {
                const sigs = d.signed.get(v.address) ?? [];
                const ok = sigs.filter((s) => s.flag === 2).length;
                return (
                  <tr key={v.address}>
                    <td>
                      {v.name ? <div>{v.name}</div> : null}
                      <Mono value={v.address} short={10} label="validator address" />
                    </td>
                    <td class="r num">{int(v.power)}</td>
                    <td class="r num hide-s">{percent(totalPower ? v.power / totalPower : undefined)}</td>
                    <td>
                      <span class="sigs" aria-label={`signed ${ok} of ${sigs.length}`}>
                        {sigs.map((s) => (
                          <span key={s.height} class={`sig ${s.flag === 2 ? 'yes' : s.flag === 3 ? 'nil' : 'no'}`} title={`height ${s.height}: ${s.flag === 2 ? 'signed' : s.flag === 3 ? 'voted nil' : 'absent'}`} />
                        ))}
                      </span>{' '}
                      <span class="muted">
                        {ok}/{sigs.length}
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </Card>
      <div class="grid2">
        <Card title="Peers" id="peers">
          {!d.peers ? (
            <Empty>Peer list unavailable.</Empty>
          ) : d.peers.length === 0 ? (
            <Empty>No peers connected: this node runs on its own.</Empty>
          ) : (
            <Table label="Peers">
              <thead>
                <tr>
                  <th>Node id</th>
                  <th>Address</th>
                </tr>
              </thead>
              <tbody>
                {d.peers.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Mono value={p.id} short={10} label="peer id" />
                    </td>
                    <td class="mono">{p.address}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </Card>
        <Card title="This node" id="node">
          <dl class="kv">
            <dt>Chain id</dt>
            <dd>{d.status.chainId}</dd>
            <dt>Moniker</dt>
            <dd>{d.status.moniker}</dd>
            <dt>Version</dt>
            <dd>{d.status.version}</dd>
            <dt>Node id</dt>
            <dd>
              <Mono value={d.status.nodeId} short={10} label="node id" />
            </dd>
            <dt>Earliest block</dt>
            <dd>
              <HeightLink h={d.status.earliestHeight} />
            </dd>
          </dl>
        </Card>
      </div>
      <Card title="Latest blocks" id="latest" actions={<a href="#/blocks">All blocks →</a>}>
        <Load a={{ ...net, data: d.blocks.slice(0, 8) }} what="blocks">
          {(bs) => <BlockRows blocks={bs} now={now} />}
        </Load>
      </Card>
    </div>
  );
}

export function BlockRows({ blocks, now }: { blocks: api.BlockMeta[]; now: number }) {
  if (!blocks.length) return <Empty>No blocks yet.</Empty>;
  return (
    <Table label="Blocks">
      <thead>
        <tr>
          <th>Height</th>
          <th>Hash</th>
          <th class="r">Txs</th>
          <th>Time</th>
          <th class="hide-s">Proposer</th>
        </tr>
      </thead>
      <tbody data-testid="block-rows">
        {blocks.map((b) => (
          <tr key={b.height}>
            <td>
              <HeightLink h={b.height} />
            </td>
            <td>
              <Mono value={b.hash} short={8} href={`#/block/${b.height}`} label="block hash" />
            </td>
            <td class="r num">{b.numTxs}</td>
            <td title={isoTime(b.timeMs)}>{ago(b.timeMs, now)}</td>
            <td class="hide-s">
              <Mono value={b.proposer} short={6} copy={false} />
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
