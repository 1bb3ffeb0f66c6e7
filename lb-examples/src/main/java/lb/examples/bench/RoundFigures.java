package lb.examples.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import org.HdrHistogram.Histogram;

/**
 * What one round measured for one target: named figures (see {@link Metric}), the latency
 * histograms, and notes on anything that went wrong. Filled by {@link Measurement} on the
 * benchmark's main thread, then only read.
 */
final class RoundFigures {
    /** Histogram names, also used in the percentile file names. */
    static final String CONNECT_COLD = "connect-cold";
    static final String CONNECT_WARM = "connect-warm";
    static final String DELIVERY = "delivery";

    private final String target;
    private final int round;
    private final Map<String, Double> values = new LinkedHashMap<>();
    private final Map<String, Histogram> histograms = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    RoundFigures(String target, int round) {
        this.target = target;
        this.round = round;
    }

    String target() {
        return target;
    }

    int round() {
        return round;
    }

    void put(String metricKey, double value) {
        if (!Double.isNaN(value) && !Double.isInfinite(value)) {
            values.put(metricKey, value);
        }
    }

    OptionalDouble get(String metricKey) {
        Double v = values.get(metricKey);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    Map<String, Double> values() {
        return Collections.unmodifiableMap(values);
    }

    void putHistogram(String name, Histogram h) {
        histograms.put(name, h);
    }

    Map<String, Histogram> histograms() {
        return histograms;
    }

    void problem(String text) {
        problems.add(text);
    }

    List<String> problems() {
        return List.copyOf(problems);
    }
}
