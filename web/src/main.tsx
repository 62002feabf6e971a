/** The app shell: header with search and live status, hash routing, pages. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './style.css';
import { isAddress, isHeight, isTxHash } from './format.js';
import { live, useLive } from './live.js';
import { AccountPage } from './pages/account.js';
import { BlockPage, BlocksPage } from './pages/blocks.js';
import { MarketsPage } from './pages/markets.js';
import { NetworkPage } from './pages/network.js';
import { PegPage } from './pages/peg.js';
import { TokensPage } from './pages/tokens.js';
import { TxPage } from './pages/tx.js';
import { Empty } from './ui.js';

type Route =
  | { page: 'network' }
  | { page: 'blocks' }
  | { page: 'block'; height: number }
  | { page: 'tx'; hash: string }
  | { page: 'account'; address: string }
  | { page: 'tokens'; filter?: string }
  | { page: 'markets'; symbol?: string }
  | { page: 'peg' }
  | { page: 'notfound'; what: string };

function parse(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const [p, a] = parts;
  switch (p) {
    case '':
    case undefined:
    case 'network':
      return { page: 'network' };
    case 'blocks':
      return { page: 'blocks' };
    case 'block':
      return a && isHeight(a) ? { page: 'block', height: Number(a) } : { page: 'notfound', what: `block “${a ?? ''}”` };
    case 'tx':
      return a && isTxHash(a) ? { page: 'tx', hash: a } : { page: 'notfound', what: `“${a ?? ''}” is not a transaction hash (64 hex characters)` };
    case 'account':
      return a ? { page: 'account', address: a } : { page: 'notfound', what: 'account' };
    case 'tokens':
      return { page: 'tokens', filter: a };
    case 'markets':
      return { page: 'markets', symbol: a };
    case 'peg':
      return { page: 'peg' };
    case 'search':
      return searchRoute(a ?? '') ?? { page: 'notfound', what: `nothing matches “${a ?? ''}”: search a block height, a tx hash (64 hex), an address or a token symbol` };
    default:
      return { page: 'notfound', what: `page “${p}”` };
  }
}

/** What the search box understands: height, tx hash, address, pair, token symbol. */
function searchRoute(q: string): Route | undefined {
  const s = q.trim();
  if (!s) return undefined;
  if (isHeight(s)) return { page: 'block', height: Number(s) };
  if (isTxHash(s)) return { page: 'tx', hash: s.replace(/^0x/i, '').toUpperCase() };
  if (isAddress(s.toLowerCase())) return { page: 'account', address: s.toLowerCase() };
  if (/^[A-Z0-9.-]{2,20}_[A-Z0-9.-]{2,20}$/i.test(s)) return { page: 'markets', symbol: s.toUpperCase() };
  if (/^[A-Z0-9]{2,8}(-[0-9A-F]{3})?$/i.test(s)) return { page: 'tokens', filter: s.toUpperCase() };
  return undefined;
}

function routeHash(r: Route): string {
  switch (r.page) {
    case 'block':
      return `#/block/${r.height}`;
    case 'tx':
      return `#/tx/${r.hash}`;
    case 'account':
      return `#/account/${r.address}`;
    case 'markets':
      return `#/markets/${r.symbol ?? ''}`;
    case 'tokens':
      return `#/tokens/${r.filter ?? ''}`;
    default:
      return `#/${r.page}`;
  }
}

