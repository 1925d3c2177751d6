/*
 * sha256.c — SHA-256 through OpenSSL's EVP interface, behind our own
 * small handle so that no caller includes OpenSSL headers.
 */
#include "common/common.h"

#include <openssl/evp.h>
#include <stdlib.h>

struct cs_sha256 {
    EVP_MD_CTX *ctx;
};

cs_sha256 *cs_sha256_new(void)
{
    cs_sha256 *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->ctx = EVP_MD_CTX_new();
    if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(h->ctx);
        free(h);
        return NULL;
    }
    return h;
}

void cs_sha256_update(cs_sha256 *h, const void *data, size_t len)
{
    if (len)
        EVP_DigestUpdate(h->ctx, data, len);
}

void cs_sha256_final_hex(cs_sha256 *h, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[32];
    unsigned int mdlen = 0;

    EVP_DigestFinal_ex(h->ctx, md, &mdlen);
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

void cs_sha256_free(cs_sha256 **ph)
{
    if (!ph || !*ph)
        return;
    EVP_MD_CTX_free((*ph)->ctx);
    free(*ph);
    *ph = NULL;
}

void cs_sha256_hex(const void *data, size_t len, char hex[65])
{
    cs_sha256 *h = cs_sha256_new();
    if (!h) {
        hex[0] = '\0';
        return;
    }
    cs_sha256_update(h, data, len);
    cs_sha256_final_hex(h, hex);
    cs_sha256_free(&h);
}
