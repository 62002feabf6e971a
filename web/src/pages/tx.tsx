/** One transaction, decoded: result, messages (with amounts and addresses), events, raw JSON. */
import type { ComponentChildren } from 'preact';
import * as api from '../api.js';
import { isoTime } from '../format.js';
import { useTick } from '../live.js';
import { Addr, Amount, Card, Code, Empty, ErrorBox, HeightLink, Loading, Mono, Table, useAsync } from '../ui.js';

const isAddr = (v: unknown): v is string => typeof v === 'string' && /^[a-z]{1,16}1[02-9ac-hj-np-z]{38,90}$/.test(v);
const isCoin = (v: unknown): v is { denom: string; amount: string | number } => !!v && typeof v === 'object' && 'denom' in v && 'amount' in v;
const AMOUNT_KEYS = /^(amount|total_supply|quantity|price|fee)$/i;

/** Renders a message field: addresses link to their account, coins show fixed-8 amounts. */
function Field({ k, v }: { k: string; v: unknown }): ComponentChildren {
  if (isAddr(v)) return <Addr a={v} short={0} />;
  if (isCoin(v)) return <Amount v={api.units8(v.amount)} sym={v.denom} />;
  if (Array.isArray(v)) {
    if (v.length === 0) return <span class="muted">none</span>;
    return (
      <ul class="plain">
        {v.map((x, i) => (
          <li key={i}>
            <Field k={k} v={x} />
          </li>
        ))}
      </ul>
    );
  }
  if (v && typeof v === 'object') {
    return (
      <dl class="kv inner">
        {Object.entries(v as Record<string, unknown>).map(([kk, vv]) => (
          <>
            <dt>{kk}</dt>
            <dd>
              <Field k={kk} v={vv} />
            </dd>
          </>
        ))}
      </dl>
    );
  }
  if ((typeof v === 'string' || typeof v === 'number') && AMOUNT_KEYS.test(k) && /^\d+$/.test(String(v))) return <Amount v={api.units8(v)} />;
  return <span class="mono-soft">{String(v)}</span>;
}

export function TxPage({ hash }: { hash: string }) {
  const h = hash.replace(/^0x/i, '').toUpperCase();
  // a tx not found yet may still be in the mempool: retry on each new block
  const tick = useTick(1000);
  const t = useAsync(() => api.tx(h), [h, tick]);
  if (!t.data) {
    if (t.error instanceof api.ApiError && t.error.kind === 'notFound')
      return (
        <div class="page">
          <h1 class="page-title">Transaction</h1>
          <Empty>
            <p>
              No transaction <span class="mono">{h}</span> on this node.
            </p>
            <p class="muted">If it was just sent it may still be waiting in the mempool; this page keeps checking. Otherwise check the hash, or the node may have pruned it.</p>
          </Empty>
        </div>
      );
    return t.error ? <ErrorBox error={t.error} what={`transaction ${h}`} /> : <Loading what="transaction" />;
  }
  const d = t.data;
  return (
    <div class="page">
      <h1 class="page-title">Transaction</h1>
      <Card title="Summary" id="summary">
        <dl class="kv">
          <dt>Hash</dt>
          <dd data-testid="tx-hash">
            <Mono value={d.hash} label="tx hash" />
          </dd>
          <dt>Result</dt>
          <dd data-testid="tx-result">
            <Code code={d.code} /> {d.log && <span class="log">{d.log}</span>}
          </dd>
          <dt>Block</dt>
          <dd>
            <HeightLink h={d.height} /> <span class="muted">(index {d.index})</span>
          </dd>
          {d.memo ? (
            <>
              <dt>Memo</dt>
              <dd>{d.memo}</dd>
            </>
          ) : null}
          {d.data ? (
            <>
              <dt>Data</dt>
              <dd class="mono-soft">{d.data}</dd>
            </>
          ) : null}
          {d.signers.length ? (
            <>
              <dt>Signers</dt>
              <dd>
                {d.signers.map((s) => (
                  <Addr key={s} a={s} short={0} />
                ))}
              </dd>
            </>
          ) : null}
        </dl>
      </Card>
      <Card title={`Messages (${d.msgs.length})`} id="msgs">
        {d.msgs.length === 0 ? (
          <Empty>The node could not decode this transaction's messages; the raw form is below.</Empty>
        ) : (
          d.msgs.map((m, i) => (
            <div class="msg" key={i}>
              <div class="msg-type" data-testid="msg-type">
                {m.type}
              </div>
              <dl class="kv">
                {Object.entries(m.value).map(([k, v]) => (
                  <>
                    <dt>{k}</dt>
                    <dd>
                      <Field k={k} v={v} />
                    </dd>
                  </>
                ))}
              </dl>
            </div>
          ))
        )}
      </Card>
      <Card title="Events" id="events">
        {d.events.length === 0 ? (
          <Empty>No events.</Empty>
        ) : (
          <Table label="Events">
            <thead>
              <tr>
                <th>Type</th>
                <th>Key</th>
                <th>Value</th>
              </tr>
            </thead>
            <tbody>
              {d.events.flatMap((e, i) =>
                (e.attributes.length ? e.attributes : [{ key: '', value: '' }]).map((a, j) => (
                  <tr key={`${i}-${j}`}>
                    <td>{j === 0 ? e.type : ''}</td>
                    <td class="mono-soft">{a.key}</td>
                    <td class="break">{isAddr(a.value) ? <Addr a={a.value} short={0} /> : <span class="mono-soft">{a.value}</span>}</td>
                  </tr>
                )),
              )}
            </tbody>
          </Table>
        )}
      </Card>
      <Card title="Raw" id="raw">
        <details>
          <summary>Decoded transaction as JSON</summary>
          <pre class="raw">{JSON.stringify(d.raw, null, 2)}</pre>
        </details>
      </Card>
    </div>
  );
}
