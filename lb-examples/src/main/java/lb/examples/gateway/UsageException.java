package lb.examples.gateway;

/** A bad flag or value: the message names the flag; the gateway exits with code 2. */
final class UsageException extends Exception {
    UsageException(String message) {
        super(message);
    }
}
