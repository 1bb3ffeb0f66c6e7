package lb.core.stats;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What is running: this library's version, as the build wrote it into {@code build.properties}
 * ("unknown" when the classes were not built by Maven, in an IDE say), and the Java runtime's
 * version and vendor.
 */
public record BuildInfo(String version, String javaVersion, String javaVendor) {
    private static final String UNKNOWN = "unknown";
    private static final BuildInfo CURRENT = read();

    /** This library and the runtime it runs on; read once. */
    public static BuildInfo current() {
        return CURRENT;
    }

    private static BuildInfo read() {
        return new BuildInfo(libraryVersion(), Runtime.version().toString(),
                System.getProperty("java.vendor", UNKNOWN));
    }

    private static String libraryVersion() {
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                return UNKNOWN;
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "").strip();
            // An unfiltered copy still holds the placeholder.
            return v.isEmpty() || v.startsWith("${") ? UNKNOWN : v;
        } catch (IOException | IllegalArgumentException e) {
            return UNKNOWN;
        }
    }
}
