package lb.core.stats.http;

/**
 * The stats page's style sheet, inline so the page needs nothing else (its Content Security
 * Policy allows no other source). Follows the reader's light or dark preference.
 */
final class StatsPageStyle {
    private StatsPageStyle() {
    }

    static final String CSS = """
            :root{color-scheme:light dark;--bg:#f4f6f8;--card:#fff;--fg:#1c232b;--muted:#5d6978;--line:#e2e6eb;\
            --head:#1f2a37;--up:#1e9e57;--down:#d64141;--drain:#d98a00;--maint:#5b6b86;--warm:#2a8bd4;--off:#8a94a3}
            @media (prefers-color-scheme:dark){:root{--bg:#12161b;--card:#1a2028;--fg:#e4e8ee;--muted:#98a3b3;\
            --line:#2a313b;--head:#0d1117}}
            *{box-sizing:border-box}
            body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",\
            Roboto,"Helvetica Neue",Arial,sans-serif}
            header{background:var(--head);color:#fff;padding:14px 24px;display:flex;flex-wrap:wrap;gap:8px 24px;\
            align-items:baseline;justify-content:space-between}
            header h1{margin:0;font-size:18px;font-weight:600}
            header .meta{color:#b8c2cf;font-size:13px}
            main{padding:16px 24px 32px;max-width:1500px}
            .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px;margin-bottom:16px}
            .card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
            .card .k{color:var(--muted);font-size:11px;text-transform:uppercase;letter-spacing:.05em}
            .card .v{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums}
            .card .s{color:var(--muted);font-size:12px}
            section{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:0 0 16px;\
            overflow-x:auto}
            section h2{margin:0;padding:10px 14px;font-size:15px;border-bottom:1px solid var(--line);display:flex;\
            flex-wrap:wrap;gap:6px 14px;align-items:baseline}
            .tag{font-size:12px;font-weight:400;color:var(--muted)}
            .tag b{color:var(--fg);font-weight:600}
            table{border-collapse:collapse;width:100%}
            th,td{padding:6px 10px;text-align:right;white-space:nowrap;border-bottom:1px solid var(--line);\
            font-variant-numeric:tabular-nums}
            th{font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600}
            th:first-child,td:first-child,.l{text-align:left}
            tbody tr:hover{background:rgba(127,127,127,.07)}
            tr.total td{font-weight:600;border-bottom:0}
            tr.st-down td{background:rgba(214,65,65,.08)}
            tr.st-maint td,tr.st-drain td,tr.st-off td{color:var(--muted)}
            .pill{display:inline-block;min-width:64px;text-align:center;padding:1px 8px;border-radius:999px;\
            color:#fff;font-size:11px;font-weight:700;letter-spacing:.04em}
            .st-up .pill,.pill.st-up{background:var(--up)}
            .st-down .pill,.pill.st-down{background:var(--down)}
            .st-drain .pill{background:var(--drain)}
            .st-maint .pill{background:var(--maint)}
            .st-warming .pill{background:var(--warm)}
            .st-off .pill{background:var(--off)}
            td small{display:block;color:var(--muted);font-size:11px;line-height:1.3}
            .muted{color:var(--muted)}
            td.why{color:var(--muted);font-size:12px;white-space:normal;min-width:180px}
            .bar{display:inline-block;width:90px;height:8px;border-radius:4px;background:var(--line);\
            vertical-align:middle;margin-right:8px;overflow:hidden}
            .bar i{display:block;height:100%;background:var(--up)}
            .bar.warn i{background:var(--drain)}
            .bar.hot i{background:var(--down)}
            .history{margin:0;padding:8px 14px 12px;list-style:none;font-size:13px}
            .history li{padding:2px 0}
            .history .pill{min-width:52px;margin-right:8px}
            table.timings caption{text-align:left;padding:8px 14px 2px;color:var(--muted);font-size:12px}
            details{padding:6px 14px 10px;font-size:13px}
            details summary{cursor:pointer;color:var(--muted)}
            details table{width:auto;margin-top:6px}
            .rej{color:var(--down);font-weight:600}
            footer{color:var(--muted);font-size:12px;padding:0 24px 24px}
            footer a{color:inherit}
            """;
}
