"""The page's stylesheet and its one small script (click a table header to sort), inlined into the HTML."""

STYLE = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --bg: #f5f7fa; --good: #2f8f4e; --bad: #c53030; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif; }
header { background: #102a43; color: #fff; padding: 18px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; font-weight: 600; }
header p { margin: 0; color: #bcccdc; }
main { max-width: 1320px; margin: 0 auto; padding: 8px 24px 40px; }
section { margin-top: 28px; }
section > h2 { font-size: 18px; font-weight: 600; margin: 0 0 4px; }
section > p.note { margin: 0 0 12px; color: var(--muted); }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px; }
.tile { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.tile .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
.tile .value { font-size: 24px; font-weight: 600; margin: 2px 0 6px; font-variant-numeric: tabular-nums; }
.tile .day { font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; }
.tile .day b { color: var(--ink); font-weight: 600; }
.good { color: var(--good); } .bad { color: var(--bad); } .flat { color: var(--muted); }
.grid { display: grid; gap: 16px; }
.grid.two { grid-template-columns: 1fr 1fr; }
.grid.three { grid-template-columns: 1fr 1fr 1fr; }
.grid.wide-narrow { grid-template-columns: 2fr 1fr; }
@media (max-width: 900px) { .grid.two, .grid.three, .grid.wide-narrow { grid-template-columns: 1fr; } }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 6px; min-width: 0; }
.callout { background: #fff8e6; border: 1px solid #f0d58c; border-radius: 8px; padding: 10px 14px; margin-bottom: 12px; }
.empty { color: var(--muted); padding: 24px; }
.table-wrap { max-height: 460px; overflow: auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
th { position: sticky; top: 0; background: #f0f4f8; cursor: pointer; user-select: none; }
th[aria-sort="ascending"]::after { content: " \\25B2"; } th[aria-sort="descending"]::after { content: " \\25BC"; }
.freshness { margin: 0 0 6px; font-weight: 600; }
footer { color: var(--muted); font-size: 12px; margin-top: 32px; }
"""

SORT_SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (header, column) {
    header.addEventListener("click", function () {
      var ascending = header.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].dataset.sort, y = b.cells[column].dataset.sort;
        var nx = Number(x), ny = Number(y);
        var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""
