package lb.examples.loadgen;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import lb.examples.broker.TopicFilter;

/**
 * Everything a load run needs, validated. Immutable; build one with {@link #builder}.
 *
 * <p>Defaults (the builder's field initialisers): 1,000 clients, rate 0 (flat out) except
 * pubsub (1,000 messages/s) and churn (100 reconnects/s), 10 s duration, 10 publishers and 10
 * subscribers, 64-byte messages at QoS 0 to {@code load/<n>}, MQTT 3.1.1, no source binding,
 * client ids {@code lg-...}, up to 4 threads, 60 s keep-alive, 10 s connect timeout, 200
 * connects in flight, a flat-out window of 256 messages per publisher, no TLS, and a time
 * limit derived from the rest.
 *
 * <p>Always bounded: counts are capped, every wait has a deadline, and only loopback
 * addresses are accepted as target or source.
 */
public final class LoadConfig {
    /** Clients one process can hold well below a 20,000 descriptor limit, with room to spare. */
    public static final int MAX_CLIENTS = 15_000;
    public static final int MIN_MESSAGE_SIZE = 16;
    public static final int MAX_MESSAGE_SIZE = 1024 * 1024;
    static final Duration MAX_DURATION = Duration.ofHours(1);
    /** The flat-out window per publisher: a QoS 1 publisher's own window. */
    static final int PER_PUBLISHER_WINDOW = 256;

    private final Scenario scenario;
    private final InetSocketAddress target;
    private final int clients;
    private final double rate;
    private final Duration duration;
    private final int publishers;
    private final int subscribers;
    private final int messageSize;
    private final int qos;
    private final long messagesPerPublisher;
    private final long flatOutWindow;
    private final String topicPrefix;
    private final int mqttLevel;
    private final List<InetAddress> sourceAddresses;
    private final int sourcePortLow;
    private final int sourcePortHigh;
    private final String clientIdPrefix;
    private final int threads;
    private final Duration keepAlive;
    private final Duration connectTimeout;
    private final int maxConnectsInFlight;
    private final Duration timeLimit;
    private final LoadTls tls;

    private LoadConfig(Builder b) {
        this.scenario = b.scenario;
        this.target = b.target;
        this.clients = b.clients;
        this.rate = b.rate != null ? b.rate : defaultRate(b.scenario);
        this.duration = b.duration;
        this.publishers = b.publishers;
        this.subscribers = b.subscribers;
        this.messageSize = b.messageSize;
        this.qos = b.qos;
        this.messagesPerPublisher = b.messagesPerPublisher;
        this.flatOutWindow = b.flatOutWindow != null ? b.flatOutWindow : (long) PER_PUBLISHER_WINDOW * b.publishers;
        this.topicPrefix = b.topicPrefix;
        this.mqttLevel = b.mqttLevel;
        this.sourceAddresses = List.copyOf(b.sourceAddresses);
        this.sourcePortLow = b.sourcePortLow;
        this.sourcePortHigh = b.sourcePortHigh;
        this.clientIdPrefix = b.clientIdPrefix;
        this.threads = b.threads;
        this.keepAlive = b.keepAlive;
        this.connectTimeout = b.connectTimeout;
        this.maxConnectsInFlight = b.maxConnectsInFlight;
        this.tls = b.tls;
        this.timeLimit = b.timeLimit != null ? b.timeLimit : derivedTimeLimit();
    }

    public static Builder builder(Scenario scenario, InetSocketAddress target) {
        return new Builder(scenario, target);
    }

    private static double defaultRate(Scenario scenario) {
        return switch (scenario) {
            case PUBSUB -> 1_000;
            case CHURN -> 100;
            default -> 0;
        };
    }

    /**
     * Room for the connect phases at the given rate (or at a slow 500/s flat out, 50/s over TLS,
     * whose full handshakes cost far more), the duration and timeouts.
     */
    private Duration derivedTimeLimit() {
        int connections = scenario.isPubSub() ? publishers + subscribers : clients;
        boolean paced = rate > 0 && scenario != Scenario.PUBSUB && scenario != Scenario.CHURN;
        double connectSeconds = paced ? connections / rate : 0;
        double phases = scenario == Scenario.STORM ? 2 : 1;
        double slowRate = tls == null ? 500 : 50;
        double seconds = phases * (connectSeconds + connections / slowRate + connectTimeout.toSeconds())
                + (usesDuration() ? duration.toSeconds() : 0) + 30;
        return Duration.ofSeconds((long) Math.ceil(seconds));
    }

