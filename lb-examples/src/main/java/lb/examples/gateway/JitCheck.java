package lb.examples.gateway;

import java.lang.management.ManagementFactory;
import java.util.Optional;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * The launcher runs the JVM with the quick JIT compiler alone when none of its arguments is
 * about TLS: that compiler's code relays plain MQTT as fast, and a just-started gateway then
 * spends no processor time on the optimizing one. TLS needs the optimizing compiler, whose code
 * alone uses the processor's AES instructions: without it, bulk encryption runs about a
 * hundred times slower. This says so when TLS is configured in such a JVM, at start or by a
 * reload. Stateless.
 */
final class JitCheck {
    /** The tier of the optimizing compiler (C2): {@code -XX:TieredStopAtLevel} below it leaves it out. */
    private static final int OPTIMIZING_TIER = 4;

    private JitCheck() {
    }

    /** The warning for {@code o} in this JVM, if TLS is configured and the optimizing compiler is off. */
    static Optional<String> warning(GatewayOptions o) {
        return warning(o, stopAtTier());
    }

    static Optional<String> warning(GatewayOptions o, int stopAtTier) {
        if (stopAtTier >= OPTIMIZING_TIER || !usesTls(o)) {
            return Optional.empty();
        }
        return Optional.of("TLS is configured, but this JVM runs without its optimizing JIT compiler"
                + " (-XX:TieredStopAtLevel=" + stopAtTier + "), so TLS runs many times slower: restart the gateway"
                + " (its launcher keeps that compiler when a flag or setting names TLS),"
                + " or set JAVA_OPTS=-XX:TieredStopAtLevel=4");
    }

    /** TLS terminated for clients or originated to brokers, anywhere in {@code o}. */
    static boolean usesTls(GatewayOptions o) {
        if (usesTlsItself(o)) {
            return true;
        }
        for (GatewayOptions.Section s : o.frontends) {
            if (usesTlsItself(s.settings())) {
                return true;
            }
        }
        for (GatewayOptions.Section s : o.backends) {
            if (usesTlsItself(s.settings())) {
                return true;
            }
        }
        return false;
    }

    private static boolean usesTlsItself(GatewayOptions o) {
        return !o.tlsCerts.isEmpty() || o.serverTlsCa != null;
    }

    /** {@code -XX:TieredStopAtLevel} of this JVM; the optimizing tier where it cannot tell. */
    private static int stopAtTier() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return vm == null ? OPTIMIZING_TIER : Integer.parseInt(vm.getVMOption("TieredStopAtLevel").getValue());
        } catch (RuntimeException e) {
            return OPTIMIZING_TIER; // not HotSpot, or no such option: nothing to warn about
        }
    }
}
