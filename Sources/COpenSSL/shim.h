// OpenSSL 3 for Swift: the headers PortalSecurity uses, plus static inline wrappers that give the int-coded
// EVP_CIPHER_CTX_ctrl commands typed signatures (Swift would otherwise pass a macro's number and a void *
// by hand). No C code of our own beyond one-line forwarding: nothing here to audit but argument order.
#ifndef PORTAL_COPENSSL_SHIM_H
#define PORTAL_COPENSSL_SHIM_H

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

/// GCM's nonce length is set through the generic control call; the command constant is a macro chain.
static inline int portal_gcm_set_iv_length(EVP_CIPHER_CTX *ctx, int length) {
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, length, NULL);
}

/// Copies the authentication tag out after EVP_EncryptFinal_ex.
static inline int portal_gcm_get_tag(EVP_CIPHER_CTX *ctx, unsigned char *tag, int length) {
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, length, tag);
}

/// Sets the expected tag before EVP_DecryptFinal_ex. OpenSSL copies it, so casting away const is safe.
static inline int portal_gcm_set_tag(EVP_CIPHER_CTX *ctx, const unsigned char *tag, int length) {
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, length, (void *)tag);
}

/// The OpenSSL version string, for diagnostics (OPENSSL_VERSION_TEXT is a macro).
static inline const char *portal_openssl_version_text(void) {
    return OpenSSL_version(OPENSSL_VERSION);
}

// MARK: - TLS (custom domains). Thin wrappers over macros and memory BIOs; the decisions live in Swift.

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <time.h>

/// A password callback that supplies none: an encrypted private key fails to load instead of OpenSSL
/// prompting on the server's terminal.
static inline int portal_no_password(char *buffer, int size, int rwflag, void *user) {
    (void)buffer; (void)size; (void)rwflag; (void)user;
    return 0;
}

/// The first certificate of a PEM text (NULL if none). Free with X509_free.
static inline X509 *portal_pem_read_certificate(const char *pem, int length) {
    BIO *bio = BIO_new_mem_buf(pem, length);
    if (bio == NULL) return NULL;
    X509 *certificate = PEM_read_bio_X509(bio, NULL, portal_no_password, NULL);
    BIO_free(bio);
    return certificate;
}

/// How many certificates a PEM text holds (the leaf and its chain).
static inline int portal_pem_count_certificates(const char *pem, int length) {
    BIO *bio = BIO_new_mem_buf(pem, length);
    if (bio == NULL) return 0;
    int count = 0;
    X509 *certificate;
    while ((certificate = PEM_read_bio_X509(bio, NULL, portal_no_password, NULL)) != NULL) {
        count += 1;
        X509_free(certificate);
    }
    BIO_free(bio);
    ERR_clear_error(); // the read that ends the loop leaves a "no start line" error behind
    return count;
}

/// The private key of a PEM text (NULL if none, or if it is encrypted). Free with EVP_PKEY_free.
static inline EVP_PKEY *portal_pem_read_private_key(const char *pem, int length) {
    BIO *bio = BIO_new_mem_buf(pem, length);
    if (bio == NULL) return NULL;
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, portal_no_password, NULL);
    BIO_free(bio);
    return key;
}

/// Converts an ASN1_TIME to seconds since 1970 (UTC); returns 0 on failure.
static inline int portal_asn1_time_to_unix(const ASN1_TIME *time, int64_t *out) {
    struct tm parts;
    memset(&parts, 0, sizeof parts);
    if (time == NULL || ASN1_TIME_to_tm(time, &parts) != 1) return 0;
    *out = (int64_t)timegm(&parts);
    return 1;
}

static inline int portal_x509_not_before(const X509 *certificate, int64_t *out) {
    return portal_asn1_time_to_unix(X509_get0_notBefore(certificate), out);
}

static inline int portal_x509_not_after(const X509 *certificate, int64_t *out) {
    return portal_asn1_time_to_unix(X509_get0_notAfter(certificate), out);
}

/// Whether the certificate covers `host` by its DNS subject alternative names (RFC 6125: a wildcard covers
/// exactly one left-most label, no partial wildcards, the subject CN is not consulted). 1 yes, 0 no, <0 error.
static inline int portal_x509_covers_host(X509 *certificate, const char *host) {
    return X509_check_host(certificate, host, strlen(host),
                           X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL);
}

