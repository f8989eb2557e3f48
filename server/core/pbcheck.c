/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pbcheck.c: a walk over a message using its descriptor: for every field,
 * find where protobuf-c stored it (offset; a repeated field has a count at
 * quantifier_offset and an array at offset; a oneof member is present only
 * when the oneof's case equals its number) and check strings, recursing into
 * messages. Strings are measured with strlen(), because protobuf-c keeps
 * no length for them: pbcheck_is_exact() is what refuses a string with an
 * embedded NUL, before this walk runs.
 */
#include <string.h>

#include "pbcheck.h"
#include "util.h"

static bool field_present(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
		uint32_t which = *(const uint32_t *)((const char *)msg + f->quantifier_offset);

		return which == f->id;
	}
	return true;
}

static const char *check_one(const ProtobufCFieldDescriptor *f, const void *member)
{
	if (f->type == PROTOBUF_C_TYPE_STRING) {
		const char *s = *(char *const *)member;

		/* up to the first NUL only: pbcheck_is_exact() refuses the rest */
		if (s && !utf8_is_valid(s, strlen(s)))
			return f->name;
		return NULL;
	}
	if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
		const ProtobufCMessage *sub = *(ProtobufCMessage *const *)member;

		return sub ? pbcheck_utf8(sub) : NULL;
	}
	return NULL;
}

bool pbcheck_is_exact(const ProtobufCMessage *msg, size_t wire_len)
{
	return protobuf_c_message_get_packed_size(msg) == wire_len;
}

const char *pbcheck_utf8(const ProtobufCMessage *msg)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;

	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *member = (const char *)msg + f->offset;
		const char *bad;

		if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (!field_present(msg, f))
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)((const char *)msg + f->quantifier_offset);
			const char *arr = *(char *const *)member;
			size_t sz = sizeof(void *);	/* strings and messages are pointers */

			for (size_t k = 0; k < n; k++)
				if ((bad = check_one(f, arr + k * sz)) != NULL)
					return bad;
			continue;
		}
		if ((bad = check_one(f, member)) != NULL)
			return bad;
	}
	return NULL;
}
