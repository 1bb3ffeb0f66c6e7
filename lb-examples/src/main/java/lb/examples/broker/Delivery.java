package lb.examples.broker;

/** A message for a subscriber owned by another loop, passed through that loop's delivery queue. */
record Delivery(BrokerConnection target, Message message, int qos) {
}