    boolean usesDuration() {
        return scenario == Scenario.IDLE || scenario == Scenario.PUBSUB || scenario == Scenario.CHURN;
    }

    public Scenario scenario() {
        return scenario;
    }

    public InetSocketAddress target() {
        return target;
    }

    public int clients() {
        return clients;
    }

    /** Connects/s (connect, idle, storm), reconnects/s (churn) or messages/s in all (pubsub); 0 = flat out. */
    public double rate() {
        return rate;
    }

    public Duration duration() {
        return duration;
    }

    public int publishers() {
        return publishers;
    }

    public int subscribers() {
        return subscribers;
    }

    public int messageSize() {
        return messageSize;
    }

    public int qos() {
        return qos;
    }

    /** Messages each publisher sends at most; 0 = as many as the rate and duration allow. */
    public long messagesPerPublisher() {
        return messagesPerPublisher;
    }

    /**
     * Flat-out pub/sub: messages published and not yet received by every subscriber, at most
     * (0: no bound). Publishers wait while this many are under way, so the run measures what
     * the path delivers, and the broker never holds so much for a subscriber that it drops it
     * as a slow consumer. Default: 256 per publisher.
     */
    public long flatOutWindow() {
        return flatOutWindow;
    }

    public String topicPrefix() {
        return topicPrefix;
    }

    public int mqttLevel() {
        return mqttLevel;
    }

    public List<InetAddress> sourceAddresses() {
        return sourceAddresses;
    }

    /** First local port to use, or 0 when the kernel picks ports. */
    public int sourcePortLow() {
        return sourcePortLow;
    }

    public int sourcePortHigh() {
        return sourcePortHigh;
    }

    public String clientIdPrefix() {
        return clientIdPrefix;
    }

    public int threads() {
        return threads;
    }

