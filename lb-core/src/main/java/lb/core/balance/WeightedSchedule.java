package lb.core.balance;

/**
 * One cycle of smooth weighted round robin, written out as server indices: index {@code i}
 * appears {@code weights[i] / g} times (g the weights' greatest common divisor), spread out
 * rather than in runs. Built when a server set changes, so the per-pick work of
 * {@link StaticRoundRobin} and {@link SourceHash} is one array read. Stateless.
 */
final class WeightedSchedule {
    private WeightedSchedule() {
    }

    /** Weights must be positive; the result's length is sum(weights) / gcd(weights). */
    static int[] interleave(int[] weights) {
        int n = weights.length;
        if (n == 0) {
            return new int[0];
        }
        int g = 0;
        for (int w : weights) {
            g = gcd(g, w);
        }
        int[] reduced = new int[n];
        int total = 0;
        for (int i = 0; i < n; i++) {
            reduced[i] = weights[i] / g;
            total += reduced[i];
        }
        int[] schedule = new int[total];
        long[] scores = new long[n];
        for (int k = 0; k < total; k++) {
            int best = 0;
            for (int i = 0; i < n; i++) {
                scores[i] += reduced[i];
                if (scores[i] > scores[best]) {
                    best = i;
                }
            }
            scores[best] -= total;
            schedule[k] = best;
        }
        return schedule;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
