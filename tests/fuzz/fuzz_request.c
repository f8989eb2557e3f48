/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_request: what kassad does with a frame body from a till (session.c):
 * kassa__v1__request__unpack(), then server/core/pbcheck.c pbcheck_utf8() on
 * the message tree and pbcheck_is_exact() (true exactly when the message
 * packs back to as many bytes as the wire carried). Beyond "no memory errors", a message that decoded must
 * pack again to exactly get_packed_size() bytes, those bytes must decode,
 * and packing that second message must give the same bytes (the packed
 * form of a decoded message is a fixed point).
 *
 * One exception, in protobuf-c itself (1.4.1): parse_tag_and_wiretype()
 * refuses field number 0 only when the tag is one byte, so a non-minimal
 * tag such as 82 00 (field 0, length-delimited) is kept as an unknown field;
 * the packer writes it back minimally (02), which the unpacker refuses.
 * kassad never repacks a request and ignores unknown fields, so this is
 * harmless to it; the round trip is checked only for messages without such
 * a field (corpus/request/tag0_nonminimal is the example).
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "kassa.pb-c.h"
#include "pbcheck.h"

/* Does msg or a sub-message hold an unknown field with field number 0? */
static bool has_tag0_unknown(const ProtobufCMessage *msg)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;

	for (unsigned i = 0; i < msg->n_unknown_fields; i++)
		if (msg->unknown_fields[i].tag == 0)
			return true;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *member = (const char *)msg + f->offset;
		size_t n = 1;

		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(const uint32_t *)((const char *)msg + f->quantifier_offset) != f->id)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(const size_t *)((const char *)msg + f->quantifier_offset);
			member = *(char *const *)member;
		}
		for (size_t k = 0; k < n; k++) {
			const ProtobufCMessage *sub = ((ProtobufCMessage *const *)member)[k];

			if (sub && has_tag0_unknown(sub))
				return true;
		}
	}
	return false;
}

/* Pack msg into a new exact-size buffer; *len gets the size. */
static uint8_t *pack_request(const Kassa__V1__Request *msg, size_t *len)
{
	size_t n = kassa__v1__request__get_packed_size(msg);
	uint8_t *buf = malloc(n ? n : 1);

	FUZZ_CHECK(buf != NULL);
	FUZZ_CHECK(kassa__v1__request__pack(msg, buf) == n);
	*len = n;
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Kassa__V1__Request *req, *again = NULL;
	uint8_t *packed = NULL, *repacked = NULL;
	size_t plen, rlen;
	const char *bad;

	req = kassa__v1__request__unpack(NULL, size, data);
	if (req == NULL)
		return 0;
	bad = pbcheck_utf8(&req->base);
	FUZZ_CHECK(bad == NULL || *bad != '\0');	/* a field name, if anything */
	if (has_tag0_unknown(&req->base))
		goto out;

	packed = pack_request(req, &plen);
	/* what session.c accepts: exactly what the wire carried, no more, no less */
	FUZZ_CHECK(pbcheck_is_exact(&req->base, size) == (plen == size));
	again = kassa__v1__request__unpack(NULL, plen, packed);
	FUZZ_CHECK(again != NULL);
	FUZZ_CHECK(again->body_case == req->body_case);
	FUZZ_CHECK(again->request_id == req->request_id);
	repacked = pack_request(again, &rlen);
	FUZZ_CHECK(rlen == plen && memcmp(packed, repacked, plen) == 0);

out:
	kassa__v1__request__free_unpacked(again, NULL);
	kassa__v1__request__free_unpacked(req, NULL);
	free(packed);
	free(repacked);
	return 0;
}
