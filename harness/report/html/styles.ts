// The report's stylesheet, inline: the page loads nothing from anywhere. The
// system font stack stands in for web fonts.
export const STYLES = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #fff; --soft: #f6f8fa;
  --ok: #1a7f37; --ok-bg: #dafbe1; --known: #424a53; --known-bg: #e6eaef;
  --stale: #8a5a00; --stale-bg: #fff4c2; --bad: #c1121f; --bad-bg: #ffe4e1; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg); }
main { max-width: 1180px; margin: 0 auto; padding: 20px 28px 60px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 6px; padding-bottom: 4px;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 14px 0 6px; }
code, pre, .hash, .num { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
code { font-size: 12px; background: var(--soft); padding: 1px 4px; border-radius: 4px; }
.facts, .hint { color: var(--muted); margin: 2px 0; }
.hint { font-size: 12px; }
.num { text-align: right; font-size: 12px; }
table { border-collapse: collapse; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
thead th { font-size: 12px; color: var(--muted); font-weight: 600; }
.overview { display: flex; gap: 32px; flex-wrap: wrap; align-items: flex-start; margin-top: 14px; }
.versions caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
.versions th { font-weight: 600; white-space: nowrap; }
.totals { flex: 1; min-width: 260px; }
.outcome { font-size: 16px; font-weight: 600; padding: 8px 12px; border-radius: 6px;
  margin: 0 0 10px; }
.chips { list-style: none; display: flex; flex-wrap: wrap; gap: 8px; padding: 0; margin: 0 0 8px; }
.chips li { display: flex; align-items: center; gap: 4px; }
.chips .total { color: var(--muted); }
.banner { padding: 8px 12px; border-radius: 6px; font-weight: 600; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 12px;
  font-weight: 600; white-space: nowrap; }
.t-ok { color: var(--ok); background: var(--ok-bg); }
.t-known { color: var(--known); background: var(--known-bg); }
.t-stale { color: var(--stale); background: var(--stale-bg); }
.t-bad { color: var(--bad); background: var(--bad-bg); }
.matrices { display: flex; flex-wrap: wrap; gap: 10px 28px; }
.matrix h3 { margin-top: 10px; }
.matrix th, .matrix td { border: none; }
.matrix th[scope="row"] { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px;
  white-space: nowrap; vertical-align: middle; padding-right: 12px; }
.matrix thead th { font-family: ui-monospace, Menlo, Consolas, monospace; }
.matrix .corner { font-family: inherit; font-weight: 400; }
.matrix td { padding: 3px; border: none; }
.entry { width: 100%; min-width: 118px; border: 1px solid transparent; border-radius: 6px;
  padding: 6px 10px; font: 600 12px ui-monospace, Menlo, Consolas, monospace; cursor: pointer;
  text-align: left; }
.entry:hover, .entry:focus-visible { border-color: var(--fg); outline: none; }
.empty { color: var(--muted); text-align: center; }
.chart { max-width: 100%; height: auto; }
.chart .grid { stroke: var(--line); }
.chart .tick { font-size: 11px; fill: var(--muted); }
.chart .label { font: 12px ui-monospace, Menlo, Consolas, monospace; fill: var(--fg); }
.chart .value { font-size: 12px; fill: var(--muted); }
.chart .bar { fill: #b6d4fb; }
.chart .median { stroke: #0a3069; stroke-width: 2; }
.chart .dot { fill: #0969da; fill-opacity: .55; stroke: #fff; stroke-width: 1; }
.chart .dot:hover { fill-opacity: 1; }
.controls { display: flex; gap: 16px; align-items: center; margin: 6px 0 10px; }
.controls input[type=search] { padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px;
  width: 260px; }
#cells .scroll { max-height: 560px; overflow-y: auto; border: 1px solid var(--line);
  border-radius: 6px; }
table.cells { width: 100%; }
table.cells thead th { position: sticky; top: 0; background: var(--soft); z-index: 1; }
table.cells td { padding: 3px 8px; vertical-align: middle; }
button.link { background: none; border: none; padding: 0; color: var(--accent); cursor: pointer;
  font: 12px ui-monospace, Menlo, Consolas, monospace; text-align: left; }
button.link:hover { text-decoration: underline; }
#detail { position: fixed; top: 0; right: 0; bottom: 0; width: min(860px, 96vw); overflow-y: auto;
  background: var(--bg); border-left: 1px solid var(--line);
  box-shadow: -8px 0 24px rgba(0,0,0,.12);
  padding: 14px 22px 40px; outline: none; }
#detail[hidden] { display: none; }
#detail-close { position: sticky; top: 0; float: right; border: 1px solid var(--line);
  background: var(--soft); border-radius: 6px; padding: 3px 10px; cursor: pointer; }
#detail-title { font: 600 14px ui-monospace, Menlo, Consolas, monospace; border: none;
  margin: 4px 90px 10px 0; word-break: break-all; }
.facts-list { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 3px 14px;
  margin: 0; }
.facts-list.single { grid-template-columns: max-content 1fr; }
.facts-list dt { color: var(--muted); }
.facts-list dd { margin: 0; word-break: break-all; }
.reason { padding: 8px 10px; border-left: 3px solid var(--bad); background: var(--soft);
  margin: 0 0 8px; }
.scroll { overflow-x: auto; }
.scroll.short { max-height: 260px; overflow-y: auto; }
table.digests td, table.digests th { font-size: 12px; }
table.digests th { white-space: nowrap; }
.hash { font-size: 11px; word-break: break-all; }
table.digests td { min-width: 150px; }
.ver { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px;
  font-size: 12px; overflow-x: auto; white-space: pre-wrap; word-break: break-word; margin: 4px 0; }
details summary { cursor: pointer; font-size: 12px; color: var(--muted); }
.copy { border: 1px solid var(--line); background: var(--soft); border-radius: 6px;
  padding: 2px 10px;
  cursor: pointer; }
.entry-cells { list-style: none; padding: 0; }
.entry-cells li { padding: 3px 0; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
`;