function useRoute(): Route {
  const [r, set] = useState(() => parse(location.hash));
  useEffect(() => {
    const on = () => {
      set(parse(location.hash));
      window.scrollTo(0, 0);
      // move focus to the new page for keyboard and screen-reader users
      document.getElementById('main')?.focus({ preventScroll: true });
    };
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return r;
}

const NAV: { page: Route['page']; label: string; href: string; also?: Route['page'][] }[] = [
  { page: 'network', label: 'Network', href: '#/' },
  { page: 'blocks', label: 'Blocks', href: '#/blocks', also: ['block', 'tx'] },
  { page: 'tokens', label: 'Tokens', href: '#/tokens' },
  { page: 'markets', label: 'Markets', href: '#/markets' },
  { page: 'peg', label: 'Peg', href: '#/peg' },
];

function Search() {
  const [q, setQ] = useState('');
  const [msg, setMsg] = useState('');
  return (
    <form
      class="search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        const r = searchRoute(q);
        if (!r) {
          setMsg(q.trim() ? `Nothing matches “${q.trim()}”` : '');
          return;
        }
        setMsg('');
        location.hash = routeHash(r);
        setQ('');
      }}
    >
      <label for="q" class="sr-only">
        Search by block height, tx hash, address or token
      </label>
      <input id="q" name="q" type="search" placeholder="Height, tx hash, address, token…" value={q} autocomplete="off" spellcheck={false} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
      <button type="submit">Search</button>
      {msg && (
        <span class="search-msg" role="status">
          {msg}
        </span>
      )}
    </form>
  );
}

function LiveBadge() {
  const { head, conn } = useLive();
  const label = conn === 'live' ? 'live' : conn === 'polling' ? 'polling' : conn === 'down' ? 'node unreachable' : 'connecting';
  return (
    <div class={`livebadge ${conn}`} data-testid="live" title={conn === 'live' ? 'updates arrive over the node websocket' : conn === 'polling' ? 'websocket unavailable: refreshing every 2 s' : ''}>
      <span class="dot" aria-hidden="true" />
      <span>{label}</span>
      {head ? (
        <a class="num" href={`#/block/${head.height}`} data-testid="head-height">
          #{head.height}
        </a>
      ) : null}
    </div>
  );
}

function App() {
  const route = useRoute();
  const { conn } = useLive();
  useEffect(() => live.start(), []);
  useEffect(() => {
    const names: Record<string, string> = { network: 'Network', blocks: 'Blocks', block: 'Block', tx: 'Transaction', account: 'Account', tokens: 'Tokens', markets: 'Markets', peg: 'Peg' };
    document.title = `${names[route.page] ?? 'Not found'} · dexchain explorer`;
  }, [route]);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <div class="top-row">
          <a class="brand" href="#/">
            <img src="./favicon.svg" alt="" width={22} height={22} />
            dexchain
          </a>
          <nav aria-label="Main">
            {NAV.map((n) => (
              <a key={n.page} href={n.href} aria-current={route.page === n.page || n.also?.includes(route.page) ? 'page' : undefined}>
                {n.label}
              </a>
            ))}
          </nav>
          <LiveBadge />
        </div>
        <Search />
      </header>
      {conn === 'down' && (
        <div class="banner" role="alert">
          The node is not reachable. Showing the last data loaded; the page reconnects by itself.
        </div>
      )}
      <main id="main" tabIndex={-1}>
        {route.page === 'network' && <NetworkPage />}
        {route.page === 'blocks' && <BlocksPage />}
        {route.page === 'block' && <BlockPage height={route.height} key={route.height} />}
        {route.page === 'tx' && <TxPage hash={route.hash} key={route.hash} />}
        {route.page === 'account' && <AccountPage address={route.address} key={route.address} />}
        {route.page === 'tokens' && <TokensPage filter={route.filter} key={route.filter ?? ''} />}
        {route.page === 'markets' && <MarketsPage symbol={route.symbol} />}
        {route.page === 'peg' && <PegPage />}
        {route.page === 'notfound' && (
          <div class="page">
            <h1 class="page-title">Not found</h1>
            <Empty>{route.what}</Empty>
          </div>
        )}
      </main>
      <footer class="foot">
        Served by this dexchain node · data from its <a href="api/v1/node-info">/api/v1</a> and <a href="status">RPC</a> · live over <span class="mono">/api/ws</span>
      </footer>
    </>
  );
}

render(<App />, document.getElementById('app')!);
