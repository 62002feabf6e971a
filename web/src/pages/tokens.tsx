/** Tokens issued on the chain, filterable. */
import { useState } from 'preact/hooks';
import * as api from '../api.js';
import { useTick } from '../live.js';
import { Addr, Amount, Card, Empty, Load, Table, useAsync } from '../ui.js';

export function TokensPage({ filter = '' }: { filter?: string }) {
  const tick = useTick(5000);
  const [q, setQ] = useState(filter);
  const toks = useAsync(api.tokens, [tick]);
  return (
    <div class="page">
      <h1 class="page-title">Tokens</h1>
      <Card
        id="tokens"
        title={toks.data ? `${toks.data.length} tokens` : 'Tokens'}
        actions={
          <label class="inline">
            <span class="sr-only">Filter tokens</span>
            <input type="search" placeholder="Filter by symbol, name or owner" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
          </label>
        }
      >
        <Load a={toks} what="tokens">
          {(ts) => {
            const needle = q.trim().toLowerCase();
            const shown = needle ? ts.filter((t) => `${t.symbol} ${t.name} ${t.owner}`.toLowerCase().includes(needle)) : ts;
            if (ts.length === 0) return <Empty>No tokens issued yet.</Empty>;
            if (shown.length === 0) return <Empty>No token matches “{q}”.</Empty>;
            return (
              <Table label="Tokens">
                <thead>
                  <tr>
                    <th>Symbol</th>
                    <th>Name</th>
                    <th class="r">Total supply</th>
                    <th>Owner</th>
                    <th>Mintable</th>
                  </tr>
                </thead>
                <tbody data-testid="tokens">
                  {shown.map((t) => (
                    <tr key={t.symbol}>
                      <td class="mono">{t.symbol}</td>
                      <td>{t.name}</td>
                      <td class="r">
                        <Amount v={t.totalSupply} />
                      </td>
                      <td>
                        <Addr a={t.owner} />
                      </td>
                      <td>{t.mintable ? 'yes' : 'no'}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            );
          }}
        </Load>
      </Card>
    </div>
  );
}
