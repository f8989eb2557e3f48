/* SPDX-License-Identifier: Apache-2.0 */
/*
 * count_db.c: see count_db.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "count_db.h"
#include "i18n.h"

void count_params_init(CountParams *p, const Call *c, const ProtobufCMessage *body)
{
	p->hash = (SqlText)SQLTEXT_INIT;
	if (body != NULL)
		sqltext_hash(&p->hash, body);
	snprintf(p->till, sizeof(p->till), "%lld", (long long)c->sess->till_id);
	snprintf(p->staff, sizeof(p->staff), "%lld", (long long)c->staff_id);
	snprintf(p->store, sizeof(p->store), "%lld", (long long)c->sess->store_id);
	p->office = strcmp(c->sess->till_kind, "office") == 0 ? "t" : "f";
}

const char *count_changed_id(Call *c, DbStatus st, const PGresult *res)
{
	if (!call_db_ok(c, st, res))
		return NULL;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return NULL;
	}
	return PQgetvalue(res, 0, 0);
}

int64_t count_col_int(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

bool count_code_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > COUNT_CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || s[i] == 0x7f)
			return false;
	return true;
}
