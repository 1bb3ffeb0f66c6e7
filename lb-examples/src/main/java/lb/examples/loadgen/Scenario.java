package lb.examples.loadgen;

import java.util.Locale;

/**
 * What a load run does. Each scenario is a short script over the driver's steps; the same
 * steps (connect a group, hold, churn, storm, publish) are shared by all of them.
 */
public enum Scenario {
    /** N clients connect, at a rate or flat out, then disconnect. */
    CONNECT("N clients connect (at --rate per second, or flat out), then disconnect") {
        @Override
        void run(LoadDriver driver) throws InterruptedException {
            driver.connect(driver.clients(), driver.config().rate());
        }
    },
    /** N clients connect and hold their connections, pinging, for the duration. */
    IDLE("N clients connect and hold their connections for --duration, pinging per --keep-alive") {
        @Override
        void run(LoadDriver driver) throws InterruptedException {
            driver.connect(driver.clients(), driver.config().rate());
            driver.hold(driver.config().duration());
        }
    },
    /** Subscribers subscribe to every publisher's topic; publishers publish for the duration. */
    PUBSUB("S subscribers take PREFIX/+, P publishers publish to PREFIX/<n> at --rate messages/s in all") {
        @Override
        void run(LoadDriver driver) throws InterruptedException {
            driver.connect(driver.subscribers(), 0);
            driver.connect(driver.publishers(), 0);
            driver.publish();
        }
    },
    /** N clients connect, then clients disconnect and reconnect with the same id at a rate. */
    CHURN("N clients connect; then --rate per second disconnect and reconnect with the same id, for --duration") {
        @Override
        void run(LoadDriver driver) throws InterruptedException {
            driver.connect(driver.clients(), 0);
            driver.churn(driver.clients(), driver.config().rate(), driver.config().duration());
        }
    },
    /** N clients connect, then all disconnect and reconnect at the same moment. */
    STORM("N clients connect (at --rate, or flat out); then all disconnect and reconnect at once") {
        @Override
        void run(LoadDriver driver) throws InterruptedException {
            driver.connect(driver.clients(), driver.config().rate());
            driver.storm(driver.clients());
        }
    };

    private final String description;

    Scenario(String description) {
        this.description = description;
    }

    /** One line for the usage text. */
    public String description() {
        return description;
    }

    /** The scenario's name on the command line. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True when the run has publishers and subscribers rather than plain clients. */
    boolean isPubSub() {
        return this == PUBSUB;
    }

    abstract void run(LoadDriver driver) throws InterruptedException;
}
