package lb.examples.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import org.HdrHistogram.Histogram;

/**
 * All rounds of a run reduced to what the reports show: per target and figure the median over
 * rounds, ratios between targets, and each target's latency histograms merged over rounds.
 * Immutable once built.
 */
final class Summary {
    private final List<String> targets;
    private final List<Metric> metrics;
    private final List<RoundFigures> rounds;
    private final Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
    private final Map<String, Map<String, Histogram>> histograms = new LinkedHashMap<>();

    Summary(List<String> targets, List<Metric> metrics, List<RoundFigures> rounds) {
        this.targets = List.copyOf(targets);
        this.metrics = List.copyOf(metrics);
        this.rounds = List.copyOf(rounds);
        for (String target : targets) {
            Map<String, Double> m = new LinkedHashMap<>();
            for (Metric metric : metrics) {
                OptionalDouble median = median(target, metric.key());
                if (median.isPresent()) {
                    m.put(metric.key(), median.getAsDouble());
                }
            }
            medians.put(target, m);
            Map<String, Histogram> merged = new LinkedHashMap<>();
            for (RoundFigures r : rounds) {
                if (r.target().equals(target)) {
                    r.histograms().forEach((name, h) -> merged.computeIfAbsent(name, n -> new Histogram(3)).add(h));
                }
            }
            histograms.put(target, merged);
        }
    }

    List<String> targets() {
        return targets;
    }

    List<Metric> metrics() {
        return metrics;
    }

    List<RoundFigures> rounds() {
        return rounds;
    }

    /** The target the goals are about: the gateway as shipped if it ran, else the library alone; null when neither did. */
    String underTest() {
        return targets.contains("gateway") ? "gateway" : targets.contains("balancer") ? "balancer" : null;
    }

    /** The ratios the reports show, as (numerator, denominator) pairs of targets that ran. */
    List<String[]> ratioPairs() {
        List<String> proxies = targets.stream().filter(t -> t.equals("gateway") || t.equals("balancer")).toList();
        List<String[]> pairs = new ArrayList<>();
        for (String p : proxies) {
            addPair(pairs, p, "direct");
        }
        addPair(pairs, "haproxy", "direct");
        for (String p : proxies) {
            addPair(pairs, p, "haproxy");
        }
        return pairs;
    }

    private void addPair(List<String[]> pairs, String a, String b) {
        if (targets.contains(a) && targets.contains(b)) {
            pairs.add(new String[] {a, b});
        }
    }

    /** The median over rounds, or NaN when no round of {@code target} produced it. */
    double median(String target, Metric metric) {
        Double v = medians.getOrDefault(target, Map.of()).get(metric.key());
        return v == null ? Double.NaN : v;
    }

    /** {@code a}'s median over {@code b}'s; NaN when either is missing or {@code b}'s is zero. */
    double ratio(String a, String b, Metric metric) {
        double x = median(a, metric);
        double y = median(b, metric);
        return Double.isNaN(x) || Double.isNaN(y) || y == 0 ? Double.NaN : x / y;
    }

    /** Histograms merged over rounds, by name ({@link RoundFigures#CONNECT_WARM} ...). */
    Map<String, Histogram> histograms(String target) {
        return histograms.getOrDefault(target, Map.of());
    }

    /** Every problem any round noted, prefixed with round and target. */
    List<String> problems() {
        List<String> all = new ArrayList<>();
        for (RoundFigures r : rounds) {
            for (String p : r.problems()) {
                all.add("round " + r.round() + ", " + r.target() + ": " + p);
            }
        }
        return all;
    }

    private OptionalDouble median(String target, String key) {
        double[] values = rounds.stream().filter(r -> r.target().equals(target))
                .map(r -> r.get(key)).filter(OptionalDouble::isPresent).mapToDouble(OptionalDouble::getAsDouble).toArray();
        if (values.length == 0) {
            return OptionalDouble.empty();
        }
        Arrays.sort(values);
        int n = values.length;
        return OptionalDouble.of(n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2);
    }
}
