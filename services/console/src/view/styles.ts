import { raw } from './html.ts';

/** The page's one stylesheet, inline (no build step, no second request). */
export const STYLES = raw(`
:root { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2433; background: #f4f6f9; }
body { margin: 0; padding: 16px 24px 32px; }
header.top { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; margin-bottom: 12px; }
header.top h1 { font-size: 20px; margin: 0; }
header.top .meta { color: #5b6577; font-size: 13px; }
header.top form { margin-left: auto; }
h2 { font-size: 15px; margin: 24px 0 8px; text-transform: uppercase; letter-spacing: .04em; color: #3b4456; }
.flow { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
.arrow { font-size: 22px; color: #8a93a5; }
.sinks { display: flex; flex-direction: column; gap: 8px; }
.stage { background: #fff; border: 1px solid #d9dee7; border-left: 6px solid #2e9d5b; border-radius: 6px; padding: 8px 12px; min-width: 200px; }
.stage.slow { border-left-color: #e0a100; }
.stage.failing { border-left-color: #d64541; }
.stage header { display: flex; justify-content: space-between; align-items: center; gap: 8px; }
.stage h3 { margin: 0; font-size: 15px; }
.stage .note { margin: 6px 0 0; max-width: 240px; color: #7a5800; font-size: 11px; }
.stage .role { margin: 2px 0 6px; color: #5b6577; font-size: 12px; }
.badge { font-size: 11px; padding: 1px 6px; border-radius: 8px; background: #e3f4ea; color: #1f6e3f; }
.slow .badge { background: #fdf1cc; color: #7a5800; }
.failing .badge { background: #fbe0df; color: #9c2321; }
.stage dl { margin: 0; display: grid; grid-template-columns: auto auto; gap: 1px 12px; font-size: 13px; }
.fact { display: contents; }
.fact dt { color: #5b6577; }
.fact dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: flex; gap: 16px; flex-wrap: wrap; }
.chart { background: #fff; border: 1px solid #d9dee7; border-radius: 6px; margin: 0; padding: 8px 12px; width: 440px; }
.chart figcaption { font-size: 13px; font-weight: 600; margin-bottom: 4px; }
.chart svg { width: 100%; height: auto; }
.chart svg text { font-size: 10px; fill: #5b6577; }
.chart svg text.empty { font-size: 12px; }
.chart .axis { stroke: #b8c0cc; stroke-width: 1; }
.legend { list-style: none; padding: 0; margin: 4px 0 0; display: flex; gap: 12px; flex-wrap: wrap; font-size: 12px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; }
table { border-collapse: collapse; background: #fff; border: 1px solid #d9dee7; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #eceff4; text-align: left; vertical-align: top; }
th { background: #eef1f5; font-weight: 600; color: #3b4456; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failure td.status, tr.drifted td:first-child { color: #9c2321; font-weight: 600; }
tr.success td.status { color: #1f6e3f; }
td.reason, td.message { max-width: 520px; overflow-wrap: anywhere; }
td.id { font-family: ui-monospace, monospace; font-size: 12px; color: #5b6577; }
.dead-letters h3 { font-size: 14px; margin: 12px 0 4px; }
.dead-letters .count { color: #9c2321; font-weight: normal; }
.hint, .empty { color: #5b6577; font-size: 13px; }
.ok-text { color: #1f6e3f; }
code { background: #eef1f5; padding: 0 4px; border-radius: 3px; }
.error { background: #fbe0df; border: 1px solid #d64541; padding: 8px 12px; border-radius: 6px; }
.login { max-width: 520px; margin: 48px auto; background: #fff; border: 1px solid #d9dee7; border-radius: 6px; padding: 16px 24px; }
.login textarea { width: 100%; font-family: ui-monospace, monospace; font-size: 12px; }
`);
