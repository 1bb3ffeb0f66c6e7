package lb.examples.broker;

/**
 * One published message on its way to subscribers. Immutable, so every loop that delivers it
 * shares the same instance; the topic is kept both decoded (for matching) and as UTF-8 (for
 * re-encoding).
 */
record Message(String topic, byte[] topicUtf8, byte[] payload) {
}
