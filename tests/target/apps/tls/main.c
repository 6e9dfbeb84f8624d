/* mbedTLS as takt_app(... TLS) builds it: the DRBG seeds from the hardware
 * entropy source and gives varied bytes; the configured primitives work
 * (SHA-256 known answer, ChaCha20-Poly1305 and AES-GCM round trips that
 * reject a changed byte, an ECDSA P-256 signature that verifies and fails
 * on a changed hash). With the argument "none" (no virtio-rng) TLS is
 * refused: the DRBG does not seed and gives no bytes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <takt/takt.h>
#include <takt/tls.h>

#include "mbedtls/chachapoly.h"
#include "mbedtls/ecdsa.h"
#include "mbedtls/gcm.h"
#include "mbedtls/sha256.h"

#include "tk_test.h"

static bool varied(const unsigned char *b, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (b[i] != b[0])
			return true;
	return false;
}

static bool sha256_abc(void)
{
	static const unsigned char want[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
		0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	unsigned char got[32];
	return mbedtls_sha256_ret((const unsigned char *)"abc", 3, got, 0) == 0 &&
	       memcmp(got, want, 32) == 0;
}

/* Encrypt, decrypt back, and see a flipped ciphertext byte refused. */
static bool chachapoly_round_trip(void)
{
	unsigned char key[32], nonce[12], tag[16], ct[64], pt[64], out[64];
	mbedtls_chachapoly_context c;
	bool ok;

	tk_tls_random(NULL, key, sizeof(key));
	tk_tls_random(NULL, nonce, sizeof(nonce));
	tk_tls_random(NULL, pt, sizeof(pt));
	mbedtls_chachapoly_init(&c);
	ok = mbedtls_chachapoly_setkey(&c, key) == 0 &&
	     mbedtls_chachapoly_encrypt_and_tag(&c, sizeof(pt), nonce, NULL, 0, pt, ct, tag) == 0 &&
	     mbedtls_chachapoly_auth_decrypt(&c, sizeof(ct), nonce, NULL, 0, tag, ct, out) == 0 &&
	     memcmp(out, pt, sizeof(pt)) == 0;
	ct[5] ^= 1;
	ok = ok && mbedtls_chachapoly_auth_decrypt(&c, sizeof(ct), nonce, NULL, 0, tag, ct, out) ==
			   MBEDTLS_ERR_CHACHAPOLY_AUTH_FAILED;
	mbedtls_chachapoly_free(&c);
	return ok;
}

static bool gcm_round_trip(void)
{
	unsigned char key[16], iv[12], tag[16], ct[48], pt[48], out[48];
	mbedtls_gcm_context c;
	bool ok;

	tk_tls_random(NULL, key, sizeof(key));
	tk_tls_random(NULL, iv, sizeof(iv));
	tk_tls_random(NULL, pt, sizeof(pt));
	mbedtls_gcm_init(&c);
	ok = mbedtls_gcm_setkey(&c, MBEDTLS_CIPHER_ID_AES, key, 128) == 0 &&
	     mbedtls_gcm_crypt_and_tag(&c, MBEDTLS_GCM_ENCRYPT, sizeof(pt), iv, sizeof(iv), NULL, 0, pt,
				       ct, sizeof(tag), tag) == 0 &&
	     mbedtls_gcm_auth_decrypt(&c, sizeof(ct), iv, sizeof(iv), NULL, 0, tag, sizeof(tag), ct,
				      out) == 0 &&
	     memcmp(out, pt, sizeof(pt)) == 0;
	ct[0] ^= 0x80;
	ok = ok && mbedtls_gcm_auth_decrypt(&c, sizeof(ct), iv, sizeof(iv), NULL, 0, tag, sizeof(tag),
					    ct, out) == MBEDTLS_ERR_GCM_AUTH_FAILED;
	mbedtls_gcm_free(&c);
	return ok;
}

/* A fresh P-256 key signs a hash; the signature verifies, and not for
 * another hash. */
static bool ecdsa_p256(void)
{
	unsigned char hash[32], sig[MBEDTLS_ECDSA_MAX_LEN];
	size_t sig_len = 0;
	mbedtls_ecdsa_context k;
	bool ok;

	tk_tls_random(NULL, hash, sizeof(hash));
	mbedtls_ecdsa_init(&k);
	ok = mbedtls_ecdsa_genkey(&k, MBEDTLS_ECP_DP_SECP256R1, tk_tls_random, NULL) == 0 &&
	     mbedtls_ecdsa_write_signature(&k, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig, &sig_len,
					   tk_tls_random, NULL) == 0 &&
	     mbedtls_ecdsa_read_signature(&k, hash, sizeof(hash), sig, sig_len) == 0;
	hash[0] ^= 1;
	ok = ok && mbedtls_ecdsa_read_signature(&k, hash, sizeof(hash), sig, sig_len) != 0;
	mbedtls_ecdsa_free(&k);
	return ok;
}

int main(int argc, char **argv)
{
	static unsigned char a[64], b[64];

	if (argc > 1 && strcmp(argv[1], "none") == 0) {
		TK_CHECK("refused_without_entropy", tk_tls_rng_init() == -ENODEV);
		TK_CHECK("still_refused", tk_tls_rng_init() == -ENODEV);
		TK_CHECK("no_random_bytes", tk_tls_random(NULL, a, sizeof(a)) != 0);
		return tk_test_done();
	}
	TK_CHECK("random_before_init_fails", tk_tls_random(NULL, a, sizeof(a)) != 0);
	TK_CHECK("rng_seeded", tk_tls_rng_init() == 0);
	TK_CHECK("rng_init_again", tk_tls_rng_init() == 0);
	TK_CHECK("random_bytes", tk_tls_random(NULL, a, sizeof(a)) == 0 &&
					 tk_tls_random(NULL, b, sizeof(b)) == 0);
	TK_CHECK("random_varied", varied(a, sizeof(a)) && memcmp(a, b, sizeof(a)) != 0);
	TK_CHECK("sha256_known_answer", sha256_abc());
	TK_CHECK("chachapoly_round_trip", chachapoly_round_trip());
	TK_CHECK("aes_gcm_round_trip", gcm_round_trip());
	TK_CHECK("ecdsa_p256_sign_verify", ecdsa_p256());
	return tk_test_done();
}
