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

#endif
