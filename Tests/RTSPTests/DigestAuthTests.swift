import Testing

@testable import RTSP

@Suite struct DigestAuthTests {
    /// RFC 2617 §3.5: the worked example ("Mufasa" / "Circle Of Life").
    @Test func rfc2617Example() {
        let header = """
            Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"
            """
        let challenge = AuthChallenge(header: header)
        #expect(challenge?.scheme == .digest)
        #expect(challenge?.realm == "testrealm@host.com")
        let credentials = Credentials(username: "Mufasa", password: "Circle Of Life")
        let value = credentials.authorization(for: challenge!, method: "GET", uri: "/dir/index.html", nonceCount: 1, cnonce: "0a4f113b")
        #expect(value.contains("response=\"6629fae49393a05397450978507c4ef1\""))
        #expect(value.contains("nc=00000001"))
        #expect(value.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""))
        #expect(Credentials.verifyDigest(header: value, method: "GET", realm: "testrealm@host.com", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", username: "Mufasa", password: "Circle Of Life"))
        #expect(!Credentials.verifyDigest(header: value, method: "GET", realm: "testrealm@host.com", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", username: "Mufasa", password: "wrong"))
    }

    /// RFC 2069-style digest without qop, as many cameras send it.
    @Test func digestWithoutQop() {
        let challenge = AuthChallenge(header: "Digest realm=\"IP Camera\", nonce=\"abc123\"")!
        let value = Credentials(username: "admin", password: "12345").authorization(for: challenge, method: "DESCRIBE", uri: "rtsp://10.0.0.5/s")
        // MD5(MD5("admin:IP Camera:12345"):abc123:MD5("DESCRIBE:rtsp://10.0.0.5/s"))
        let ha1 = md5Hex("admin:IP Camera:12345"), ha2 = md5Hex("DESCRIBE:rtsp://10.0.0.5/s")
        #expect(value.contains("response=\"\(md5Hex("\(ha1):abc123:\(ha2)"))\""))
        #expect(!value.contains("qop"))
    }

    /// RFC 1321 test suite values for the MD5 underneath.
    @Test func md5KnownAnswers() {
        #expect(md5Hex("") == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(md5Hex("abc") == "900150983cd24fb0d6963f7d28e17f72")
        #expect(md5Hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0")
    }

    /// RFC 7617 §2: Aladdin / open sesame.
    @Test func basic() {
        let challenge = AuthChallenge(header: "Basic realm=\"WallyWorld\"")!
        #expect(Credentials(username: "Aladdin", password: "open sesame").authorization(for: challenge, method: "DESCRIBE", uri: "/") == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
    }
}