/// The subject as one line (`/CN=a.example.test`), into `buffer`.
static inline void portal_x509_subject(X509 *certificate, char *buffer, int size) {
    X509_NAME_oneline(X509_get_subject_name(certificate), buffer, size);
}

/// The text of the oldest queued OpenSSL error (empties the queue); "" if none.
static inline void portal_openssl_error(char *buffer, size_t size) {
    unsigned long code = ERR_get_error();
    if (size > 0) buffer[0] = 0;
    if (code != 0) ERR_error_string_n(code, buffer, size);
    ERR_clear_error();
}

/// A server context: TLS 1.2 or later, no renegotiation, writes that may be partial and retried from a
/// moved buffer (the connection's outbound array grows and moves between attempts).
static inline SSL_CTX *portal_tls_server_context_new(void) {
    SSL_CTX *context = SSL_CTX_new(TLS_server_method());
    if (context == NULL) return NULL;
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(context, 0);
    return context;
}

/// Loads a certificate chain (leaf first) and its key from PEM text into `context`. 1 on success.
static inline int portal_tls_context_use_pem(SSL_CTX *context, const char *certificates, int certificatesLength,
                                             const char *key, int keyLength) {
    BIO *bio = BIO_new_mem_buf(certificates, certificatesLength);
    if (bio == NULL) return 0;
    X509 *leaf = PEM_read_bio_X509(bio, NULL, portal_no_password, NULL);
    int ok = leaf != NULL && SSL_CTX_use_certificate(context, leaf) == 1;
    X509_free(leaf);
    X509 *extra;
    while (ok && (extra = PEM_read_bio_X509(bio, NULL, portal_no_password, NULL)) != NULL) {
        if (SSL_CTX_add0_chain_cert(context, extra) != 1) { X509_free(extra); ok = 0; }
    }
    BIO_free(bio);
    if (!ok) return 0;
    ERR_clear_error();
    EVP_PKEY *privateKey = portal_pem_read_private_key(key, keyLength);
    ok = privateKey != NULL && SSL_CTX_use_PrivateKey(context, privateKey) == 1;
    EVP_PKEY_free(privateKey);
    return ok && SSL_CTX_check_private_key(context) == 1;
}

/// The SNI callback type: returns SSL_TLSEXT_ERR_OK or SSL_TLSEXT_ERR_ALERT_FATAL (setting *alert).
typedef int (*portal_servername_callback)(SSL *ssl, int *alert, void *argument);

static inline void portal_tls_context_set_servername_callback(SSL_CTX *context, portal_servername_callback callback, void *argument) {
    SSL_CTX_set_tlsext_servername_callback(context, callback);
    SSL_CTX_set_tlsext_servername_arg(context, argument);
}

/// The host name the client asked for (SNI), or NULL.
static inline const char *portal_ssl_servername(const SSL *ssl) {
    return SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
}

static inline int portal_tls_alert_unrecognized_name(void) { return SSL_AD_UNRECOGNIZED_NAME; }
static inline int portal_tls_ext_ok(void) { return SSL_TLSEXT_ERR_OK; }
static inline int portal_tls_ext_fatal(void) { return SSL_TLSEXT_ERR_ALERT_FATAL; }

/// One call of a non-blocking TLS operation, classified: >0 bytes, 0 want-read/want-write (retry on the next
/// event), -1 clean close by the peer, -2 failure (protocol error, bad bytes, reset).
static inline int portal_tls_classify(SSL *ssl, int result) {
    if (result > 0) return result;
    int error = SSL_get_error(ssl, result);
    ERR_clear_error();
    switch (error) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        return 0;
    case SSL_ERROR_ZERO_RETURN:
        return -1;
    default:
        return -2;
    }
}

static inline int portal_tls_handshake(SSL *ssl) {
    ERR_clear_error();
    int result = SSL_do_handshake(ssl);
    return result == 1 ? 1 : portal_tls_classify(ssl, result);
}

static inline int portal_tls_read(SSL *ssl, void *buffer, int length) {
    ERR_clear_error();
    return portal_tls_classify(ssl, SSL_read(ssl, buffer, length));
}

