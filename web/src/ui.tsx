/** Small shared pieces: async data hook, copy button, links, empty/error states. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';
import { fixed8, shortHash } from './format.js';

export interface Async<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
}

/**
 * Runs `fn` when `deps` change; keeps the last good data while reloading (no flicker on live
 * refresh) and drops answers that arrive after a newer request was made.
 */
export function useAsync<T>(fn: () => Promise<T>, deps: unknown[]): Async<T> {
  const [st, set] = useState<Async<T>>({ data: undefined, error: undefined, loading: true });
  const seq = useRef(0);
  const lastKey = useRef<string>('');
  useEffect(() => {
    const my = ++seq.current;
    // a change of identity (not just the live tick) clears the old data
    const key = JSON.stringify(deps.slice(0, -1));
    const sameThing = key === lastKey.current;
    lastKey.current = key;
    set((s) => ({ data: sameThing ? s.data : undefined, error: sameThing ? s.error : undefined, loading: true }));
    fn().then(
      (data) => my === seq.current && set({ data, error: undefined, loading: false }),
      (error) => my === seq.current && set((s) => ({ data: sameThing ? s.data : undefined, error, loading: false })),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return st;
}

async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall back below */
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

export function Copy({ text, label }: { text: string; label?: string }) {
  const [done, setDone] = useState<'' | 'ok' | 'fail'>('');
  return (
    <button
      type="button"
      class={`copy ${done}`}
      title={`Copy ${label ?? text}`}
      aria-label={`Copy ${label ?? 'value'}`}
      onClick={async (e) => {
        e.preventDefault();
        e.stopPropagation();
        setDone((await copyText(text)) ? 'ok' : 'fail');
        setTimeout(() => setDone(''), 1200);
      }}
    >
      {done === 'ok' ? (
        <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
          <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" stroke-width="2" />
        </svg>
      ) : (
        <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
          <rect x="5" y="5" width="9" height="9" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.5" />
          <path d="M11 3.5V3a1 1 0 0 0-1-1H3a1 1 0 0 0-1 1v7a1 1 0 0 0 1 1h.5" fill="none" stroke="currentColor" stroke-width="1.5" />
        </svg>
      )}
      <span class="sr-only" aria-live="polite">{done === 'ok' ? 'copied' : ''}</span>
    </button>
  );
}

/** A hash or address: monospace, shortened on small screens, linked and copyable. */
export function Mono({ value, href, short = 0, copy = true, label }: { value: string; href?: string; short?: number; copy?: boolean; label?: string }) {
  if (!value) return <span class="muted">—</span>;
  const text = short ? shortHash(value, short) : value;
  return (
    <span class="mono-wrap">
      {href ? (
        <a class={short ? 'mono nowrap' : 'mono'} href={href} title={value}>
          {text}
        </a>
      ) : (
        <span class={short ? 'mono nowrap' : 'mono'} title={value}>
          {text}
        </span>
      )}
      {copy && <Copy text={value} label={label} />}
    </span>
  );
}

export const Addr = ({ a, short = 8 }: { a: string | null | undefined; short?: number }) =>
  a ? <Mono value={a} href={`#/account/${a}`} short={short} label="address" /> : <span class="muted">—</span>;
export const TxLink = ({ h, short = 8 }: { h: string; short?: number }) => <Mono value={h} href={`#/tx/${h}`} short={short} label="tx hash" />;
export const HeightLink = ({ h }: { h: number }) => (h ? <a href={`#/block/${h}`}>{h}</a> : <span class="muted">—</span>);

export function Amount({ v, sym }: { v: string | number | undefined | null; sym?: string }) {
  return (
    <span class="num">
      {fixed8(v)}
      {sym ? <span class="sym"> {sym}</span> : null}
    </span>
  );
}

export function Code({ code }: { code: number }) {
  return code === 0 ? <span class="badge ok">OK</span> : <span class="badge bad">code {code}</span>;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

export function Loading({ what }: { what?: string }) {
  return (
    <div class="loading" role="status">
      Loading{what ? ` ${what}` : ''}…
    </div>
  );
}

export function ErrorBox({ error, what }: { error: unknown; what?: string }) {
  const e = error as Error;
  let title = what ? `Could not load ${what}` : 'Something went wrong';
  if (error instanceof ApiError) {
    if (error.kind === 'down') title = 'The node is not reachable';
    else if (error.kind === 'notFound') title = 'Not found';
  }
  return (
    <div class="error" role="alert">
      <strong>{title}</strong>
      <div>{e?.message ?? String(error)}</div>
    </div>
  );
}

/** Renders loading / error / data for one Async, with an optional empty check. */
export function Load<T>({ a, what, children }: { a: Async<T>; what: string; children: (d: T) => ComponentChildren }) {
  if (a.data !== undefined) return <>{children(a.data)}</>;
  if (a.error) return <ErrorBox error={a.error} what={what} />;
  return <Loading what={what} />;
}

export function Card({ title, children, id, actions }: { title?: string; children: ComponentChildren; id?: string; actions?: ComponentChildren }) {
  return (
    <section class="card" id={id} aria-labelledby={title && id ? `${id}-h` : undefined}>
      {title && (
        <header class="card-h">
          <h2 id={id ? `${id}-h` : undefined}>{title}</h2>
          {actions}
        </header>
      )}
      {children}
    </section>
  );
}

export function Stat({ label, value, sub, testid }: { label: string; value: ComponentChildren; sub?: ComponentChildren; testid?: string }) {
  return (
    <div class="stat" data-testid={testid}>
      <div class="stat-l">{label}</div>
      <div class="stat-v">{value}</div>
      {sub !== undefined && <div class="stat-s">{sub}</div>}
    </div>
  );
}

/** A horizontally scrollable table wrapper (phones). */
export function Table({ children, label }: { children: ComponentChildren; label: string }) {
  return (
    <div class="table-wrap" role="region" aria-label={label} tabIndex={0}>
      <table>{children}</table>
    </div>
  );
}

/** The current time, refreshed every `ms` (for "3s ago" labels). */
export function useNow(ms = 1000): number {
  const [now, set] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => set(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
