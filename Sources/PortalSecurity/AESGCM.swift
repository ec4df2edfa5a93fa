internal import COpenSSL

/// Raw AES-256-GCM (NIST SP 800-38D) with a 96-bit nonce and a 128-bit tag. SecretBox wraps it in a
/// storable format; this layer exists on its own so that it can be checked against published vectors.
/// A 16-byte key selects AES-128-GCM instead (Web Push's aes128gcm content coding, RFC 8188).
enum AESGCM {
    static let keyLength = 32
    static let nonceLength = 12
    static let tagLength = 16

    private static func cipher(_ key: [UInt8]) -> OpaquePointer? {
        key.count == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm()
    }

    /// Opening failed: wrong key, wrong associated data, or altered nonce, ciphertext or tag.
    struct AuthenticationFailure: Error {}

    static func seal(
        key: [UInt8], nonce: [UInt8], plaintext: [UInt8], associatedData: [UInt8]
    ) throws -> (ciphertext: [UInt8], tag: [UInt8]) {
        precondition((key.count == keyLength || key.count == 16) && nonce.count == nonceLength, "AES-GCM key or nonce has the wrong size")
        precondition(plaintext.count < Int32.max && associatedData.count < Int32.max, "AES-GCM input too large")
        guard let context = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }

        guard EVP_EncryptInit_ex(context, cipher(key), nil, nil, nil) == 1,
              portal_gcm_set_iv_length(context, Int32(nonceLength)) == 1,
              EVP_EncryptInit_ex(context, nil, nil, key, nonce) == 1
        else { throw CryptoError.openSSL("EVP_EncryptInit_ex(AES-256-GCM)") }

        var length: Int32 = 0
        if !associatedData.isEmpty {
            guard EVP_EncryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1
            else { throw CryptoError.openSSL("EVP_EncryptUpdate(AAD)") }
        }
        // GCM is a stream mode: the ciphertext is exactly as long as the plaintext, and Final writes nothing.
        // One spare byte keeps the buffer's address valid for an empty plaintext.
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 1)
        var written = 0
        if !plaintext.isEmpty {
            guard EVP_EncryptUpdate(context, &ciphertext, &length, plaintext, Int32(plaintext.count)) == 1
            else { throw CryptoError.openSSL("EVP_EncryptUpdate") }
            written = Int(length)
        }
        let finalOK = ciphertext.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptFinal_ex(context, buffer.baseAddress! + written, &length)
        }
        guard finalOK == 1, written + Int(length) == plaintext.count else { throw CryptoError.openSSL("EVP_EncryptFinal_ex") }

        var tag = [UInt8](repeating: 0, count: tagLength)
        guard portal_gcm_get_tag(context, &tag, Int32(tagLength)) == 1 else { throw CryptoError.openSSL("EVP_CTRL_GCM_GET_TAG") }
        ciphertext.removeLast()
        return (ciphertext, tag)
    }

    /// The plaintext, or `AuthenticationFailure` if anything was altered. Nothing decrypted is returned
    /// unless the tag checks out.
    static func open(
        key: [UInt8], nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8], associatedData: [UInt8]
    ) throws -> [UInt8] {
        precondition((key.count == keyLength || key.count == 16) && nonce.count == nonceLength, "AES-GCM key or nonce has the wrong size")
        guard tag.count == tagLength else { throw AuthenticationFailure() }
        precondition(ciphertext.count < Int32.max && associatedData.count < Int32.max, "AES-GCM input too large")
        guard let context = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(context) }

        guard EVP_DecryptInit_ex(context, cipher(key), nil, nil, nil) == 1,
              portal_gcm_set_iv_length(context, Int32(nonceLength)) == 1,
              EVP_DecryptInit_ex(context, nil, nil, key, nonce) == 1
        else { throw CryptoError.openSSL("EVP_DecryptInit_ex(AES-256-GCM)") }

        var length: Int32 = 0
        if !associatedData.isEmpty {
            guard EVP_DecryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1
            else { throw CryptoError.openSSL("EVP_DecryptUpdate(AAD)") }
        }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + 1)
        var written = 0
        if !ciphertext.isEmpty {
            guard EVP_DecryptUpdate(context, &plaintext, &length, ciphertext, Int32(ciphertext.count)) == 1
            else { throw CryptoError.openSSL("EVP_DecryptUpdate") }
            written = Int(length)
        }
        guard portal_gcm_set_tag(context, tag, Int32(tagLength)) == 1 else { throw CryptoError.openSSL("EVP_CTRL_GCM_SET_TAG") }
        let finalOK = plaintext.withUnsafeMutableBufferPointer { buffer in
            EVP_DecryptFinal_ex(context, buffer.baseAddress! + written, &length)
        }
        guard finalOK == 1 else {
            // A failed tag leaves OpenSSL's queue empty or holding nothing useful; clear it so the next
            // error report on this thread is not confused by it, and drop the unauthenticated bytes.
            ERR_clear_error()
            plaintext.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
            throw AuthenticationFailure()
        }
        plaintext.removeLast()
        return plaintext
    }
}
