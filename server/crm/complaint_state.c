/* SPDX-License-Identifier: Apache-2.0 */
/*
 * complaint_state.c: the rules of complaints (complaint_state.h), pure.
 */
#include <string.h>

#include "complaint_state.h"
#include "util.h"

static const char *const status_names[] = { "open", "in_progress", "resolved", "rejected" };

ComplaintStatus complaint_status_parse(const char *s)
{
	for (int i = 0; i < (int)(sizeof(status_names) / sizeof(status_names[0])); i++)
		if (strcmp(s, status_names[i]) == 0)
			return (ComplaintStatus)i;
	return CS_INVALID;
}

const char *complaint_status_name(ComplaintStatus st)
{
	return st >= CS_OPEN && st <= CS_REJECTED ? status_names[st] : "";
}

ComplaintMove complaint_move_check(ComplaintStatus from, ComplaintStatus to, bool has_note)
{
	bool closed_from = from == CS_RESOLVED || from == CS_REJECTED;
	bool closing = to == CS_RESOLVED || to == CS_REJECTED;

	if (from == CS_INVALID || to == CS_INVALID)
		return CM_BAD_TRANSITION;
	if (from == to)
		return CM_OK;
	if (closed_from && to != CS_OPEN)
		return CM_BAD_TRANSITION;	/* only a reopen leaves a closed ticket */
	if ((closing || closed_from) && !has_note)
		return CM_NOTE_REQUIRED;	/* a resolution, rejection or reopen says why */
	return CM_OK;
}

bool complaint_category_is_valid(const char *s)
{
	static const char *const cats[] = { "product", "service", "price", "queue", "other" };

	for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
		if (strcmp(s, cats[i]) == 0)
			return true;
	return false;
}

bool complaint_text_is_valid(const char *s, unsigned max, bool may_be_empty)
{
	size_t len = strlen(s), chars = 0;

	if (len == 0)
		return may_be_empty;
	if (!utf8_is_valid(s, len))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)s[i];

		if ((b < 0x20 && b != '\n' && b != '\t') || b == 0x7F)
			return false;
		chars += (b & 0xC0) != 0x80;
	}
	return chars <= max;
}

bool complaint_rating_opens(int rating, int rating_max)
{
	return rating_max > 0 && rating >= 1 && rating <= rating_max;
}
