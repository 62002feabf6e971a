/** Display formatting. Amounts stay strings end to end (no float rounding of balances). */

/** A decimal (string or number) as fixed-8 like the original explorer: "1.5" → "1.50000000". */
export function fixed8(v: string | number | undefined | null): string {
  if (v === undefined || v === null || v === '') return '—';
  if (typeof v === 'number') return Number.isFinite(v) ? v.toFixed(8) : '—';
  const s = v.trim();
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m) {
    const n = Number(s);
    return Number.isFinite(n) ? n.toFixed(8) : s;
  }
  const int = (m[2] || '0').replace(/^0+(?=\d)/, '');
  const frac = (m[3] ?? '').padEnd(8, '0');
  // more than 8 decimals: keep them rather than round a balance
  return `${m[1]}${int}.${frac}`;
}

/** A ratio or percent number as "12.34 %". */
export function percent(ratio: number | undefined, digits = 2): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(digits)}\u00a0%`;
}

export function signedPercent(p: string | number | undefined): string {
  const n = Number(p);
  if (p === undefined || p === '' || !Number.isFinite(n)) return '—';
  return `${n > 0 ? '+' : ''}${n.toFixed(2)}\u00a0%`;
}

export function shortHash(h: string, n = 8): string {
  if (h.length <= n * 2 + 1) return h;
  return `${h.slice(0, n)}…${h.slice(-n)}`;
}

export function ago(ms: number, now = Date.now()): string {
  if (!ms) return '—';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function isoTime(ms: number): string {
  if (!ms) return '—';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export const isHeight = (q: string): boolean => /^\d{1,15}$/.test(q);
export const isTxHash = (q: string): boolean => /^(0x)?[0-9a-fA-F]{64}$/.test(q);
export const isAddress = (q: string): boolean => /^[a-z]{1,16}1[02-9ac-hj-np-z]{38,90}$/.test(q);
