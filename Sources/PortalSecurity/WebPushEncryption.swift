/// Web Push message encryption (RFC 8291) in the aes128gcm content coding (RFC 8188): one record, the
/// application server's ephemeral public key as the key id. `decrypt` is the browser's side, for tests and
/// for checking what we send.
public enum WebPushEncryption {
    /// The record size written in the header; a payload must fit one record (plaintext + 1 + 16 ≤ rs).
    public static let recordSize: UInt32 = 4096
    /// Push services accept at least 4096 bytes of body (RFC 8030 §7.2); this leaves room for the header.
    public static let maxPlaintext = 3993

    public enum Failure: Error, Equatable, Sendable {
        case payloadTooLarge
        case invalidSubscriptionKeys
        case malformed
        case authenticationFailed
    }

    /// The encrypted body for a subscription's `p256dh` (`userAgentPublicKey`) and `auth` secret. `salt` and
    /// `serverKey` are random unless given (the RFC's example fixes them).
    public static func encrypt(_ plaintext: [UInt8], userAgentPublicKey: [UInt8], authSecret: [UInt8],
                               salt: [UInt8]? = nil, serverKey: P256.PrivateKey? = nil) throws -> [UInt8] {
        guard plaintext.count <= maxPlaintext else { throw Failure.payloadTooLarge }
        guard authSecret.count == 16, P256.isValidPublicKey(userAgentPublicKey) else { throw Failure.invalidSubscriptionKeys }
        let salt = try salt ?? SecureRandom.bytes(count: 16)
        precondition(salt.count == 16, "aes128gcm salt must be 16 bytes")
        let server = try serverKey ?? P256.PrivateKey.generate()
        let shared = try server.sharedSecret(with: userAgentPublicKey)
        let (key, nonce) = derive(shared: shared, authSecret: authSecret, salt: salt,
                                  userAgentPublicKey: userAgentPublicKey, serverPublicKey: server.publicKey)
        // One record, the last: a single 0x02 delimiter and no padding.
        let sealed = try AESGCM.seal(key: key, nonce: nonce, plaintext: plaintext + [0x02], associatedData: [])
        return header(salt: salt, keyID: server.publicKey) + sealed.ciphertext + sealed.tag
    }

    /// What a browser does with the body: the plaintext, or a failure if anything is off.
    public static func decrypt(_ body: [UInt8], userAgentKey: P256.PrivateKey, authSecret: [UInt8]) throws -> [UInt8] {
        guard body.count >= 21 else { throw Failure.malformed }
        let salt = Array(body[0 ..< 16])
        let recordSize = body[16 ..< 20].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let idLength = Int(body[20])
        guard idLength == P256.publicKeyLength, body.count >= 21 + idLength + 17, recordSize >= 18 else { throw Failure.malformed }
        let serverPublicKey = Array(body[21 ..< 21 + idLength])
        let record = Array(body[(21 + idLength)...])
        guard record.count <= Int(recordSize) else { throw Failure.malformed }
        let shared: [UInt8]
        do { shared = try userAgentKey.sharedSecret(with: serverPublicKey) } catch { throw Failure.malformed }
        let (key, nonce) = derive(shared: shared, authSecret: authSecret, salt: salt,
                                  userAgentPublicKey: userAgentKey.publicKey, serverPublicKey: serverPublicKey)
        var plaintext: [UInt8]
        do {
            plaintext = try AESGCM.open(key: key, nonce: nonce, ciphertext: Array(record.dropLast(16)),
                                        tag: Array(record.suffix(16)), associatedData: [])
        } catch {
            throw Failure.authenticationFailed
        }
        // Padding is zeros after the delimiter; the last (only) record's delimiter is 0x02.
        while plaintext.last == 0 { plaintext.removeLast() }
        guard plaintext.last == 0x02 else { throw Failure.malformed }
        plaintext.removeLast()
        return plaintext
    }

    /// salt (16) || rs (u32 big-endian) || idlen (1) || keyid.
    static func header(salt: [UInt8], keyID: [UInt8]) -> [UInt8] {
        let rs = recordSize
        return salt + [UInt8(rs >> 24 & 0xFF), UInt8(rs >> 16 & 0xFF), UInt8(rs >> 8 & 0xFF), UInt8(rs & 0xFF), UInt8(keyID.count)] + keyID
    }

    /// RFC 8291 §3.4 then RFC 8188 §2.2: the content-encryption key and nonce.
    static func derive(shared: [UInt8], authSecret: [UInt8], salt: [UInt8], userAgentPublicKey: [UInt8],
                       serverPublicKey: [UInt8]) -> (key: [UInt8], nonce: [UInt8]) {
        let info = Array("WebPush: info".utf8) + [0] + userAgentPublicKey + serverPublicKey
        let ikm = HKDF.deriveKey(salt: authSecret, inputKeyMaterial: shared, info: info, length: 32)
        let prk = HKDF.extract(salt: salt, inputKeyMaterial: ikm)
        let key = HKDF.expand(pseudorandomKey: prk, info: Array("Content-Encoding: aes128gcm".utf8) + [0], length: 16)
        let nonce = HKDF.expand(pseudorandomKey: prk, info: Array("Content-Encoding: nonce".utf8) + [0], length: 12)
        return (key, nonce)
    }

    /// Base64url without padding (RFC 4648 §5), as subscriptions and VAPID keys travel.
    public static func base64URL(_ bytes: [UInt8]) -> String {
        Base64.encode(bytes, alphabet: .urlSafe, padded: false)
    }

    /// Decodes base64url, padded or not (browsers send either); nil if it is not.
    public static func base64URLDecode(_ text: some StringProtocol) -> [UInt8]? {
        Base64.decode(text, alphabet: .urlSafe)
    }
}
