/** An account: balances (free / locked / frozen), open orders, recent transactions. */
import * as api from '../api.js';
import { ago, isoTime } from '../format.js';
import { useTick } from '../live.js';
import { Addr, Amount, Card, Code, Empty, ErrorBox, HeightLink, Load, Loading, Mono, Table, TxLink, useAsync, useNow } from '../ui.js';

export function OrdersTable({ orders, showOwner = false }: { orders: api.Order[]; showOwner?: boolean }) {
  if (orders.length === 0) return <Empty>No open orders.</Empty>;
  return (
    <Table label="Open orders">
      <thead>
        <tr>
          <th>Pair</th>
          <th>Side</th>
          <th class="r">Price</th>
          <th class="r">Quantity</th>
          <th class="r">Filled</th>
          {showOwner && <th>Owner</th>}
          <th class="hide-s">Order id</th>
        </tr>
      </thead>
      <tbody data-testid="open-orders">
        {orders.map((o) => (
          <tr key={o.id}>
            <td>
              <a href={`#/markets/${o.symbol}`}>{o.symbol}</a>
            </td>
            <td class={o.side === 'BUY' ? 'up' : 'down'}>{o.side}</td>
            <td class="r">
              <Amount v={o.price} />
            </td>
            <td class="r">
              <Amount v={o.quantity} />
            </td>
            <td class="r">
              <Amount v={o.filled || '0'} />
            </td>
            {showOwner && (
              <td>
                <Addr a={o.owner} />
              </td>
            )}
            <td class="hide-s">
              <Mono value={o.id} short={8} label="order id" />
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

export function AccountPage({ address }: { address: string }) {
  const tick = useTick(2000);
  const now = useNow(5000);
  const acc = useAsync(() => api.account(address), [address, tick]);
  const orders = useAsync(() => api.openOrders(address), [address, tick]);
  const txs = useAsync(() => api.accountTxs(address, 25), [address, tick]);
  if (acc.data === undefined) return acc.error ? <ErrorBox error={acc.error} what={`account ${address}`} /> : <Loading what="account" />;
  const a = acc.data;
  return (
    <div class="page">
      <h1 class="page-title">Account</h1>
      <Card id="acct">
        <dl class="kv">
          <dt>Address</dt>
          <dd data-testid="account-address">
            <Mono value={address} label="address" />
          </dd>
          {a && (
            <>
              <dt>Account number</dt>
              <dd class="num">{a.accountNumber}</dd>
              <dt>Sequence</dt>
              <dd class="num">{a.sequence}</dd>
              <dt>Flags</dt>
              <dd class="num">{a.flags === 1 ? '1 (memo required on incoming transfers)' : a.flags}</dd>
            </>
          )}
        </dl>
      </Card>
      <Card title="Balances" id="balances">
        {!a ? (
          <Empty>This address has no account on chain yet: it has never received coins.</Empty>
        ) : a.balances.length === 0 ? (
          <Empty>No balances.</Empty>
        ) : (
          <Table label="Balances">
            <thead>
              <tr>
                <th>Asset</th>
                <th class="r">Free</th>
                <th class="r">Locked</th>
                <th class="r">Frozen</th>
              </tr>
            </thead>
            <tbody data-testid="balances">
              {a.balances.map((b) => (
                <tr key={b.symbol}>
                  <td>{b.symbol}</td>
                  <td class="r">
                    <Amount v={b.free} />
                  </td>
                  <td class="r">
                    <Amount v={b.locked} />
                  </td>
                  <td class="r">
                    <Amount v={b.frozen} />
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
      <Card title="Open orders" id="orders">
        <Load a={orders} what="open orders">
          {(os) => <OrdersTable orders={os} />}
        </Load>
      </Card>
      <Card title={`Recent transactions${txs.data ? ` (${txs.data.total})` : ''}`} id="account-txs">
        <Load a={txs} what="transactions">
          {(r) =>
            r.txs.length === 0 ? (
              <Empty>No transactions for this address.</Empty>
            ) : (
              <Table label="Transactions of this account">
                <thead>
                  <tr>
                    <th>Hash</th>
                    <th>Type</th>
                    <th>Block</th>
                    <th class="hide-s">From</th>
                    <th class="hide-s">To</th>
                    <th class="r">Value</th>
                    <th>Result</th>
                    <th class="hide-s">Time</th>
                  </tr>
                </thead>
                <tbody data-testid="account-txs">
                  {r.txs.map((t) => (
                    <tr key={t.hash}>
                      <td>
                        <TxLink h={t.hash} short={6} />
                      </td>
                      <td>{t.type}</td>
                      <td>
                        <HeightLink h={t.height} />
                      </td>
                      <td class="hide-s">{t.from === address ? <span class="muted">this</span> : <Addr a={t.from} short={6} />}</td>
                      <td class="hide-s">{t.to === address ? <span class="muted">this</span> : <Addr a={t.to} short={6} />}</td>
                      <td class="r">{t.value ? <Amount v={t.value} sym={t.asset ?? ''} /> : <span class="muted">—</span>}</td>
                      <td>
                        <Code code={t.code} />
                      </td>
                      <td class="hide-s" title={isoTime(t.timeMs)}>
                        {ago(t.timeMs, now)}
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