    public Duration keepAlive() {
        return keepAlive;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public int maxConnectsInFlight() {
        return maxConnectsInFlight;
    }

    /** The whole run ends by then, whatever is still pending. */
    public Duration timeLimit() {
        return timeLimit;
    }

    /** How clients speak TLS; null when they speak MQTT in the clear. */
    public LoadTls tls() {
        return tls;
    }

    /** Fluent builder; {@link #build} checks every field and names the one that is wrong. */
    public static final class Builder {
        private final Scenario scenario;
        private final InetSocketAddress target;
        private int clients = 1_000;
        private Double rate;
        private Duration duration = Duration.ofSeconds(10);
        private int publishers = 10;
        private int subscribers = 10;
        private int messageSize = 64;
        private int qos = 0;
        private long messagesPerPublisher = 0;
        private Long flatOutWindow;
        private String topicPrefix = "load";
        private int mqttLevel = 4;
        private List<InetAddress> sourceAddresses = List.of();
        private int sourcePortLow = 0;
        private int sourcePortHigh = 0;
        private String clientIdPrefix = "lg-";
        private int threads = Math.min(4, Runtime.getRuntime().availableProcessors());
        private Duration keepAlive = Duration.ofSeconds(60);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private int maxConnectsInFlight = 200;
        private Duration timeLimit;
        private LoadTls tls;

        private Builder(Scenario scenario, InetSocketAddress target) {
            this.scenario = Objects.requireNonNull(scenario, "scenario");
            this.target = Objects.requireNonNull(target, "target");
        }

        public Builder clients(int clients) {
            this.clients = clients;
            return this;
        }

        public Builder rate(double rate) {
            this.rate = rate;
            return this;
        }

        public Builder duration(Duration duration) {
            this.duration = Objects.requireNonNull(duration, "duration");
            return this;
        }

        public Builder publishers(int publishers) {
            this.publishers = publishers;
            return this;
        }

        public Builder subscribers(int subscribers) {
            this.subscribers = subscribers;
            return this;
        }

        public Builder messageSize(int bytes) {
            this.messageSize = bytes;
            return this;
        }

        public Builder qos(int qos) {
            this.qos = qos;
            return this;
        }

        public Builder flatOutWindow(long messages) {
            this.flatOutWindow = messages;
            return this;
        }

        public Builder messagesPerPublisher(long messages) {
            this.messagesPerPublisher = messages;
            return this;
        }

        public Builder topicPrefix(String prefix) {
            this.topicPrefix = Objects.requireNonNull(prefix, "topicPrefix");
            return this;
        }

        public Builder mqttLevel(int level) {
            this.mqttLevel = level;
            return this;
        }

        public Builder sourceAddresses(List<InetAddress> addresses) {
            this.sourceAddresses = List.copyOf(addresses);
            return this;
        }

        /** Local ports are taken from {@code [low, high]} on each source address instead of by the kernel. */
        public Builder sourcePorts(int low, int high) {
            this.sourcePortLow = low;
            this.sourcePortHigh = high;
            return this;
        }

        public Builder clientIdPrefix(String prefix) {
            this.clientIdPrefix = Objects.requireNonNull(prefix, "clientIdPrefix");
            return this;
        }

        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        public Builder keepAlive(Duration keepAlive) {
            this.keepAlive = Objects.requireNonNull(keepAlive, "keepAlive");
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout, "connectTimeout");
            return this;
        }

        public Builder maxConnectsInFlight(int max) {
            this.maxConnectsInFlight = max;
            return this;
        }

        public Builder timeLimit(Duration limit) {
            this.timeLimit = Objects.requireNonNull(limit, "timeLimit");
            return this;
        }

        /** Clients connect over TLS; null (the default) for the clear. */
        public Builder tls(LoadTls tls) {
            this.tls = tls;
            return this;
        }

        public LoadConfig build() {
            requireLoopback("target", target.getAddress());
            require(target.getPort() > 0, "target", "port must be 1-65535");
            require(clients >= 1 && clients <= MAX_CLIENTS, "clients", "must be 1-" + MAX_CLIENTS);
            require(rate == null || (rate >= 0 && !rate.isInfinite() && !rate.isNaN()), "rate", "must be 0 (flat out) or positive");
            require(!duration.isNegative() && duration.compareTo(MAX_DURATION) <= 0, "duration", "must be 0-" + MAX_DURATION);
            require(publishers >= 1 && subscribers >= 0 && publishers + subscribers <= MAX_CLIENTS, "publishers/subscribers",
                    "need 1+ publishers, 0+ subscribers, at most " + MAX_CLIENTS + " in all");
            require(messageSize >= MIN_MESSAGE_SIZE && messageSize <= MAX_MESSAGE_SIZE, "size",
                    "must be " + MIN_MESSAGE_SIZE + "-" + MAX_MESSAGE_SIZE + " bytes (a message carries a 16-byte timestamp and sequence)");
            require(qos == 0 || qos == 1, "qos", "must be 0 or 1");
            require(messagesPerPublisher >= 0, "messages", "must be 0 (unbounded) or positive");
            require(flatOutWindow == null || flatOutWindow >= 0, "flat-out-window", "must be 0 (unbounded) or positive");
            require(TopicFilter.isValidTopic(topicPrefix), "topic",
                    "must be a topic name without wildcards");
            require(mqttLevel == 4 || mqttLevel == 5, "mqtt", "must be 4 (3.1.1) or 5 (5.0)");
            for (InetAddress source : sourceAddresses) {
                requireLoopback("source", source);
            }
            boolean ports = sourcePortLow != 0 || sourcePortHigh != 0;
            require(!ports || (sourcePortLow >= 1024 && sourcePortLow <= sourcePortHigh && sourcePortHigh <= 65535),
                    "source-ports", "must be LOW-HIGH within 1024-65535");
            require(!ports || !sourceAddresses.isEmpty(), "source-ports", "needs at least one source address");
            require(threads >= 1 && threads <= 64, "threads", "must be 1-64");
            require(!keepAlive.isNegative() && keepAlive.toSeconds() <= 65_535, "keep-alive", "must be 0-65535 s");
            require(connectTimeout.toMillis() >= 1 && connectTimeout.toSeconds() <= 600, "connect-timeout", "must be 1 ms-600 s");
            require(maxConnectsInFlight >= 1, "inflight", "must be at least 1");
            require(timeLimit == null || (timeLimit.toMillis() >= 1 && timeLimit.compareTo(Duration.ofHours(2)) <= 0),
                    "time-limit", "must be 1 ms-2 h");
            String tlsProblem = tls == null ? null : tls.problem();
            if (tlsProblem != null) {
                throw new IllegalArgumentException(tlsProblem);
            }
            return new LoadConfig(this);
        }

        private static void requireLoopback(String field, InetAddress address) {
            require(address != null && address.isLoopbackAddress(), field,
                    "must be a loopback address (127.0.0.0/8 or ::1): this tool only loads the local machine");
        }

        private static void require(boolean ok, String field, String rule) {
            if (!ok) {
                throw new IllegalArgumentException(field + ": " + rule);
            }
        }
    }
}