static inline int portal_tls_write(SSL *ssl, const void *buffer, int length) {
    ERR_clear_error();
    return portal_tls_classify(ssl, SSL_write(ssl, buffer, length));
}

/// Sends close_notify without waiting for the peer's (best effort on a non-blocking socket).
static inline void portal_tls_shutdown(SSL *ssl) {
    SSL_set_quiet_shutdown(ssl, 0);
    if (SSL_is_init_finished(ssl)) SSL_shutdown(ssl);
    ERR_clear_error();
}


// MARK: - TLS client (webhook deliveries). Blocking sockets with timeouts; verification against the system CAs.

/// A client context: TLS 1.2 or later, the peer's certificate verified against the system CA store.
static inline SSL_CTX *portal_tls_client_context_new(void) {
    SSL_CTX *context = SSL_CTX_new(TLS_client_method());
    if (context == NULL) return NULL;
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, NULL);
    if (SSL_CTX_set_default_verify_paths(context) != 1) { SSL_CTX_free(context); return NULL; }
    return context;
}

/// The same, also trusting the CA certificates in the PEM file `path` (a company's internal CA). NULL when the file
/// cannot be read.
static inline SSL_CTX *portal_tls_client_context_with_ca(const char *path) {
    SSL_CTX *context = portal_tls_client_context_new();
    if (context == NULL) return NULL;
    if (SSL_CTX_load_verify_locations(context, path, NULL) != 1) { SSL_CTX_free(context); return NULL; }
    return context;
}

/// Names the server to reach: SNI and host-name verification for a DNS name, IP verification for a literal. 1 on success.
static inline int portal_tls_client_set_host(SSL *ssl, const char *host, int isAddress) {
    if (isAddress) return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
    if (SSL_set_tlsext_host_name(ssl, host) != 1) return 0;
    return SSL_set1_host(ssl, host);
}

/// Why verification failed, when it did (X509_V_OK otherwise).
static inline long portal_tls_verify_result(const SSL *ssl) { return SSL_get_verify_result(ssl); }

/* --- Web Push (P-256, HKDF) --- */
// P-256 keys as OpenSSL 3 EVP_PKEYs built from and read back to the raw forms Web Push uses (a 65-byte
// uncompressed point, a 32-byte scalar), ECDH, and ES256 with JOSE's raw r||s signatures. Non-deprecated
// OpenSSL 3 calls only; the variadic and macro-named ones are why these live in C.

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>

/// A new random P-256 key pair (NULL on failure). Free with EVP_PKEY_free.
static inline EVP_PKEY *portal_p256_generate(void) {
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/// A P-256 key from its raw public point (65 bytes, 0x04||x||y) and, if `privateKey` is not NULL, its 32-byte
/// scalar. The point is checked to lie on the curve. NULL on failure. Free with EVP_PKEY_free.
static inline EVP_PKEY *portal_p256_from_raw(const unsigned char *publicKey, size_t publicLength,
                                             const unsigned char *privateKey, size_t privateLength) {
    OSSL_PARAM_BLD *builder = OSSL_PARAM_BLD_new();
    BIGNUM *scalar = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *context = NULL;
    EVP_PKEY *key = NULL;
    if (builder == NULL) return NULL;
    if (OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1) goto done;
    if (OSSL_PARAM_BLD_push_octet_string(builder, OSSL_PKEY_PARAM_PUB_KEY, publicKey, publicLength) != 1) goto done;
    if (privateKey != NULL) {
        scalar = BN_secure_new();
        if (scalar == NULL || BN_bin2bn(privateKey, (int)privateLength, scalar) == NULL) goto done;
        if (OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_PRIV_KEY, scalar) != 1) goto done;
    }
    params = OSSL_PARAM_BLD_to_param(builder);
    context = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (params == NULL || context == NULL || EVP_PKEY_fromdata_init(context) != 1) goto done;
    if (EVP_PKEY_fromdata(context, &key, privateKey != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1) {
        key = NULL;
        goto done;
    }
    EVP_PKEY_CTX_free(context);
    context = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    if (context == NULL || EVP_PKEY_public_check(context) != 1 ||
        (privateKey != NULL && EVP_PKEY_pairwise_check(context) != 1)) {
        EVP_PKEY_free(key);
        key = NULL;
    }
done:
    EVP_PKEY_CTX_free(context);
    OSSL_PARAM_free(params);
    BN_clear_free(scalar);
    OSSL_PARAM_BLD_free(builder);
    return key;
}

/// The uncompressed public point (65 bytes). 1 on success.
static inline int portal_p256_public_raw(const EVP_PKEY *key, unsigned char *out) {
    size_t length = 0;
    if (EVP_PKEY_set_utf8_string_param((EVP_PKEY *)key, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "uncompressed") != 1) return 0;
    return EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, out, 65, &length) == 1 && length == 65;
}

