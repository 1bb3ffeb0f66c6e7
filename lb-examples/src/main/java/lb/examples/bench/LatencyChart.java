package lb.examples.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * An SVG chart of latency by percentile, one panel per kind of latency, one line per target.
 * The x axis is HdrHistogram's: percentiles spread as 1/(1-p), so 90, 99, 99.9 and 99.99 are
 * equally far apart and the tail is visible. Stateless.
 */
final class LatencyChart {
    private static final int PANEL_WIDTH = 560;
    private static final int PANEL_HEIGHT = 320;
    private static final int MARGIN_LEFT = 70;
    private static final int MARGIN_TOP = 40;
    private static final int MARGIN_BOTTOM = 50;
    private static final int GAP = 30;
    /** Up to the 99.99th percentile: four "nines". */
    private static final double MAX_NINES = 4;
    private static final int POINTS = 160;
    private static final String[] COLOURS = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a"};

    private LatencyChart() {
    }

    /**
     * @param panels   title -> (target -> histogram in ns), in display order
     * @param targets  the targets, in legend order
     */
    static String render(Map<String, Map<String, Histogram>> panels, List<String> targets) {
        int width = MARGIN_LEFT + PANEL_WIDTH + GAP;
        int height = panels.size() * (PANEL_HEIGHT + MARGIN_TOP + MARGIN_BOTTOM) + GAP;
        StringBuilder svg = new StringBuilder(32_768);
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                width, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        int top = 0;
        for (Map.Entry<String, Map<String, Histogram>> panel : panels.entrySet()) {
            panel(svg, panel.getKey(), panel.getValue(), targets, top + MARGIN_TOP);
            top += PANEL_HEIGHT + MARGIN_TOP + MARGIN_BOTTOM;
        }
        return svg.append("</svg>\n").toString();
    }

    private static void panel(StringBuilder svg, String title, Map<String, Histogram> byTarget, List<String> targets, int top) {
        double maxMs = 0;
        for (Histogram h : byTarget.values()) {
            if (h.getTotalCount() > 0) {
                maxMs = Math.max(maxMs, h.getValueAtPercentile(percentile(MAX_NINES)) / 1e6);
            }
        }
        double yMax = niceCeiling(maxMs);
        int left = MARGIN_LEFT;
        int bottom = top + PANEL_HEIGHT;
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                left, top - 15, escape(title)));
        svg.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
                left, top, PANEL_WIDTH, PANEL_HEIGHT));
        for (int i = 0; i <= 4; i++) {
            double ms = yMax * i / 4;
            int y = (int) Math.round(bottom - PANEL_HEIGHT * (double) i / 4);
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                    left, y, left + PANEL_WIDTH, y, left - 6, y + 4, trim(ms)));
        }
        String[] ticks = {"0%", "90%", "99%", "99.9%", "99.99%"};
        for (int i = 0; i < ticks.length; i++) {
            int x = left + (int) Math.round(PANEL_WIDTH * i / MAX_NINES);
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/><text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x, top, x, bottom, x, bottom + 16, ticks[i]));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
                left + PANEL_WIDTH / 2, bottom + 34));
        svg.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 %d %d)\">latency (ms)</text>%n",
                left - 50, top + PANEL_HEIGHT / 2, left - 50, top + PANEL_HEIGHT / 2));
        for (int t = 0; t < targets.size(); t++) {
            String target = targets.get(t);
            Histogram h = byTarget.get(target);
            String colour = COLOURS[t % COLOURS.length];
            svg.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
                    left + 10, top + 14 + 16 * t, colour, left + 28, top + 19 + 16 * t, escape(TableReport.displayName(target))));
            if (h == null || h.getTotalCount() == 0 || yMax == 0) {
                continue;
            }
            StringBuilder points = new StringBuilder();
            for (int i = 0; i <= POINTS; i++) {
                double nines = MAX_NINES * i / POINTS;
                double ms = h.getValueAtPercentile(percentile(nines)) / 1e6;
                double x = left + PANEL_WIDTH * nines / MAX_NINES;
                double y = bottom - PANEL_HEIGHT * Math.min(1, ms / yMax);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                    colour, points.toString().trim()));
        }
    }

    /** The percentile {@code nines} "nines" deep: 1 -> 90, 2 -> 99, 3 -> 99.9. */
    private static double percentile(double nines) {
        return 100 * (1 - Math.pow(10, -nines));
    }

    /** 1, 2 or 5 times a power of ten, at least {@code v}. */
    private static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 5, 10}) {
            if (step * power >= v) {
                return step * power;
            }
        }
        return 10 * power;
    }

    /** 12.5 rather than 12.50, 20 rather than 20.00. */
    private static String trim(double ms) {
        return String.format(Locale.ROOT, "%.2f", ms).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
