/**
 * End-to-end harness: real `dexchain` processes (the compiled CLI in dist/, as a user runs it)
 * with temporary homes on 127.0.0.1, always cleaned up.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const BIN = join(ROOT, 'bin', 'dexchain.js');

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `dexchain-${tag}-`));
}

/** Runs the CLI to completion; returns stdout/stderr/status. */
export function cli(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    input: opts.input,
    env: { ...process.env, ...opts.env },
    timeout: 60_000,
  });
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1 };
}

/** Runs the CLI and parses its JSON stdout; throws with stderr when it fails. */
export function cliJson<T = Record<string, unknown>>(args: string[], opts: { input?: string; allowFail?: boolean } = {}): T {
  const r = cli(args, opts);
  if (r.status !== 0 && !opts.allowFail) throw new Error(`dexchain ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`dexchain ${args.join(' ')} printed no JSON: ${r.stdout} ${r.stderr}`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

export class NodeProcess {
  child: ChildProcess | undefined;
  readonly url: string;
  readonly logFile: string;
  constructor(readonly home: string, readonly port: number, readonly extraArgs: string[] = []) {
    this.url = `http://127.0.0.1:${port}`;
    this.logFile = join(home, 'node.log');
  }

  start(): void {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(
      process.execPath,
      [BIN, 'start', '--home', this.home, '--rpc.laddr', `tcp://127.0.0.1:${this.port}`, '--consensus.timeout_commit_ms', '200', '--log_level', 'warn', ...this.extraArgs],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.child = child;
  }

  async waitReady(minHeight = 1, timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let lastErr = '';
    while (Date.now() < deadline) {
      if (this.child && this.child.exitCode !== null) throw new Error(`node exited with ${this.child.exitCode}: ${this.tail()}`);
      try {
        const r = await fetch(`${this.url}/status`);
        const j = (await r.json()) as { result: { sync_info: { latest_block_height: string } } };
        const h = Number(j.result.sync_info.latest_block_height);
        if (h >= minHeight) return h;
      } catch (e) {
        lastErr = (e as Error).message;
      }
      await sleep(100);
    }
    throw new Error(`node not ready after ${timeoutMs} ms (${lastErr}): ${this.tail()}`);
  }

  async height(): Promise<number> {
    const r = await fetch(`${this.url}/status`);
    const j = (await r.json()) as { result: { sync_info: { latest_block_height: string } } };
    return Number(j.result.sync_info.latest_block_height);
  }

  tail(n = 2000): string {
    try {
      const s = readFileSync(this.logFile, 'utf8');
      return s.slice(-n);
    } catch {
      return '';
    }
  }

  kill9(): Promise<void> {
    return this.stop('SIGKILL');
  }

  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
    return new Promise((res) => {
      const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
      c.once('exit', () => {
        clearTimeout(t);
        res();
      });
      c.kill(signal);
    });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Polls `fn` until it returns a value that is not undefined. */
export async function until<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v !== undefined) return v;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}
