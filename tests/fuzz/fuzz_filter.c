/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_filter: the member filter head office sends in MemberFind,
 * SegmentSave and ExportPage (server/members/filter.c): the MemberFilter
 * bytes are unpacked and checked as session.c checks every request
 * (pbcheck_is_exact, pbcheck_utf8), then member_filter_check() turns it
 * into the SQL parameters. Beyond "no memory errors": a refused filter
 * names a detail and a message; an accepted one gives parameters that are
 * NULL or NUL-terminated text of at most MEMBER_FILTER_BUF bytes, and
 * checking it again gives the same texts.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "core.h"
#include "members.h"
#include "pbcheck.h"

static bool call_answered;		/* call_fail() was called */

/* filter.c's member_filter_params() answers through call_fail(); never called here. */
void call_fail(Call *c, Kassa__V1__StatusCode code, const char *detail, const char *fmt, ...)
{
	(void)c;
	(void)code;
	(void)detail;
	(void)fmt;
	call_answered = true;	/* member_filter_check() must not answer a Call */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static MemberFilterParams p, again;
	Kassa__V1__MemberFilter *f = kassa__v1__member_filter__unpack(NULL, size, data);
	const char *detail = NULL, *msg = NULL;

	if (f == NULL)
		return 0;
	if (!pbcheck_is_exact(&f->base, size) || pbcheck_utf8(&f->base) != NULL)
		goto out;	/* session.c refuses such a request before any handler */
	if (!member_filter_check(f, &p, &detail, &msg)) {
		FUZZ_CHECK(detail != NULL && detail[0] != '\0' && msg != NULL && msg[0] != '\0');
		goto out;
	}
	FUZZ_CHECK(member_filter_check(f, &again, &detail, &msg));
	for (int i = 0; i < MEMBER_FILTER_NPARAMS; i++) {
		FUZZ_CHECK((p.v[i] == NULL) == (again.v[i] == NULL));
		if (p.v[i] == NULL)
			continue;
		FUZZ_CHECK(strlen(p.v[i]) < MEMBER_FILTER_BUF || p.v[i] < p.buf ||
			   p.v[i] >= p.buf + sizeof(p.buf));
		FUZZ_CHECK(strcmp(p.v[i], again.v[i]) == 0);
	}
out:
	FUZZ_CHECK(!call_answered);
	kassa__v1__member_filter__free_unpacked(f, NULL);
	return 0;
}
