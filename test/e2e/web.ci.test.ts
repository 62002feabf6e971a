/**
 * The web page in a real browser against a real node: headless Chromium (playwright-core)
 * drives the page the node serves while the CLI sends txs; each tx must show up on its page,
 * search must find it, and new blocks must appear without a reload.
 *
 * Until `dexchain start` mounts the page and the websocket itself, the node is started through
 * test/e2e/web-runner.ts (the same compiled node plus the mount). A peg deposit attested by two
 * custodians through the CLI must show on the peg page and the account. Screenshots of the main pages
 * go to test/e2e/screenshots/, and network / markets / peg are copied to docs/screenshots/.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { NodeProcess, ROOT, cleanup, cli, cliJson, freePort, sleep, tempDir, until } from './harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test', 'e2e', 'screenshots');
const DOCS = join(ROOT, 'docs', 'screenshots');
const WEB_DIST = join(ROOT, 'web', 'dist');

/** A node started through the test runner that adds the web mount and the websocket. */
class WebRunnerProcess extends NodeProcess {
  override start(): void {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test', 'e2e', 'web-runner.ts'), '--home', this.home, '--rpc.laddr', `tcp://127.0.0.1:${this.port}`, '--consensus.timeout_commit_ms', '300', '--log_level', 'warn'],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT },
    );
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.child = child;
  }
}

async function servesHtml(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
    return r.ok && (r.headers.get('content-type') ?? '').startsWith('text/html') && (await r.text()).includes('<div id="app">');
  } catch {
    return false;
  }
}

