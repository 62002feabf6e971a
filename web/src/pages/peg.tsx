/** Peg: pegged assets (supply, escrow, attested reserves per network, coverage), window quotas, withdrawals, pauses, insurance fund. */
import * as api from '../api.js';
import { fixed8, percent } from '../format.js';
import { useTick } from '../live.js';
import { Addr, Amount, Card, Empty, ErrorBox, HeightLink, Loading, Mono, Table, useAsync } from '../ui.js';

function Coverage({ c }: { c: number | undefined }) {
  if (c === undefined) return <span class="muted">—</span>;
  return <span class={`badge ${c >= 1 ? 'ok' : c >= 0.98 ? 'warn' : 'bad'}`}>{percent(c)}</span>;
}

function Paused({ p, what }: { p: boolean | undefined; what: string }) {
  if (p === undefined) return <span class="muted">—</span>;
  return p ? <span class="badge bad">{what} paused</span> : <span class="badge ok">{what} open</span>;
}

function ratio(used: string, quota: string): number | undefined {
  const u = Number(used);
  const q = Number(quota);
  return Number.isFinite(u) && q > 0 ? u / q : undefined;
}

export function PegPage() {
  const tick = useTick(3000);
  const peg = useAsync(async () => {
    const [assets, reserves, limits, withdrawals, insurance] = await Promise.all([
      api.pegAssets(),
      api.pegReserves().catch(() => undefined),
      api.pegLimits().catch(() => undefined),
      api.pegWithdrawals().catch(() => undefined),
      api.insurance().catch(() => undefined),
    ]);
    return { assets, reserves, limits, withdrawals, insurance };
  }, [tick]);
  if (!peg.data) return peg.error ? <ErrorBox error={peg.error} what="the peg" /> : <Loading what="peg" />;
  const { assets, reserves, limits, withdrawals, insurance } = peg.data;
  const open = (withdrawals ?? []).filter((w) => !/^(completed|refunded|cancelled|canceled)$/i.test(w.state));
  return (
    <div class="page">
      <h1 class="page-title">Peg</h1>
      {assets === undefined ? (
        <Card title="Pegged assets" id="peg-assets">
          <Empty>
            The peg module is not enabled on this node: it serves no <span class="mono">/api/v1/peg/assets</span>.
          </Empty>
        </Card>
      ) : (
        <>
          <Card title="Pegged assets" id="peg-assets">
            {assets.length === 0 ? (
              <Empty>No pegged assets registered yet.</Empty>
            ) : (
              <Table label="Pegged assets">
                <thead>
                  <tr>
                    <th>Asset</th>
                    <th class="r">Supply</th>
                    <th class="r">Escrow</th>
                    <th>Network</th>
                    <th class="r">Attested reserve</th>
                    <th>Coverage</th>
                    <th>State</th>
                  </tr>
                </thead>
                <tbody data-testid="peg-assets">
                  {assets.flatMap((a) => {
                    const nets = a.networks.length ? a.networks : [undefined];
                    return nets.map((n, i) => (
                      <tr key={`${a.symbol}-${n?.network ?? i}`} data-testid={i === 0 ? `peg-asset-${a.symbol}` : undefined}>
                        <td class="mono">{i === 0 ? a.symbol : ''}</td>
                        <td class="r" data-testid={i === 0 ? 'peg-supply' : undefined}>
                          {i === 0 ? <Amount v={a.supply} /> : ''}
                        </td>
                        <td class="r">{i === 0 ? <Amount v={a.escrow} /> : ''}</td>
                        <td>{n?.network ?? <span class="muted">—</span>}</td>
                        <td class="r">{n ? <Amount v={n.reserve} /> : '—'}</td>
                        <td>
                          <Coverage c={n?.coverage ?? (n && Number(a.supply) > 0 ? Number(n.reserve) / Number(a.supply) : undefined)} />
                        </td>
                        <td class="states">
                          <Paused p={n?.depositPaused ?? a.depositPaused} what="deposits" /> <Paused p={n?.withdrawPaused ?? a.withdrawPaused} what="withdrawals" />
                        </td>
                      </tr>
                    ));
                  })}
                </tbody>
              </Table>
            )}
          </Card>
          {reserves && reserves.length > 0 && (
            <Card title="Reserves by network" id="peg-reserves">
              <Table label="Reserves">
                <thead>
                  <tr>
                    <th>Asset</th>
                    <th>Network</th>
                    <th class="r">Supply</th>
                    <th class="r">Reserve</th>
                    <th>Coverage</th>
                    <th class="hide-s">Attested at</th>
                  </tr>
                </thead>
                <tbody>
                  {reserves.map((r) => (
                    <tr key={`${r.symbol}-${r.network}`}>
                      <td class="mono">{r.symbol}</td>
                      <td>{r.network}</td>
                      <td class="r">
                        <Amount v={r.supply} />
                      </td>
                      <td class="r">
                        <Amount v={r.reserve} />
                      </td>
                      <td>
                        <Coverage c={r.coverage} />
                      </td>
                      <td class="hide-s">{r.height ? <HeightLink h={r.height} /> : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            </Card>
          )}
          <Card title="Window quotas" id="peg-limits">
            {!limits || limits.length === 0 ? (
              <Empty>{limits ? 'No quotas configured.' : 'Quota usage unavailable.'}</Empty>
            ) : (
              <Table label="Window quotas">
                <thead>
                  <tr>
                    <th>Asset</th>
                    <th>Direction</th>
                    <th class="r">Used</th>
                    <th class="r">Quota</th>
                    <th>Window</th>
                  </tr>
                </thead>
                <tbody>
                  {limits.map((l, i) => {
                    const r = ratio(l.used, l.quota);
                    return (
                      <tr key={i}>
                        <td class="mono">
                          {l.symbol}
                          {l.network ? <span class="muted"> · {l.network}</span> : null}
                        </td>
                        <td>{l.direction}</td>
                        <td class="r">
                          <Amount v={l.used} />
                          <div class="bar" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={r === undefined ? undefined : Math.round(r * 100)} aria-label="quota used">
                            <span style={{ width: `${Math.min(100, (r ?? 0) * 100)}%` }} class={r !== undefined && r > 0.9 ? 'hot' : ''} />
                          </div>
                        </td>
                        <td class="r">
                          <Amount v={l.quota} />
                        </td>
                        <td>{l.windowLabel || '—'}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </Table>
            )}
          </Card>
          <Card title={`Pending and delayed withdrawals (${open.length})`} id="peg-withdrawals">
            {!withdrawals ? (
              <Empty>Withdrawal list unavailable.</Empty>
            ) : open.length === 0 ? (
              <Empty>No withdrawals waiting.</Empty>
            ) : (
              <Table label="Withdrawals">
                <thead>
                  <tr>
                    <th>Id</th>
                    <th>Asset</th>
                    <th class="r">Amount</th>
                    <th>State</th>
                    <th class="hide-s">From</th>
                    <th class="hide-s">To (external)</th>
                    <th>Ready at</th>
                  </tr>
                </thead>
                <tbody data-testid="peg-withdrawals">
                  {open.map((w) => (
                    <tr key={w.id}>
                      <td class="num">{w.id}</td>
                      <td class="mono">
                        {w.symbol}
                        {w.network ? <span class="muted"> · {w.network}</span> : null}
                      </td>
                      <td class="r">
                        <Amount v={w.amount} />
                      </td>
                      <td>
                        <span class={`badge ${/delay/i.test(w.state) ? 'warn' : ''}`}>{w.state}</span>
                      </td>
                      <td class="hide-s">
                        <Addr a={w.from} />
                      </td>
                      <td class="hide-s">
                        <Mono value={w.extAddress} short={8} label="external address" />
                      </td>
                      <td>{w.readyHeight ? <span class="num">height {w.readyHeight}</span> : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
          </Card>
        </>
      )}
      <Card title="Insurance fund" id="insurance">
        {!insurance ? (
          <Empty>
            The insurance fund is not served by this node (<span class="mono">/api/v1/insurance</span>).
          </Empty>
        ) : (
          <>
            {insurance.address && (
              <p class="hint">
                Module account <Addr a={insurance.address} short={0} />
              </p>
            )}
            <div class="stats" data-testid="insurance-balance">
              {insurance.balances.length === 0 ? (
                <Empty>The fund holds nothing yet.</Empty>
              ) : (
                insurance.balances.map((b) => (
                  <div class="stat" key={b.symbol}>
                    <div class="stat-l">{b.symbol}</div>
                    <div class="stat-v num">{fixed8(b.amount)}</div>
                  </div>
                ))
              )}
            </div>
            {insurance.history.length > 0 && (
              <Table label="Insurance fund history">
                <thead>
                  <tr>
                    <th>Block</th>
                    <th>Kind</th>
                    <th class="r">Amount</th>
                    <th class="hide-s">Note</th>
                  </tr>
                </thead>
                <tbody>
                  {insurance.history.slice(0, 50).map((h, i) => (
                    <tr key={i}>
                      <td>
                        <HeightLink h={h.height} />
                      </td>
                      <td>{h.kind}</td>
                      <td class="r">
                        <Amount v={h.amount} sym={h.symbol} />
                      </td>
                      <td class="hide-s">{h.note}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
          </>
        )}
      </Card>
    </div>
  );
}
