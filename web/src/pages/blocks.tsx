/** Blocks: the latest blocks (pages of 20), recent transactions, and one block in detail. */
import { useState } from 'preact/hooks';
import * as api from '../api.js';
import { isoTime } from '../format.js';
import { useLive, useTick } from '../live.js';
import { Card, Code, Empty, ErrorBox, HeightLink, Load, Loading, Mono, Table, TxLink, useAsync, useNow } from '../ui.js';
import { BlockRows } from './network.js';

export function BlocksPage() {
  const tick = useTick(1500);
  const now = useNow();
  const { head } = useLive();
  /** undefined = follow the head; a number = a fixed page (no live refresh) */
  const [top, setTop] = useState<number | undefined>(undefined);
  const blocks = useAsync(async () => {
    const h = top ?? (await api.status()).height;
    return h > 0 ? api.blockMetas(h, 20) : [];
  }, [top, top === undefined ? tick : 0]);
  const recentTxs = useAsync(async () => {
    const h = (await api.status()).height;
    const metas = h > 0 ? await api.recentBlocks(h, 60) : [];
    const withTxs = metas.filter((m) => m.numTxs > 0).slice(0, 5);
    return (await Promise.all(withTxs.map((m) => api.txsInBlock(m.height).then((ts) => ts.map((t) => ({ ...t, timeMs: m.timeMs })))))).flat().slice(0, 20);
  }, [tick]);
  const first = blocks.data?.[0]?.height ?? 0;
  const last = blocks.data?.[blocks.data.length - 1]?.height ?? 0;
  return (
    <div class="page">
      <h1 class="page-title">Blocks and transactions</h1>
      <Card
        title={top === undefined ? 'Latest blocks' : `Blocks ${last}–${first}`}
        id="blocks"
        actions={
          <div class="pager">
            <button type="button" disabled={top === undefined} onClick={() => setTop(undefined)}>
              Latest
            </button>
            <button type="button" disabled={top === undefined || top >= (head?.height ?? 0)} onClick={() => setTop(Math.min(head?.height ?? first + 20, first + 20))}>
              Newer
            </button>
            <button type="button" disabled={last <= 1} onClick={() => setTop(Math.max(1, last - 1))}>
              Older
            </button>
          </div>
        }
      >
        <Load a={blocks} what="blocks">
          {(bs) => <BlockRows blocks={bs} now={now} />}
        </Load>
      </Card>
      <Card title="Recent transactions" id="recent-txs">
        <Load a={recentTxs} what="recent transactions">
          {(txs) =>
            txs.length === 0 ? (
              <Empty>No transactions in the last 60 blocks.</Empty>
            ) : (
              <Table label="Recent transactions">
                <thead>
                  <tr>
                    <th>Hash</th>
                    <th>Block</th>
                    <th>Result</th>
                  </tr>
                </thead>
                <tbody data-testid="recent-txs">
                  {txs.map((t) => (
                    <tr key={t.hash}>
                      <td>
                        <TxLink h={t.hash} short={10} />
                      </td>
                      <td>
                        <HeightLink h={t.height} />
                      </td>
                      <td>
                        <Code code={t.code} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )
          }
        </Load>
      </Card>
    </div>
  );
}

export function BlockPage({ height }: { height: number }) {
  const { head } = useLive();
  const b = useAsync(() => api.block(height), [height, head && head.height < height ? head.height : 0]);
  const txs = useAsync(() => api.txsInBlock(height), [height, b.data ? 1 : 0]);
  if (!b.data) {
    if (b.error && head && height > head.height) return <Empty>Block {height} is not produced yet (the chain is at {head.height}); this page fills in once it is.</Empty>;
    return b.error ? <ErrorBox error={b.error} what={`block ${height}`} /> : <Loading what={`block ${height}`} />;
  }
  const d = b.data;
  return (
    <div class="page">
      <h1 class="page-title">
        Block <span class="num">{height}</span>
      </h1>
      <nav class="pager" aria-label="Neighbouring blocks">
        {height > 1 && <a href={`#/block/${height - 1}`}>← {height - 1}</a>}
        {(!head || height < head.height) && <a href={`#/block/${height + 1}`}>{height + 1} →</a>}
      </nav>
      <Card title="Header" id="header">
        <dl class="kv">
          <dt>Hash</dt>
          <dd>
            <Mono value={d.hash} label="block hash" />
          </dd>
          <dt>Time</dt>
          <dd>{isoTime(d.timeMs)}</dd>
          <dt>Transactions</dt>
          <dd>{d.numTxs}</dd>
          <dt>Proposer</dt>
          <dd>
            <Mono value={d.proposer} label="proposer address" />
          </dd>
          <dt>Previous block</dt>
          <dd>{d.lastBlockHash ? <Mono value={d.lastBlockHash} short={10} href={`#/block/${height - 1}`} label="previous block hash" /> : '—'}</dd>
          <dt>App hash</dt>
          <dd>
            <Mono value={d.appHash} short={10} label="app hash" />
          </dd>
        </dl>
      </Card>
      <Card title="Transactions" id="txs">
        <Load a={txs} what="transactions">
          {(ts) =>
            ts.length === 0 ? (
              <Empty>This block has no transactions.</Empty>
            ) : (
              <Table label="Transactions in this block">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>Hash</th>
                    <th>Result</th>
                    <th class="hide-s">Log</th>
                  </tr>
                </thead>
                <tbody>
                  {ts.map((t) => (
                    <tr key={t.hash}>
                      <td class="num">{t.index}</td>
                      <td>
                        <TxLink h={t.hash} short={12} />
                      </td>
                      <td>
                        <Code code={t.code} />
                      </td>
                      <td class="hide-s log">{t.log}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )
          }
        </Load>
      </Card>
      <Card title={`Commit of block ${d.lastCommit.height || height - 1}`} id="commit">
        {d.lastCommit.signatures.length === 0 ? (
          <Empty>No commit signatures (the first block has none).</Empty>
        ) : (
          <Table label="Commit signatures">
            <thead>
              <tr>
                <th>Validator</th>
                <th>Vote</th>
                <th class="hide-s">Time</th>
              </tr>
            </thead>
            <tbody>
              {d.lastCommit.signatures.map((s) => (
                <tr key={s.validator}>
                  <td>
                    <Mono value={s.validator} short={10} label="validator address" />
                  </td>
                  <td>{s.flag === 2 ? <span class="badge ok">signed</span> : s.flag === 3 ? <span class="badge warn">nil</span> : <span class="badge bad">absent</span>}</td>
                  <td class="hide-s">{isoTime(s.timeMs)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </div>
  );
}
