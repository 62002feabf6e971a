/** Markets: pairs with last price and 24 h change; for one pair candles, depth, book, trades, open orders. */
import { useCallback, useState } from 'preact/hooks';
import * as api from '../api.js';
import { CandleChart, DepthChart } from '../charts.js';
import { ago, fixed8, isAddress, signedPercent } from '../format.js';
import { useStream, useTick, type StreamFrame } from '../live.js';
import { Addr, Amount, Card, Empty, ErrorBox, Load, Loading, Table, useAsync, useNow } from '../ui.js';
import { OrdersTable } from './account.js';

const INTERVALS = ['1m', '5m', '15m', '1h', '4h', '1d'];
const ADDR_KEY = 'dexchain.orders.address';

function changeClass(p: string): string {
  const n = Number(p);
  return !p || !Number.isFinite(n) || n === 0 ? '' : n > 0 ? 'up' : 'down';
}

export function MarketsPage({ symbol }: { symbol?: string }) {
  const tick = useTick(2000);
  const mk = useAsync(async () => {
    const [markets, tickers] = await Promise.all([api.markets(), api.tickers().catch(() => [] as api.Ticker[])]);
    return { markets, tickers: new Map(tickers.map((t) => [t.symbol, t])) };
  }, [tick]);
  if (!mk.data) return mk.error ? <ErrorBox error={mk.error} what="markets" /> : <Loading what="markets" />;
  const { markets, tickers } = mk.data;
  if (markets === undefined)
    return (
      <div class="page">
        <h1 class="page-title">Markets</h1>
        <Empty>The DEX is not enabled on this node: it serves no <span class="mono">/api/v1/markets</span>.</Empty>
      </div>
    );
  const current = symbol ?? markets[0]?.symbol;
  return (
    <div class="page">
      <h1 class="page-title">Markets</h1>
      <div class={current ? 'markets' : ''}>
        <Card title="Pairs" id="pairs">
          {markets.length === 0 ? (
            <Empty>No trading pairs listed yet. Pairs appear here once a listing proposal passes and the pair is listed.</Empty>
          ) : (
            <Table label="Trading pairs">
              <thead>
                <tr>
                  <th>Pair</th>
                  <th class="r">Last price</th>
                  <th class="r">24 h</th>
                </tr>
              </thead>
              <tbody data-testid="pairs">
                {markets.map((m) => {
                  const t = tickers.get(m.symbol);
                  return (
                    <tr key={m.symbol} class={m.symbol === current ? 'sel' : ''}>
                      <td>
                        <a class="nowrap" href={`#/markets/${m.symbol}`} aria-current={m.symbol === current ? 'page' : undefined}>
                          {m.base}/{m.quote}
                        </a>
                      </td>
                      <td class="r">
                        <Amount v={t?.lastPrice || m.listPrice} />
                      </td>
                      <td class={`r num ${changeClass(t?.changePercent ?? '')}`}>{signedPercent(t?.changePercent)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </Table>
          )}
        </Card>
        {current ? <Pair symbol={current} market={markets.find((m) => m.symbol === current)} ticker={tickers.get(current)} tick={tick} /> : null}
      </div>
    </div>
  );
}

function Pair({ symbol, market, ticker, tick }: { symbol: string; market?: api.Market; ticker?: api.Ticker; tick: number }) {
  const now = useNow(5000);
  const [interval, setInterval] = useState('1m');
  const [addr, setAddr] = useState(() => localStorage.getItem(ADDR_KEY) ?? '');
  const [liveTrades, setLiveTrades] = useState<api.Trade[]>([]);
  const depth = useAsync(() => api.depth(symbol, 50), [symbol, tick]);
  const trades = useAsync(() => api.trades(symbol, 50), [symbol, tick]);
  const klines = useAsync(() => api.klines(symbol, interval, 300), [symbol, interval, tick]);
  const orders = useAsync(() => (isAddress(addr) ? api.openOrders(addr, symbol) : Promise.resolve(undefined)), [symbol, addr, tick]);
  // trades arrive on the socket before the REST refresh: show them at once
  const onTrades = useCallback(
    (f: StreamFrame) => {
      const list = ((f.data as { trades?: unknown[] })?.trades ?? []).map((t) => ({ ...api.tradeOf(t), height: api.tradeOf(t).height || f.height }));
      setLiveTrades((prev) => [...list.reverse(), ...prev].slice(0, 50));
    },
    [symbol],
  );
  useStream('trades', { symbols: [symbol] }, onTrades);
  if (!market) return <Empty>Pair {symbol} is not listed on this chain.</Empty>;
  const seen = new Set((trades.data ?? []).map((t) => t.id));
  const allTrades = [...liveTrades.filter((t) => !t.id || !seen.has(t.id)), ...(trades.data ?? [])].slice(0, 50);
  return (
    <div class="pair">
      <Card title={`${market.base} / ${market.quote}`} id="pair">
        <div class="stats">
          <div class="stat" data-testid="last-price">
            <div class="stat-l">Last price</div>
            <div class="stat-v num">{fixed8(ticker?.lastPrice || market.listPrice)}</div>
          </div>
          <div class="stat">
            <div class="stat-l">24 h change</div>
            <div class={`stat-v num ${changeClass(ticker?.changePercent ?? '')}`}>{signedPercent(ticker?.changePercent)}</div>
          </div>
          <div class="stat">
            <div class="stat-l">24 h high / low</div>
            <div class="stat-v num small">
              {fixed8(ticker?.high)} / {fixed8(ticker?.low)}
            </div>
          </div>
          <div class="stat">
            <div class="stat-l">24 h volume</div>
            <div class="stat-v num small">{fixed8(ticker?.volume)}</div>
          </div>
          <div class="stat">
            <div class="stat-l">Tick / lot</div>
            <div class="stat-v num small">
              {fixed8(market.tickSize)} / {fixed8(market.lotSize)}
            </div>
          </div>
        </div>
      </Card>
      <Card
        title="Candles"
        id="candles"
        actions={
          <div class="seg" role="group" aria-label="Candle interval">
            {INTERVALS.map((i) => (
              <button type="button" key={i} aria-pressed={i === interval} onClick={() => setInterval(i)}>
                {i}
              </button>
            ))}
          </div>
        }
      >
        <Load a={klines} what="candles">
          {(ks) => (ks.length ? <CandleChart klines={ks} label={`${symbol} candles, ${interval}`} /> : <Empty>No trades yet, so no candles.</Empty>)}
        </Load>
      </Card>
      <div class="grid2">
        <Card title="Depth" id="depth">
          <Load a={depth} what="order book">
            {(d) =>
              !d ? (
                <Empty>No order book for {symbol}.</Empty>
              ) : d.bids.length + d.asks.length === 0 ? (
                <Empty>The order book is empty.</Empty>
              ) : (
                <>
                  <DepthChart depth={d} label={`${symbol} depth: cumulative bids and asks`} />
                  <Book depth={d} />
                </>
              )
            }
          </Load>
        </Card>
        <Card title="Recent trades" id="trades">
          {trades.error && !trades.data ? (
            <ErrorBox error={trades.error} what="trades" />
          ) : allTrades.length === 0 ? (
            trades.loading && !trades.data ? <Loading what="trades" /> : <Empty>No trades yet on {symbol}.</Empty>
          ) : (
            <Table label="Recent trades">
              <thead>
                <tr>
                  <th class="r">Price</th>
                  <th class="r">Quantity</th>
                  <th>Block</th>
                  <th class="hide-s">Time</th>
                </tr>
              </thead>
              <tbody data-testid="trades">
                {allTrades.map((t, i) => (
                  <tr key={t.id || i}>
                    <td class={`r ${t.side === 'BUY' ? 'up' : t.side === 'SELL' ? 'down' : ''}`}>
                      <Amount v={t.price} />
                    </td>
                    <td class="r">
                      <Amount v={t.quantity} />
                    </td>
                    <td>{t.height ? <a href={`#/block/${t.height}`}>{t.height}</a> : '—'}</td>
                    <td class="hide-s">{ago(t.timeMs, now)}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </Card>
      </div>
      <Card
        title="Open orders of an account"
        id="pair-orders"
        actions={
          <label class="inline">
            <span class="sr-only">Account address</span>
            <input
              type="search"
              placeholder="Address (tbnb1…)"
              value={addr}
              spellcheck={false}
              onChange={(e) => {
                const v = (e.target as HTMLInputElement).value.trim();
                setAddr(v);
                localStorage.setItem(ADDR_KEY, v);
              }}
            />
          </label>
        }
      >
        {!addr ? (
          <Empty>Enter an address to see its open orders on {symbol}.</Empty>
        ) : !isAddress(addr) ? (
          <Empty>“{addr}” is not an address.</Empty>
        ) : (
          <Load a={orders} what="open orders">
            {(os) => (
              <>
                <p class="hint">
                  Orders of <Addr a={addr} />
                </p>
                <OrdersTable orders={os ?? []} />
              </>
            )}
          </Load>
        )}
      </Card>
    </div>
  );
}

function Book({ depth }: { depth: api.Depth }) {
  const asks = [...depth.asks].sort((a, b) => Number(a[0]) - Number(b[0])).slice(0, 10).reverse();
  const bids = [...depth.bids].sort((a, b) => Number(b[0]) - Number(a[0])).slice(0, 10);
  return (
    <Table label="Order book">
      <thead>
        <tr>
          <th class="r">Price</th>
          <th class="r">Quantity</th>
        </tr>
      </thead>
      <tbody data-testid="book">
        {asks.map(([p, q]) => (
          <tr key={`a${p}`} class="ask">
            <td class="r down">
              <Amount v={p} />
            </td>
            <td class="r">
              <Amount v={q} />
            </td>
          </tr>
        ))}
        <tr class="spread">
          <td colSpan={2}>{depth.height ? `book at height ${depth.height}` : ''}</td>
        </tr>
        {bids.map(([p, q]) => (
          <tr key={`b${p}`} class="bid">
            <td class="r up">
              <Amount v={p} />
            </td>
            <td class="r">
              <Amount v={q} />
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
