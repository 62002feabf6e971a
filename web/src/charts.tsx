/**
 * Charts drawn by lightweight-charts (loaded on demand, so pages without charts stay light):
 * block intervals (histogram over height), market depth (two stepped areas over price) and
 * candles (candlestick series over time).
 */
import { useEffect, useRef } from 'preact/hooks';
import type { Depth, Kline } from './api.js';

type LC = typeof import('lightweight-charts');
let lcPromise: Promise<LC> | undefined;
const loadLC = (): Promise<LC> => (lcPromise ??= import('lightweight-charts'));

const css = (name: string, fallback: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

function baseOptions() {
  const text = css('--muted', '#8a8f98');
  const grid = css('--grid', 'rgba(128,128,128,0.15)');
  return {
    autoSize: true,
    layout: { background: { color: 'transparent' }, textColor: text, fontFamily: 'inherit', attributionLogo: false },
    grid: { vertLines: { color: grid }, horzLines: { color: grid } },
    rightPriceScale: { borderVisible: false },
    timeScale: { borderVisible: false },
    crosshair: { mode: 0 },
    handleScroll: { mouseWheel: false, pressedMouseMove: true, horzTouchDrag: true, vertTouchDrag: false },
    handleScale: { mouseWheel: false, pinch: true, axisPressedMouseMove: true },
  };
}

interface Drawn<D> {
  update(data: D): void;
  destroy(): void;
}

/** Mounts a chart into a div once, feeds it new data on every change. */
function useChart<D>(data: D, make: (lc: LC, el: HTMLElement) => Drawn<D>) {
  const el = useRef<HTMLDivElement>(null);
  const drawn = useRef<Drawn<D> | undefined>(undefined);
  const latest = useRef(data);
  latest.current = data;
  useEffect(() => {
    let dead = false;
    void loadLC().then((lc) => {
      if (dead || !el.current) return;
      drawn.current = make(lc, el.current);
      drawn.current.update(latest.current);
    });
    return () => {
      dead = true;
      drawn.current?.destroy();
      drawn.current = undefined;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    drawn.current?.update(data);
  }, [data]);
  return el;
}

export function IntervalChart({ points, label }: { points: { height: number; seconds: number; txs: number }[]; label: string }) {
  const el = useChart(points, (lc, node) => {
    const chart = lc.createOptionsChart(node, { ...baseOptions(), localization: { precision: 0, priceFormatter: (p: number) => `${p.toFixed(2)} s` } as never });
    const bars = chart.addSeries(lc.HistogramSeries, { color: css('--accent', '#f0b90b'), priceFormat: { type: 'price', precision: 2, minMove: 0.01 }, priceLineVisible: false });
    return {
      update(pts) {
        const sorted = [...pts].sort((a, b) => a.height - b.height);
        const uniq = sorted.filter((p, i) => i === 0 || p.height !== sorted[i - 1]!.height);
        bars.setData(uniq.map((p) => ({ time: p.height, value: p.seconds, ...(p.txs > 0 ? { color: css('--up', '#0ecb81') } : {}) })));
        chart.timeScale().fitContent();
      },
      destroy: () => chart.remove(),
    };
  });
  return <div class="chart" ref={el} role="img" aria-label={label} data-testid="interval-chart" />;
}

export function DepthChart({ depth, label }: { depth: Depth; label: string }) {
  const el = useChart(depth, (lc, node) => {
    const chart = lc.createOptionsChart(node, { ...baseOptions(), localization: { precision: 8 } as never });
    const opts = (color: string) => ({
      lineColor: color,
      topColor: color + '66',
      bottomColor: color + '08',
      lineWidth: 2 as const,
      lineType: lc.LineType.WithSteps,
      priceLineVisible: false,
      priceFormat: { type: 'volume' as const },
    });
    const bids = chart.addSeries(lc.AreaSeries, opts(css('--up', '#0ecb81')));
    const asks = chart.addSeries(lc.AreaSeries, opts(css('--down', '#f6465d')));
    return {
      update(d) {
        // cumulative quantity from the best price outwards; x must ascend
        let cum = 0;
        const b = [...d.bids]
          .map(([p, q]) => [Number(p), Number(q)] as const)
          .sort((x, y) => y[0] - x[0])
          .map(([p, q]) => ({ time: p, value: (cum += q) }))
          .reverse();
        cum = 0;
        const a = [...d.asks]
          .map(([p, q]) => [Number(p), Number(q)] as const)
          .sort((x, y) => x[0] - y[0])
          .map(([p, q]) => ({ time: p, value: (cum += q) }));
        const dedupe = <T extends { time: number }>(xs: T[]) => xs.filter((x, i) => i === 0 || x.time !== xs[i - 1]!.time);
        bids.setData(dedupe(b));
        asks.setData(dedupe(a));
        chart.timeScale().fitContent();
      },
      destroy: () => chart.remove(),
    };
  });
  return <div class="chart" ref={el} role="img" aria-label={label} data-testid="depth-chart" />;
}

export function CandleChart({ klines, label }: { klines: Kline[]; label: string }) {
  const el = useChart(klines, (lc, node) => {
    const chart = lc.createChart(node, { ...baseOptions(), timeScale: { borderVisible: false, timeVisible: true, secondsVisible: false } });
    const candles = chart.addSeries(lc.CandlestickSeries, {
      upColor: css('--up', '#0ecb81'),
      downColor: css('--down', '#f6465d'),
      wickUpColor: css('--up', '#0ecb81'),
      wickDownColor: css('--down', '#f6465d'),
      borderVisible: false,
      priceFormat: { type: 'price', precision: 8, minMove: 0.00000001 },
    });
    const vol = chart.addSeries(lc.HistogramSeries, { priceScaleId: 'vol', priceFormat: { type: 'volume' }, color: css('--grid-strong', 'rgba(128,128,128,0.35)'), priceLineVisible: false, lastValueVisible: false });
    chart.priceScale('vol').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    return {
      update(ks) {
        const sorted = [...ks].filter((k) => k.openTimeMs > 0).sort((a, b) => a.openTimeMs - b.openTimeMs);
        const uniq = sorted.filter((k, i) => i === 0 || Math.floor(k.openTimeMs / 1000) !== Math.floor(sorted[i - 1]!.openTimeMs / 1000));
        const t = (k: Kline) => Math.floor(k.openTimeMs / 1000) as import('lightweight-charts').UTCTimestamp;
        candles.setData(uniq.map((k) => ({ time: t(k), open: k.open, high: k.high, low: k.low, close: k.close })));
        vol.setData(uniq.map((k) => ({ time: t(k), value: k.volume })));
        chart.timeScale().fitContent();
      },
      destroy: () => chart.remove(),
    };
  });
  return <div class="chart" ref={el} role="img" aria-label={label} data-testid="candle-chart" />;
}
