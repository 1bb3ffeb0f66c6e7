package lb.examples.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import lb.examples.loadgen.LoadCommandLine;
import lb.examples.loadgen.LoadConfig;
import lb.examples.loadgen.LoadGenerator;
import lb.examples.loadgen.LoadReport;
import lb.examples.loadgen.LoadResult;

/**
 * One load generator process of a benchmark phase. Takes the {@link LoadGenerator} command
 * line, warms its own code up with a short run of the same kind against {@code WARM_UP_TARGET}
 * (a broker), prints {@code ready}, and runs when told {@code go} on stdin, so that all workers
 * of a phase start together with their JVMs started and compiled. It runs the load once per
 * source address given, each pass from its own address, then prints {@code result ...} (a
 * {@link LoadOutcome} of the last pass) on stdout and the usual text summaries on stderr.
 *
 * <p>With {@code rehearse} for the warm-up target, the warm-up is the first pass's load itself,
 * the same clients with the same ids against the same target, from the first source address;
 * the recorded passes use the others. What clients keep between runs of one process (each
 * client id's TLS session, with {@code --tls-resume}) is then there for every client measured.
 *
 * <p>Why an address per pass: the brokers and the balancer close first, so the TIME_WAIT state
 * (60 s) stays on their side, where the client's kernel cannot see it when it picks a port.
 * Reusing a (source, port, target) within that minute costs the client a one-second SYN retry;
 * a fresh source address per pass never reuses one.
 *
 * <pre>
 * LoadWorker WARM_UP_TARGET|none|rehearse SOURCE[,SOURCE...] SCENARIO [LOAD GENERATOR OPTIONS]
 * </pre>
 */
public final class LoadWorker {
    private static final int WARM_UP_CLIENTS = 500;
    private static final String WARM_UP_DURATION = "1s";

    private LoadWorker() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 3) {
            System.err.println("usage: LoadWorker WARM_UP_TARGET|none|rehearse SOURCE[,SOURCE...] SCENARIO [OPTIONS]");
            System.exit(2);
        }
        boolean rehearse = args[0].equals("rehearse");
        String[] sources = args[1].split(",");
        String[] load = Arrays.copyOfRange(args, 2, args.length);
        List<LoadCommandLine> passes = new ArrayList<>();
        LoadCommandLine warmUp = null;
        try {
            if (rehearse && sources.length < 2) {
                throw new LoadCommandLine.UsageException("rehearse needs two source addresses or more: one for the rehearsal");
            }
            for (String source : rehearse ? Arrays.copyOfRange(sources, 1, sources.length) : sources) {
                passes.add(LoadCommandLine.parse(with(load, "--source", source)));
            }
            if (rehearse) {
                warmUp = LoadCommandLine.parse(with(load, "--source", sources[0]));
            } else if (!args[0].equals("none")) {
                warmUp = LoadCommandLine.parse(warmUpArgs(with(load, "--source", sources[0]), args[0], passes.get(0).config()));
            }
        } catch (LoadCommandLine.UsageException e) {
            System.err.println("LoadWorker: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            if (warmUp != null) {
                LoadGenerator.run(warmUp.config());
            }
            System.out.println("ready");
            System.out.flush();
            if (!"go".equals(StandardInput.next())) {
                return;
            }
            LoadResult result = null;
            for (LoadCommandLine pass : passes) {
                result = LoadGenerator.run(pass.config());
                System.err.print(LoadReport.text(result));
            }
            System.out.println("result " + LoadOutcome.of(result).encode());
            System.out.flush();
        } catch (IOException e) {
            System.err.println("LoadWorker: " + e.getMessage());
            System.exit(1);
        }
    }

    /** The first pass's load, smaller and shorter, aimed at {@code target}, with client ids of its own. */
    private static String[] warmUpArgs(String[] load, String target, LoadConfig first) {
        String[] a = with(load, "--target", target);
        a = with(a, "--client-id-prefix", "warm-up-" + first.clientIdPrefix());
        a = with(a, "--clients", Integer.toString(Math.min(first.clients(), WARM_UP_CLIENTS)));
        return with(a, "--duration", WARM_UP_DURATION);
    }

    /** {@code args} with {@code flag} set to {@code value}, replaced where present, else added. */
    private static String[] with(String[] args, String flag, String value) {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        int at = a.indexOf(flag);
        if (at >= 0 && at + 1 < a.size()) {
            a.set(at + 1, value);
        } else {
            a.add(flag);
            a.add(value);
        }
        return a.toArray(String[]::new);
    }
}
