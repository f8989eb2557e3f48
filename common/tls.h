/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tls: building OpenSSL contexts for both ends of the till protocol.
 * Both sides use TLS 1.2 minimum and verify the peer against the Kassa CA:
 * the server requires a client certificate (mutual TLS) and refuses
 * handshakes without one; clients check the server's certificate and name.
 * Contexts are built completely before use, so a reload can build a new one
 * and swap it in only on success.
 */
#ifndef KASSA_TLS_H
#define KASSA_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/ssl.h>

/*
 * Build a server context from PEM files. crl may be NULL or "" (no
 * revocation list). On failure return NULL and write a reason into err.
 */
SSL_CTX *tls_server_ctx_new(const char *cert, const char *key, const char *ca,
			    const char *crl, char *err, size_t errlen);

/* Build a client context presenting cert/key and trusting ca. NULL + err on failure. */
SSL_CTX *tls_client_ctx_new(const char *cert, const char *key, const char *ca,
			    char *err, size_t errlen);

/*
 * Make a client SSL check that the server certificate matches host (a DNS
 * name or an IP address literal), and send host as SNI when it is a name.
 * Call before SSL_connect. False if host is empty or cannot be set.
 */
__attribute__((warn_unused_result)) bool tls_client_set_host(SSL *ssl, const char *host);

/*
 * Copy the verified peer certificate's subject CN into out. False if there
 * is no verified peer certificate or no CN.
 */
bool tls_peer_cn(SSL *ssl, char *out, size_t outlen);

/*
 * True if the peer certificate of ssl (a server connection) is listed as
 * revoked by a CRL that ctx's store holds, the CRLs tls_server_ctx_new()
 * loaded from its crl file; ctx may be newer than the one ssl was made
 * from (a reload). A lookup by issuer and serial, as the handshake's CRL
 * check does for the leaf, without verifying the chain again: an expiry or
 * another CA is for the next handshake. False without a peer certificate
 * or without a CRL in ctx.
 */
bool tls_peer_is_revoked(SSL *ssl, SSL_CTX *ctx);

/* Append the queued OpenSSL errors, "; "-separated, to buf (for log lines). */
void tls_errors(char *buf, size_t len);

#endif