/// The private scalar, left-padded to 32 bytes. 1 on success.
static inline int portal_p256_private_raw(const EVP_PKEY *key, unsigned char *out) {
    BIGNUM *scalar = NULL;
    if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &scalar) != 1) return 0;
    int ok = BN_bn2binpad(scalar, out, 32) == 32;
    BN_clear_free(scalar);
    return ok;
}

/// ECDH: the x coordinate of privateKey * peer (32 bytes). The peer key is validated. 1 on success.
static inline int portal_p256_ecdh(EVP_PKEY *privateKey, EVP_PKEY *peer, unsigned char *out) {
    EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_from_pkey(NULL, privateKey, NULL);
    size_t length = 32;
    int ok = context != NULL && EVP_PKEY_derive_init(context) == 1 && EVP_PKEY_derive_set_peer(context, peer) == 1 &&
             EVP_PKEY_derive(context, out, &length) == 1 && length == 32;
    EVP_PKEY_CTX_free(context);
    return ok;
}

/// ES256: ECDSA over SHA-256 of `message`, as the 64-byte r||s of JWS (RFC 7518 §3.4). 1 on success.
static inline int portal_p256_sign_raw(EVP_PKEY *key, const unsigned char *message, size_t length, unsigned char *out) {
    EVP_MD_CTX *digest = EVP_MD_CTX_new();
    unsigned char der[80];
    size_t derLength = sizeof der;
    int ok = 0;
    if (digest != NULL && EVP_DigestSignInit(digest, NULL, EVP_sha256(), NULL, key) == 1 &&
        EVP_DigestSign(digest, der, &derLength, message, length) == 1) {
        const unsigned char *cursor = der;
        ECDSA_SIG *signature = d2i_ECDSA_SIG(NULL, &cursor, (long)derLength);
        if (signature != NULL) {
            const BIGNUM *r = NULL, *s = NULL;
            ECDSA_SIG_get0(signature, &r, &s);
            ok = BN_bn2binpad(r, out, 32) == 32 && BN_bn2binpad(s, out + 32, 32) == 32;
            ECDSA_SIG_free(signature);
        }
    }
    EVP_MD_CTX_free(digest);
    return ok;
}

/// Checks a 64-byte r||s ES256 signature of `message`. 1 valid, 0 not.
static inline int portal_p256_verify_raw(EVP_PKEY *key, const unsigned char *message, size_t length, const unsigned char *raw) {
    ECDSA_SIG *signature = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, 32, NULL);
    BIGNUM *s = BN_bin2bn(raw + 32, 32, NULL);
    if (signature == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(signature, r, s) != 1) {
        ECDSA_SIG_free(signature);
        BN_free(r);
        BN_free(s);
        ERR_clear_error();
        return 0;
    }
    unsigned char *der = NULL;
    int derLength = i2d_ECDSA_SIG(signature, &der);
    ECDSA_SIG_free(signature);
    EVP_MD_CTX *digest = EVP_MD_CTX_new();
    int ok = derLength > 0 && digest != NULL && EVP_DigestVerifyInit(digest, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestVerify(digest, der, (size_t)derLength, message, length) == 1;
    OPENSSL_free(der);
    EVP_MD_CTX_free(digest);
    ERR_clear_error();
    return ok;
}

#endif

/* --- SSO (JWS) --- */
/* Key generation and parameter export for JWS keys (RS256, ES256); verification needs only evp.h and x509.h. */
#ifndef PORTAL_COPENSSL_SHIM_SSO_H
#define PORTAL_COPENSSL_SHIM_SSO_H
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#endif
