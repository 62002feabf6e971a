/**
 * One long-lived outbound stream to one peer for one protocol, with a bounded send queue.
 * The stream is opened on first use and reopened after it breaks, so a peer that idles out a
 * stream still receives the next message. A peer that cannot keep up (queue over its byte
 * budget) loses messages rather than our memory.
 */
import { encodeFrame } from './frame.js';
import type { Stream } from './libp2p-node.js';

interface Item {
  frame: Uint8Array;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class OutboundChannel {
  private queue: Item[] = [];
  private queuedBytes = 0;
  private pumping = false;
  private stream: Stream | null = null;
  private closed = false;

  constructor(
    private readonly open: () => Promise<Stream>,
    private readonly maxQueuedBytes: number,
    private readonly onError: (e: Error) => void,
  ) {}

  /** Queues one payload (framed here); resolves once it is handed to the stream. */
  send(payload: Uint8Array): Promise<void> {
    return this.sendFrame(encodeFrame(payload));
  }

  /** Queues a frame already made by `encodeFrame` (a flood frames a message once for all peers). */
  sendFrame(frame: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error('channel closed'));
    if (this.queuedBytes + frame.length > this.maxQueuedBytes) {
      return Promise.reject(new Error(`send queue full (${this.queuedBytes} bytes)`));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ frame, resolve, reject });
      this.queuedBytes += frame.length;
      void this.pump();
    });
  }

  close(): void {
    this.closed = true;
    this.failAll(new Error('channel closed'));
    const s = this.stream;
    this.stream = null;
    if (s !== null) s.close().catch((e: Error) => s.abort(e));
  }

  private usable(s: Stream | null): s is Stream {
    return s !== null && s.status === 'open' && s.writeStatus === 'writable';
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        if (!this.usable(this.stream)) this.stream = await this.open();
        const item = this.queue[0]!;
        const s = this.stream;
        const more = s.send(item.frame);
        this.queue.shift();
        this.queuedBytes -= item.frame.length;
        item.resolve();
        if (!more) await s.onDrain();
      }
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      const s = this.stream;
      this.stream = null;
      if (s !== null) s.abort(err);
      this.failAll(err);
      this.onError(err);
    } finally {
      this.pumping = false;
    }
  }

  private failAll(e: Error): void {
    const q = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    for (const it of q) it.reject(e);
  }
}
