package lb.examples.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import lb.examples.broker.FakeBroker;

/**
 * One benchmark broker as its own process: a {@link FakeBroker} on 127.0.0.1 and a free port.
 * Prints {@code ready PORT}, then serves until its stdin closes, so it never outlives the
 * benchmark that started it.
 *
 * <pre>
 * BrokerProcess NAME LOOPS
 * </pre>
 */
public final class BrokerProcess {
    private BrokerProcess() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: BrokerProcess NAME LOOPS");
            System.exit(2);
        }
        FakeBroker broker = new FakeBroker(args[0], new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Integer.parseInt(args[1]));
        broker.start();
        System.out.println("ready " + broker.address().getPort());
        System.out.flush();
        StandardInput.awaitEnd();
        broker.stop();
    }
}
