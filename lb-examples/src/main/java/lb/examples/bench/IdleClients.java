package lb.examples.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import lb.examples.broker.MqttEncoder;
import lb.examples.broker.PacketWriter;

/**
 * A process that holds idle MQTT connections, so the benchmark can read what each one costs a
 * proxy. Each connection sends CONNECT (keep-alive off, so nothing more is ever sent) and waits
 * for its CONNACK. Commands on stdin, one per line, until it closes:
 *
 * <pre>
 * open N     open N more connections; answers "open LIVE FAILED" once all have settled
 * </pre>
 *
 * Connections are opened in batches: a batch connects, then sends its CONNECTs, then reads its
 * CONNACKs, which keeps a proxy's accept backlog busy without overflowing it.
 *
 * <pre>
 * IdleClients HOST:PORT SOURCE_ADDRESS CLIENT_ID_PREFIX
 * </pre>
 */
public final class IdleClients {
    private static final int BATCH = 100;
    private static final int TIMEOUT_MS = 10_000;
    private static final long OPEN_DEADLINE_NS = TimeUnit.MINUTES.toNanos(5);
    private static final byte[] CONNACK_ACCEPTED = {0x20, 0x02, 0x00, 0x00};

    private final InetSocketAddress target;
    private final InetAddress source;
    private final String clientIdPrefix;
    private final List<Socket> live = new ArrayList<>();
    private int failed;

    private IdleClients(InetSocketAddress target, InetAddress source, String clientIdPrefix) {
        this.target = target;
        this.source = source;
        this.clientIdPrefix = clientIdPrefix;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: IdleClients HOST:PORT SOURCE_ADDRESS CLIENT_ID_PREFIX");
            System.exit(2);
        }
        int colon = args[0].lastIndexOf(':');
        IdleClients clients = new IdleClients(
                new InetSocketAddress(InetAddress.getByName(args[0].substring(0, colon)), Integer.parseInt(args[0].substring(colon + 1))),
                InetAddress.getByName(args[1]), args[2]);
        String command;
        while ((command = StandardInput.next()) != null) {
            if (command.startsWith("open ")) {
                clients.open(Integer.parseInt(command.substring("open ".length()).trim()));
                System.out.println("open " + clients.live.size() + " " + clients.failed);
                System.out.flush();
            }
        }
        clients.closeAll();
    }

    private void open(int count) {
        long deadline = System.nanoTime() + OPEN_DEADLINE_NS;
        int done = 0;
        while (done < count && System.nanoTime() - deadline < 0) {
            int batch = Math.min(BATCH, count - done);
            List<Socket> connecting = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                Socket s = connect(live.size() + failed + connecting.size());
                if (s != null) {
                    connecting.add(s);
                }
            }
            for (Socket s : connecting) {
                if (awaitConnack(s)) {
                    live.add(s);
                } else {
                    failed++;
                    closeQuietly(s);
                }
            }
            done += batch;
        }
    }

    /** Connects and sends CONNECT; null (counted as failed) if either goes wrong. */
    private Socket connect(int index) {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(target, TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            PacketWriter w = new PacketWriter();
            MqttEncoder.connect(w, MqttEncoder.LEVEL_3_1_1, (clientIdPrefix + index).getBytes(StandardCharsets.UTF_8), 0, true);
            s.getOutputStream().write(w.toByteArray());
            return s;
        } catch (IOException e) {
            failed++;
            closeQuietly(s);
            return null;
        }
    }

    private static boolean awaitConnack(Socket s) {
        try {
            InputStream in = s.getInputStream();
            byte[] reply = in.readNBytes(CONNACK_ACCEPTED.length);
            return Arrays.equals(reply, CONNACK_ACCEPTED);
        } catch (IOException e) {
            return false;
        }
    }

    private void closeAll() {
        for (Socket s : live) {
            closeQuietly(s);
        }
        live.clear();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Closing is best effort; the process is about to end anyway.
        }
    }
}
