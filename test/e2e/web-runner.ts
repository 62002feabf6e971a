/**
 * Test-only node runner for the web page, used by web.ci.test.ts while `dexchain start` does not
 * mount the page and the websocket itself yet. It runs the same compiled node as the CLI
 * (`dist/`), then adds what the node will add once wired: `webMount(web/dist)` and
 * `attachWebsocket` fed from the executor's block listener.
 *
 * Usage: node --import tsx test/e2e/web-runner.ts --home DIR --rpc.laddr tcp://127.0.0.1:PORT [--section.key VALUE…]
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './harness.js';
import { webMount, defaultWebDist } from '../../src/rpc/web.js';
import { attachWebsocket, blockEventOf, LiveHub } from '../../src/rpc/websocket.js';

const args = process.argv.slice(2);
let home = '';
const overrides: Record<string, string> = {};
for (let i = 0; i < args.length; i += 2) {
  const k = args[i]!.replace(/^--/, '');
  const v = args[i + 1] ?? '';
  if (k === 'home') home = v;
  else overrides[k] = v;
}
if (!home) throw new Error('--home is required');

const dist = (p: string) => import(pathToFileURL(join(ROOT, 'dist', p)).href);
const { homePaths, loadConfig, applyOverrides } = await dist('node/config.js');
const { DexNode } = await dist('node/node.js');

const cfg = loadConfig(homePaths(home));
applyOverrides(cfg, overrides);
const node = new DexNode({ home, config: cfg });
await node.start();

const hub = new LiveHub();
node.executor.onBlock((b: Parameters<typeof blockEventOf>[0]) => hub.publishBlock(blockEventOf(b)));
node.rpc.mount(webMount(defaultWebDist()));
// The RpcNode view is private to RpcServer; the real wiring passes it from buildRpcNode().
const rpcNode = (node.rpc as unknown as { node: Parameters<typeof attachWebsocket>[1]['node'] }).node;
const sockets = attachWebsocket(node.rpc.httpServer, { node: rpcNode, hub, log: node.log });
process.stdout.write(`web runner: ${node.rpcAddress}\n`);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await sockets.close();
  await node.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
