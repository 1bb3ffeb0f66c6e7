package lb.mqtt;

import java.util.List;

/**
 * A CONNECT as a test generates it: every field the encoder can write. Null means absent.
 * String pairs are two-element lists.
 */
record ConnectSpec(MqttVersion version, String clientId, int keepAlive, boolean cleanStart, Will will,
                   String username, byte[] password, Properties properties) {

    record Will(int qos, boolean retain, String topic, byte[] payload, WillProperties properties) {
    }

    /** 5.0 CONNECT properties; null for 3.1 and 3.1.1. */
    record Properties(Long sessionExpiryInterval, Integer receiveMaximum, Long maximumPacketSize,
                      Integer topicAliasMaximum, Boolean requestResponseInformation,
                      Boolean requestProblemInformation, List<List<String>> userProperties,
                      String authenticationMethod, byte[] authenticationData) {
    }

    /** 5.0 will properties; null for 3.1 and 3.1.1. */
    record WillProperties(Long willDelayInterval, Integer payloadFormat, Long messageExpiryInterval,
                          String contentType, String responseTopic, byte[] correlationData,
                          List<List<String>> userProperties) {
    }
}
