package lb.core.stats.http;

import lb.core.stats.BackendStats;
import lb.core.stats.DurationHistogram;
import lb.core.stats.ServerStats;

/**
 * A backend's connect and queue times on the stats page: one row for the backend's connects
 * (retries included), one for its queue, one per server's connects, each with how many were
 * timed, p50, p90 and p99 (estimated from the histogram's buckets, and the caption says so), the
 * mean and the longest. Shown once anything was timed. Stateless.
 */
final class TimingsTable {
    private TimingsTable() {
    }

    static void append(StringBuilder out, BackendStats b) {
        if (b.connectTime().count() == 0 && b.queueTime().count() == 0) {
            return;
        }
        out.append("<table class=\"timings\"><caption>Connect and queue times; p50, p90 and p99 are estimated ")
                .append("from histogram buckets (100 us to 10 s)</caption><thead><tr><th>Timed</th><th>Count</th>")
                .append("<th>p50</th><th>p90</th><th>p99</th><th>Mean</th><th>Max</th></tr></thead><tbody>");
        row(out, "connect", "backend connect (first attempt to established)", b.connectTime());
        row(out, "queue", "backend queue (waits of those let go)", b.queueTime());
        for (ServerStats s : b.servers()) {
            row(out, "server:" + s.name(), "server " + StatsPage.esc(s.name()) + " connect", s.connectTime());
        }
        out.append("</tbody></table>");
    }

    private static void row(StringBuilder out, String id, String labelHtml, DurationHistogram h) {
        out.append("<tr data-timing=\"").append(StatsPage.esc(id)).append("\"><td>").append(labelHtml)
                .append("</td><td>").append(HumanUnits.count(h.count())).append("</td>");
        if (h.count() == 0) {
            out.append("<td></td><td></td><td></td><td></td><td></td></tr>");
            return;
        }
        out.append("<td>").append(HumanUnits.duration(h.percentileNanos(0.5))).append("</td><td>")
                .append(HumanUnits.duration(h.percentileNanos(0.9))).append("</td><td data-p99>")
                .append(HumanUnits.duration(h.percentileNanos(0.99))).append("</td><td>")
                .append(HumanUnits.duration(h.meanNanos())).append("</td><td data-max>")
                .append(HumanUnits.duration(h.maxNanos())).append("</td></tr>");
    }
}
