/**
 * Live updates: one websocket to the node's `/api/ws` streams. Keeps the chain head, lets
 * pages subscribe to more streams (trades, depth of a pair), reconnects with `from_height` so
 * nothing is missed, and falls back to polling `/status` when the socket is unavailable.
 */
import { useEffect, useState } from 'preact/hooks';
import { status } from './api.js';

export interface Head {
  height: number;
  timeMs: number;
  hash?: string;
  numTxs?: number;
}

export interface BlockFrame {
  height: number;
  hash: string;
  timeMs: number;
  numTxs: number;
  txs: { hash: string; code: number }[];
}

export type Connection = 'connecting' | 'live' | 'polling' | 'down';

export interface StreamFrame {
  stream: string;
  height: number;
  symbol?: string;
  data: unknown;
}

interface PageSub {
  topic: string;
  symbols?: string[];
  address?: string;
  fn: (f: StreamFrame) => void;
}

type Listener = () => void;

class Live {
  head: Head | undefined;
  conn: Connection = 'connecting';
  /** Recent blocks seen live, newest last (for the interval chart and the block list). */
  readonly recent: BlockFrame[] = [];
  private ws: WebSocket | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly subs = new Set<PageSub>();
  private retry = 0;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private started = false;

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.pollLoop();
    this.connect();
  }

  on(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Extra stream for a page (e.g. trades of one pair); returns the unsubscribe function. */
  stream(topic: string, opts: { symbols?: string[]; address?: string }, fn: (f: StreamFrame) => void): () => void {
    const sub: PageSub = { topic, ...opts, fn };
    this.subs.add(sub);
    this.sendSub(sub);
    return () => {
      this.subs.delete(sub);
      if (![...this.subs].some((s) => s.topic === topic)) this.send({ method: 'unsubscribe', topic });
    };
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }

  private setHead(h: Head): void {
    if (this.head && h.height < this.head.height) return;
    this.head = h;
    this.emit();
  }

  private send(msg: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private sendSub(s: PageSub, fromHeight?: number): void {
    this.send({ method: 'subscribe', topic: s.topic, ...(s.symbols ? { symbols: s.symbols } : {}), ...(s.address ? { address: s.address } : {}), ...(fromHeight ? { from_height: fromHeight } : {}) });
  }

  private url(): string {
    const u = new URL('api/ws', location.href);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    u.hash = '';
    u.search = '';
    return u.toString();
  }

  private connect(): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 0;
      this.conn = 'live';
      const from = this.head ? this.head.height + 1 : undefined;
      this.send({ method: 'subscribe', topic: 'blocks', ...(from ? { from_height: from } : {}) });
      for (const s of this.subs) this.sendSub(s);
      this.emit();
    };
    ws.onmessage = (ev) => {
      let f: StreamFrame & { error?: { code: number; message: string }; topic?: string };
      try {
        f = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (f.error) {
        // history older than the node keeps: subscribe without replay; pages refetch over REST
        if (f.error.code === 410 && f.topic === 'blocks') this.send({ method: 'subscribe', topic: 'blocks' });
        return;
      }
      if (f.stream === 'blocks') {
        const b = f.data as BlockFrame;
        this.recent.push(b);
        if (this.recent.length > 200) this.recent.splice(0, this.recent.length - 200);
        this.setHead({ height: b.height, timeMs: b.timeMs, hash: b.hash, numTxs: b.numTxs });
      } else if (f.stream === 'welcome') {
        if (f.height && (!this.head || f.height > this.head.height)) void this.pollOnce();
      }
      if (f.stream) for (const s of this.subs) if (s.topic === f.stream && (!s.symbols || !f.symbol || s.symbols.includes(f.symbol))) s.fn(f);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.scheduleReconnect();
    };
    ws.onerror = () => ws.close();
  }

  private scheduleReconnect(): void {
    this.retry++;
    if (this.conn === 'live' || this.conn === 'connecting') this.conn = 'polling';
    this.emit();
    void this.pollOnce();
    const delay = Math.min(15_000, 500 * 2 ** Math.min(this.retry, 5));
    setTimeout(() => this.connect(), delay);
  }

  /** Reads /status once: the head when the socket is not live, and whether the node is up. */
  private async pollOnce(): Promise<void> {
    try {
      const st = await status();
      if (this.conn === 'down') this.conn = this.ws?.readyState === WebSocket.OPEN ? 'live' : 'polling';
      this.setHead({ height: st.height, timeMs: st.timeMs });
      this.emit();
    } catch {
      this.conn = 'down';
      this.emit();
    }
  }

  private readonly pollLoop = async (): Promise<void> => {
    await this.pollOnce();
    this.pollTimer = setTimeout(() => void this.pollLoop(), this.conn === 'live' ? 15_000 : 2_000);
  };
}

export const live = new Live();

/** Re-renders on every head / connection change. */
export function useLive(): { head: Head | undefined; conn: Connection } {
  const [, set] = useState(0);
  useEffect(() => live.on(() => set((n) => n + 1)), []);
  return { head: live.head, conn: live.conn };
}

/**
 * A number that changes when the chain moved, at most once per `minMs`: pages put it in their
 * data dependencies so they refresh live without hammering the node when blocks are fast.
 */
export function useTick(minMs = 1500): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let seen = live.head?.height ?? 0;
    const off = live.on(() => {
      const h = live.head?.height ?? 0;
      if (h === seen) return;
      seen = h;
      const now = Date.now();
      if (timer) return;
      const wait = Math.max(0, last + minMs - now);
      timer = setTimeout(() => {
        timer = undefined;
        last = Date.now();
        setTick((t) => t + 1);
      }, wait);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [minMs]);
  return tick;
}

/** Subscribes a page to an extra stream while it is mounted. */
export function useStream(topic: string, opts: { symbols?: string[]; address?: string } | undefined, fn: (f: StreamFrame) => void): void {
  const key = opts ? JSON.stringify(opts) : '';
  useEffect(() => {
    if (!opts) return;
    return live.stream(topic, opts, fn);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [topic, key]);
}