describe('e2e: the web page in a real browser', function () {
  this.timeout(300_000);
  let home: string;
  let node: NodeProcess;
  let webSymbol = '';
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let alice: string;
  let bob: string;
  let common: string[];
  const chainId = `e2e-web-${process.pid}`;
  const requests: string[] = [];
  const pageErrors: string[] = [];
  let sendHash = '';

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.warn(`    (skipped: no Chromium at ${CHROMIUM}; set CHROMIUM_PATH)`);
      this.skip();
    }
    if (!existsSync(join(WEB_DIST, 'index.html'))) {
      const b = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'web'], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
      assert.equal(b.status, 0, `vite build web failed: ${b.stderr}`);
    }
    mkdirSync(SHOTS, { recursive: true });
    home = tempDir('web');
    cliJson(['init', '--home', home, '--chain-id', chainId, '--moniker', 'web-e2e']);
    alice = cliJson<{ address: string }>(['keys', 'add', 'alice', '--keyring-backend', 'test', '--home', home]).address;
    bob = cliJson<{ address: string }>(['keys', 'add', 'bob', '--keyring-backend', 'test', '--home', home]).address;
    cliJson(['genesis', 'add-account', alice, '100000:BNB', '--home', home]);
    // a token of alice's with a BNB pair from genesis, for the crossing-orders check
    webSymbol = cliJson<{ symbol: string }>(['genesis', 'add-token', 'WEB', '1000000', '--owner', alice, '--name', 'Web Token', '--home', home]).symbol;
    cliJson(['genesis', 'add-pair', webSymbol, 'BNB', '--price', '1', '--home', home]);

    // the real CLI first; fall back to the runner while the node does not mount the page
    node = new NodeProcess(home, await freePort(), ['--consensus.timeout_commit_ms', '300']);
    node.start();
    await node.waitReady(1);
    if (!(await servesHtml(node.url))) {
      console.warn('    (dexchain start does not serve the web page yet: using test/e2e/web-runner.ts)');
      await node.stop();
      node = new WebRunnerProcess(home, await freePort());
      node.start();
      await node.waitReady(1, 60_000);
      assert.ok(await servesHtml(node.url), `the runner does not serve the page: ${node.tail()}`);
    }
    common = ['--keyring-backend', 'test', '--home', home, '--node', node.url];

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: node.url });
    page = await ctx.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('websocket', (ws) => requests.push(ws.url()));
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await browser?.close();
    await node?.stop();
    if (home) cleanup(home);
  });

  const go = async (hash: string): Promise<void> => {
    await page.evaluate((h) => (location.hash = h), hash);
  };
  const shot = async (name: string, p: Page = page): Promise<void> => {
    await sleep(600); // let charts finish their first draw
    await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };

  it('serves the page: HTML to browsers, JSON to scripts, hashed assets cached, a strict CSP', async () => {
    const html = await fetch(`${node.url}/`, { headers: { accept: 'text/html' } });
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-security-policy') ?? '', /connect-src 'self'/);
    assert.equal(html.headers.get('cache-control'), 'no-cache');
    const etag = html.headers.get('etag')!;
    const again = await fetch(`${node.url}/`, { headers: { accept: 'text/html', 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const body = await html.text();
    const js = /src="\.\/(assets\/[^"]+\.js)"/.exec(body)?.[1];
    assert.ok(js, 'index.html references its script with a relative path');
    const a = await fetch(`${node.url}/${js}`);
    assert.equal(a.status, 200);
    assert.match(a.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(a.headers.get('cache-control') ?? '', /immutable/);
    const json = (await (await fetch(`${node.url}/`)).json()) as { name: string };
    assert.equal(json.name, 'dexchain');
    assert.equal((await fetch(`${node.url}/assets/..%2F..%2Fpackage.json`)).status, 404);
    const st = (await (await fetch(`${node.url}/status`)).json()) as { result: unknown };
    assert.ok(st.result, 'CometBFT routes still answer next to the page');
  });

  it('network page: height, validators signing the last blocks, and live updates without reload', async () => {
    await page.goto(`${node.url}/#/`);
    await page.getByTestId('height').waitFor();
    await page.locator('[data-testid="live"].live').waitFor({ timeout: 15_000 });
    await page.evaluate(() => ((window as unknown as { __noReload: number }).__noReload = 1));
    const h0 = Number((await page.getByTestId('head-height').textContent())!.replace('#', ''));
    await page.waitForFunction((h) => Number(document.querySelector('[data-testid="head-height"]')?.textContent?.replace('#', '')) > h + 1, h0, { timeout: 20_000 });
    // the network page's own height stat follows too
    await page.waitForFunction((h) => Number(document.querySelector('[data-testid="height"] .stat-v')?.textContent) > h, h0, { timeout: 20_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { __noReload?: number }).__noReload), 1, 'the page was not reloaded');
    await page.locator('.sig.yes').first().waitFor();
    const signed = await page.locator('#validators tbody tr').first().textContent();
    assert.match(signed ?? '', /(\d+)\/\1/, 'the only validator signed every recent block');
    await page.getByTestId('interval-chart').locator('canvas').first().waitFor();
    await shot('network');
  });

  it('a transfer shows in recent txs, is found by hash search, decoded, and on both accounts', async () => {
    const s = cliJson<{ code: number; hash: string }>(['tx', 'send', bob, '1.5:BNB', '--from', 'alice', '--memo', 'web e2e', ...common]);
    assert.equal(s.code, 0);
    sendHash = s.hash;
    await go('#/blocks');
    await page.getByTestId('recent-txs').getByText(sendHash.slice(0, 10)).waitFor({ timeout: 20_000 });
    await shot('blocks');

    await page.fill('#q', sendHash.toLowerCase());
    await page.press('#q', 'Enter');
    await page.waitForFunction((h) => location.hash === `#/tx/${h}`, sendHash);
    await page.getByTestId('tx-hash').getByText(sendHash).waitFor();
    assert.equal(await page.getByTestId('msg-type').first().textContent(), 'cosmos-sdk/Send');
    assert.match((await page.getByTestId('tx-result').textContent()) ?? '', /OK/);
    assert.ok(await page.getByText('web e2e').count(), 'memo shown');
    assert.ok(await page.locator('#msgs').getByText('1.50000000').count(), 'amount shown as fixed-8');
    await shot('tx');

    // copy button puts the full hash on the clipboard
    await page.getByTestId('tx-hash').locator('button.copy').click();
    await page.getByTestId('tx-hash').locator('button.copy.ok').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), sendHash);

    await go(`#/account/${bob}`);
    await page.getByTestId('balances').getByText('1.50000000').waitFor();
    await page.getByTestId('account-txs').getByText(sendHash.slice(0, 6)).waitFor();
    await go(`#/account/${alice}`);
    await page.getByTestId('account-txs').getByText(sendHash.slice(0, 6)).waitFor();
    await shot('account');
  });

  it('an issued token appears on the tokens page, live', async () => {
    await go('#/tokens');
    await page.getByTestId('tokens').waitFor();
    const iss = cliJson<{ code: number; hash: string }>(['tx', 'issue', '--name', 'Web Token', '--symbol', 'WEB', '--total-supply', '1000000', '--mintable', '--from', 'alice', ...common]);
    assert.equal(iss.code, 0);
    const tok = (await (await fetch(`${node.url}/api/v1/tokens`)).json()) as { symbol: string }[];
    const sym = tok.find((t) => t.symbol.startsWith('WEB-'))!.symbol;
    await page.getByTestId('tokens').getByText(sym, { exact: true }).waitFor({ timeout: 20_000 });
    assert.ok(await page.getByTestId('tokens').getByText('1000000.00000000').count());
    await shot('tokens');
  });

  it('search: a height opens its block, an address its account, an unknown hash a clear message', async () => {
    await page.fill('#q', '2');
    await page.press('#q', 'Enter');
    await page.getByRole('heading', { name: /Block\s*2/ }).waitFor();
    await page.fill('#q', bob);
    await page.press('#q', 'Enter');
    await page.getByTestId('account-address').getByText(bob).waitFor();
    const unknown = 'AB'.repeat(32);
    await page.fill('#q', unknown);
    await page.press('#q', 'Enter');
    await page.getByText(`No transaction ${unknown}`).waitFor();
    await page.fill('#q', 'not a thing!');
    await page.press('#q', 'Enter');
    await page.getByText(/Nothing matches/).waitFor();
    // end on a successful search and an empty box so the screenshots that follow have a clean header
    await page.fill('#q', bob);
    await page.press('#q', 'Enter');
    await page.getByTestId('account-address').getByText(bob).waitFor();
    await page.fill('#q', '');
  });

  const listedMarkets = async (): Promise<unknown[] | undefined> => {
    const r = await fetch(`${node.url}/api/v1/markets`);
    const j = r.ok ? ((await r.json()) as unknown) : undefined;
    return Array.isArray(j) ? j : undefined;
  };

  it('markets page: pairs with prices, or a clear empty state', async () => {
    await go('#/markets');
    const markets = await listedMarkets();
    if (markets && markets.length > 0) {
      await page.getByTestId('pairs').waitFor();
      await page.getByTestId('last-price').waitFor();
    } else {
      await page.getByText(/No trading pairs listed yet|The DEX is not enabled/).waitFor();
    }
    await shot('markets');
  });

  it('crossing orders show as a trade on the markets page (when the DEX CLI and a listed pair exist)', async function () {
    const markets = await listedMarkets();
    const help = cli(['tx', '--help']).stdout;
    if (!/^\s+order\b/m.test(help) || !markets || markets.length === 0) {
      console.warn('    (crossing orders not checked: no `dexchain tx order` or no listed pair on this build)');
      this.skip();
    }
    // Once the DEX CLI and a listing exist: place a buy and a sell that cross, expect a trade row.
    const m = (markets as { base_asset_symbol: string; quote_asset_symbol: string; list_price: string }[]).find((x) => x.base_asset_symbol === webSymbol) ?? (markets[0] as { base_asset_symbol: string; quote_asset_symbol: string; list_price: string });
    const pair = `${m.base_asset_symbol}_${m.quote_asset_symbol}`;
    for (const side of ['buy', 'sell']) {
      const r = cliJson<{ code: number }>(['tx', 'order', '--symbol', pair, '--side', side, '--price', m.list_price, '--quantity', '1', '--from', 'alice', ...common]);
      assert.equal(r.code, 0);
    }
    await go(`#/markets/${pair}`);
    await page.getByTestId('trades').locator('tr').first().waitFor({ timeout: 30_000 });
    await shot('markets');
  });

  it('a peg deposit attested by two custodians through the CLI: supply on the peg page, balance on the account', async () => {
    // `dexchain init` writes a local peg: custodian0..2 in the test keyring, 2-of-3 attestation,
    // and a mint needs attested reserves covering the new supply, so reserves come first.
    const tx = (args: string[], from: string): void => {
      const r = cliJson<{ code: number; log?: string }>(['tx', 'peg', ...args, '--from', from, ...common]);
      assert.equal(r.code, 0, `peg ${args[0]} from ${from}: ${r.log ?? JSON.stringify(r)}`);
    };
    for (const c of ['custodian0', 'custodian1']) tx(['attest-reserves', '--asset', 'BTC', '--network', 'bitcoin', '--amount', '10', '--ext-height', '800000'], c);
    const extTx = 'b7'.repeat(32);
    const deposit = ['attest-deposit', '--asset', 'BTC', '--network', 'bitcoin', '--ext-tx-id', extTx, '--ext-index', '0', '--recipient', alice, '--amount', '1.5'];
    tx(deposit, 'custodian0');
    // one custodian is below the threshold: nothing minted yet
    const before = cliJson<{ supply: string }>(['query', 'peg', 'asset', 'BTC', '--node', node.url]);
    assert.equal(Number(before.supply), 0, `minted after one attestation: ${JSON.stringify(before)}`);
    tx(deposit, 'custodian1');

    await go('#/peg');
    const row = page.getByTestId('peg-asset-BTC');
    await row.getByTestId('peg-supply').getByText('1.50000000', { exact: true }).waitFor({ timeout: 20_000 });
    assert.ok(await page.locator('#peg-reserves').getByText('10.00000000').count(), 'the attested reserve is shown');

    await go(`#/account/${alice}`);
    // the pegged token's chain denom carries the usual suffix (BTC-xxx)
    const btcRow = page.getByTestId('balances').locator('tr', { has: page.getByRole('cell', { name: /^BTC(-[0-9A-Z]{3})?$/ }) });
    await btcRow.getByText('1.50000000').first().waitFor({ timeout: 20_000 });
  });

  it('peg page: assets, reserves and insurance, or a clear empty state', async () => {
    await go('#/peg');
    const r = await fetch(`${node.url}/api/v1/peg/assets`);
    if (r.status === 200) await page.getByTestId('peg-assets').or(page.getByText('No pegged assets registered yet.')).waitFor();
    else await page.getByText('The peg module is not enabled on this node').waitFor();
    await page.locator('#insurance').waitFor();
    await shot('peg');
  });

  it('phone width: no sideways scrolling, navigation still reachable', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', isMobile: true, hasTouch: true });
    phone.on('request', (r) => requests.push(r.url()));
    await phone.goto(`${node.url}/#/`);
    await phone.getByTestId('height').waitFor();
    await phone.locator('.sig.yes').first().waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `page scrolls sideways by ${overflow}px on a phone`);
    await shot('network-phone', phone);
    await phone.evaluate(() => (location.hash = '#/blocks'));
    await phone.getByTestId('block-rows').waitFor();
    const overflow2 = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow2 <= 1, `blocks page scrolls sideways by ${overflow2}px on a phone`);
    await phone.close();
  });

  it('keyboard: skip link first, nav links reachable with Tab and followed with Enter', async () => {
    await page.goto(`${node.url}/#/`);
    await page.reload(); // a fresh load: focus starts at the document
    await page.getByTestId('height').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Skip to content');
    let found = false;
    for (let i = 0; i < 10 && !found; i++) {
      await page.keyboard.press('Tab');
      found = (await page.evaluate(() => document.activeElement?.textContent?.trim())) === 'Blocks';
    }
    assert.ok(found, 'the Blocks link is reachable by Tab');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash === '#/blocks');
  });

  it('no request left the node origin, and the page threw no errors', async () => {
    const origin = new URL(node.url);
    const foreign = requests.filter((u) => {
      const x = new URL(u);
      return x.host !== origin.host;
    });
    assert.deepEqual(foreign, []);
    assert.ok(requests.some((u) => u.startsWith(`ws://${origin.host}/api/ws`)), 'the page used the live websocket');
    assert.deepEqual(pageErrors, []);
  });

  it('node down: the page says so, and recovers when the node is back', async () => {
    await go('#/');
    await page.getByTestId('height').waitFor();
    await node.stop();
    await page.getByText('The node is not reachable').first().waitFor({ timeout: 20_000 });
    await shot('node-down');
    node.start();
    await node.waitReady(1, 60_000);
    await page.locator('[data-testid="live"].live').waitFor({ timeout: 30_000 });
    await until(async () => ((await page.getByText('The node is not reachable').count()) === 0 ? true : undefined), 'the down banner to go away', 20_000);
  });

  after(() => {
    // one of each main page for the README
    if (!existsSync(SHOTS)) return;
    mkdirSync(DOCS, { recursive: true });
    const have = new Set(readdirSync(SHOTS));
    for (const n of ['network', 'markets', 'peg']) if (have.has(`${n}.png`)) copyFileSync(join(SHOTS, `${n}.png`), join(DOCS, `${n}.png`));
  });
});
