package lb.examples.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import lb.core.tls.CertifiedKey;
import lb.core.tls.ClientAuth;
import lb.core.tls.KeyFileException;
import lb.core.tls.PemFiles;
import lb.core.tls.TlsSettings;
import lb.core.tls.UpstreamTlsSettings;

/**
 * The gateway's TLS settings as its files say now, and a cheap way to tell that the files
 * changed (sizes and modification times), so renewed certificates are picked up without a
 * restart.
 */
final class TlsFiles {
    private TlsFiles() {
    }

    /** The settings the TLS flags describe, read from their files; null without {@code --tls-cert}. */
    static TlsSettings read(GatewayOptions o) throws KeyFileException {
        if (o.tlsCerts.isEmpty()) {
            return null;
        }
        List<CertifiedKey> keys = new ArrayList<>();
        for (int i = 0; i < o.tlsCerts.size(); i++) {
            keys.add(key(o, o.tlsCerts.get(i), o.tlsKeys.isEmpty() ? null : o.tlsKeys.get(i)));
        }
        TlsSettings s = TlsSettings.of(keys.get(0), keys.subList(1, keys.size()).toArray(new CertifiedKey[0]));
        if (!o.tlsAlpn.isEmpty()) {
            s = s.withApplicationProtocols(o.tlsAlpn.toArray(new String[0]));
        }
        if (!o.tlsProtocols.isEmpty()) {
            s = s.withProtocols(o.tlsProtocols.toArray(new String[0]));
        }
        if (o.tlsClientCa != null) {
            ClientAuth auth = o.tlsClientAuth == null || o.tlsClientAuth.equals("required") ? ClientAuth.REQUIRED
                    : o.tlsClientAuth.equals("optional") ? ClientAuth.OPTIONAL : ClientAuth.NONE;
            if (auth != ClientAuth.NONE) {
                s = s.withClientAuth(auth, PemFiles.certificates(o.tlsClientCa));
            }
        }
        return s;
    }

    private static CertifiedKey key(GatewayOptions o, Path cert, Path key) throws KeyFileException {
        String name = cert.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".p12") || name.endsWith(".pfx")) {
            char[] password = o.tlsKeyPassword == null ? new char[0] : o.tlsKeyPassword.toCharArray();
            return CertifiedKey.fromPkcs12(cert, password);
        }
        return key == null ? CertifiedKey.fromPem(cert) : CertifiedKey.fromPem(cert, key);
    }

    /** The TLS to brokers the flags describe, read from their files; null without {@code --server-tls-ca}. */
    static UpstreamTlsSettings upstream(GatewayOptions o) throws KeyFileException {
        if (o.serverTlsCa == null) {
            return null;
        }
        UpstreamTlsSettings s = UpstreamTlsSettings.trusting(PemFiles.certificates(o.serverTlsCa));
        if (o.serverTlsCert != null) {
            s = s.withClientKey(o.serverTlsKey == null ? CertifiedKey.fromPem(o.serverTlsCert)
                    : CertifiedKey.fromPem(o.serverTlsCert, o.serverTlsKey));
        }
        return o.serverTlsVerifyHost ? s : s.withoutHostNameVerification();
    }

    /** What the files look like now: changes when any is replaced, rewritten or removed. */
    static List<String> fingerprint(GatewayOptions o) {
        List<String> marks = new ArrayList<>();
        List<Path> files = new ArrayList<>(o.tlsCerts);
        files.addAll(o.tlsKeys);
        files.addAll(java.util.Arrays.asList(o.tlsClientCa, o.serverTlsCa, o.serverTlsCert, o.serverTlsKey));
        for (Path p : files) {
            if (p == null) {
                continue;
            }
            try {
                marks.add(p + " " + Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis());
            } catch (IOException e) {
                marks.add(p + " unreadable");
            }
        }
        for (GatewayOptions.Section section : o.frontends) {
            marks.addAll(fingerprint(section.settings()));
        }
        for (GatewayOptions.Section section : o.backends) {
            marks.addAll(fingerprint(section.settings()));
        }
        return marks;
    }
}
