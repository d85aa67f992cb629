import { html, type SafeHtml } from './html.ts';

/** One line of a chart: a null value is a gap (no sample, or the backend could not say). */
export interface ChartSeries {
  label: string;
  points: { at: number; value: number | null }[];
}

export interface LineChart {
  title: string;
  series: ChartSeries[];
  /** The time axis, ms since the epoch: usually the last hour up to now. */
  fromMs: number;
  toMs: number;
  /** How a value reads on the axis and in the legend. */
  format: (value: number) => string;
}

/** Chart geometry, in SVG user units (the SVG scales to its box). */
const BOX = { width: 420, height: 120, left: 52, right: 8, top: 8, bottom: 18 } as const;
/** One colour per series, in order; readable on white and for the common colour blindnesses. */
export const SERIES_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2'] as const;

/** The runs of consecutive non-null points, each as an SVG `points` attribute. */
function segments(points: ChartSeries['points'], x: (at: number) => number, y: (v: number) => number): string[] {
  const runs: string[] = [];
  let current: string[] = [];
  for (const p of points) {
    if (p.value === null) {
      if (current.length) runs.push(current.join(' '));
      current = [];
      continue;
    }
    current.push(`${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`);
  }
  if (current.length) runs.push(current.join(' '));
  return runs;
}

/** The latest known value of a series, for the legend. */
function latest(series: ChartSeries): number | null {
  for (let i = series.points.length - 1; i >= 0; i--) if (series.points[i]!.value !== null) return series.points[i]!.value;
  return null;
}

/**
 * A small inline SVG line chart with a legend (series label and latest value). Lone points are
 * drawn as dots so a single sample shows. Says "no samples yet" when no series has a value.
 */
export function lineChart(chart: LineChart): SafeHtml {
  const values = chart.series.flatMap((s) => s.points.map((p) => p.value).filter((v): v is number => v !== null));
  const max = Math.max(1, ...values);
  const plotWidth = BOX.width - BOX.left - BOX.right;
  const plotHeight = BOX.height - BOX.top - BOX.bottom;
  const span = Math.max(1, chart.toMs - chart.fromMs);
  const x = (at: number) => BOX.left + ((Math.min(Math.max(at, chart.fromMs), chart.toMs) - chart.fromMs) / span) * plotWidth;
  const y = (v: number) => BOX.top + plotHeight - (v / max) * plotHeight;
  const minutes = Math.round(span / 60_000);
  const lines = chart.series.map((series, i) => {
    const colour = SERIES_COLOURS[i % SERIES_COLOURS.length]!;
    return segments(series.points, x, y).map((run) =>
      run.includes(' ')
        ? html`<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${run}"/>`
        : html`<circle r="2" fill="${colour}" cx="${run.split(',')[0]!}" cy="${run.split(',')[1]!}"/>`,
    );
  });
  const legend = chart.series.map((series, i) => {
    const value = latest(series);
    return html`<li><span class="swatch" style="background:${SERIES_COLOURS[i % SERIES_COLOURS.length]!}"></span>${series.label} <b>${value === null ? '–' : chart.format(value)}</b></li>`;
  });
  return html`<figure class="chart">
  <figcaption>${chart.title}</figcaption>
  <svg viewBox="0 0 ${BOX.width} ${BOX.height}" role="img" aria-label="${chart.title}">
    <line class="axis" x1="${BOX.left}" y1="${BOX.top + plotHeight}" x2="${BOX.width - BOX.right}" y2="${BOX.top + plotHeight}"/>
    <line class="axis" x1="${BOX.left}" y1="${BOX.top}" x2="${BOX.left}" y2="${BOX.top + plotHeight}"/>
    <text x="${BOX.left - 4}" y="${BOX.top + 8}" text-anchor="end">${chart.format(max)}</text>
    <text x="${BOX.left - 4}" y="${BOX.top + plotHeight}" text-anchor="end">0</text>
    <text x="${BOX.left}" y="${BOX.height - 4}">-${minutes} min</text>
    <text x="${BOX.width - BOX.right}" y="${BOX.height - 4}" text-anchor="end">now</text>
    ${lines}
    ${values.length === 0 ? html`<text x="${BOX.left + plotWidth / 2}" y="${BOX.top + plotHeight / 2}" text-anchor="middle" class="empty">no samples yet</text>` : null}
  </svg>
  <ul class="legend">${legend}</ul>
</figure>`;
}
