/* SPDX-License-Identifier: Apache-2.0 */
/*
 * holdout.c: see holdout.h. A member's draw is SipHash-2-4
 * (libsodium's crypto_shorthash) of the member id, 8 bytes little-endian,
 * under a key made of the campaign's seed (8 bytes little-endian) and a
 * fixed 8-byte label; the member is held out when the draw mod 10000 is
 * below holdout_bp. SipHash is a keyed pseudo-random function: without the
 * seed no one can tell from the ids who is held out, and with it anyone can
 * recompute the split. The modulo bias (2^64 mod 10000 over 2^64) is below
 * 10^-15 and does not matter.
 */
#include "holdout.h"

#include <sodium.h>

#define HOLDOUT_BP_ALL 10000u

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

bool holdout_is_held_out(uint64_t seed, int64_t member_id, uint32_t holdout_bp)
{
	static const unsigned char label[8] = { 'k', 'a', 's', 's', 'a', '-', 'h', 'o' };
	unsigned char key[crypto_shorthash_KEYBYTES], in[8], out[crypto_shorthash_BYTES];

	if (holdout_bp == 0)
		return false;
	if (holdout_bp >= HOLDOUT_BP_ALL)
		return true;
	put_le64(key, seed);
	for (int i = 0; i < 8; i++)
		key[8 + i] = label[i];
	put_le64(in, (uint64_t)member_id);
	crypto_shorthash(out, in, sizeof(in), key);
	return get_le64(out) % HOLDOUT_BP_ALL < holdout_bp;
}
