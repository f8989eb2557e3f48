/* SPDX-License-Identifier: Apache-2.0 */
/*
 * office_args.c: the helpers every kassa-office command uses (office.h):
 * reading its arguments and reporting a request's outcome as one JSON line.
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "kc_json.h"
#include "office.h"

OfficeOutput office_out;

const char *arg_get(const Args *a, const char *key)
{
	int i;

	for (i = 0; i < a->n; i++)
		if (a->vals[i] != NULL && strcmp(a->keys[i], key) == 0)
			return a->vals[i];
	return NULL;
}

/*
 * Print the outcome of a request; true if the server answered OK with the
 * body wanted (*respp is then the caller's; otherwise it has been freed).
 * *code gets the exit code.
 */
bool office_result(KassaClient *kc, const char *cmd, KcResult r, Kassa__V1__Response **respp,
		   Kassa__V1__Response__BodyCase want, int *code)
{
	/* respp, not *respp: the call that fills it may be the argument before it */
	Kassa__V1__Response *resp = *respp;

	if (r != KC_OK) {
		kcj_emit(kcj_fail_io(cmd, r, kc_last_error(kc)));
		*code = r == KC_ERR_ARG ? OFFICE_EXIT_FAILED : OFFICE_EXIT_CONN;
		return false;
	}
	if (kc_status(resp) != KASSA__V1__STATUS_CODE__OK) {
		kcj_emit(kcj_fail_resp(cmd, resp));
		kc_response_free(resp);
		*code = OFFICE_EXIT_FAILED;
		return false;
	}
	if (resp->body_case != want) {
		kcj_emit(kcj_fail(cmd, "INTERNAL", "UNEXPECTED_RESPONSE",
				  _("the server answered with another message")));
		kc_response_free(resp);
		*code = OFFICE_EXIT_FAILED;
		return false;
	}
	return true;
}

/* Print a usage failure for cmd; returns OFFICE_EXIT_USAGE. */
int bad_usage(const char *cmd, const char *how)
{
	kcj_emit(kcj_fail(cmd, "INVALID_ARGUMENT", "USAGE", how));
	return OFFICE_EXIT_USAGE;
}

/* The i-th argument if it is a plain word (no '='), else NULL. */
const char *arg_word(const Args *a, int i)
{
	return i < a->n && a->vals[i] == NULL ? a->keys[i] : NULL;
}

/* A positive id from the i-th plain word; false if it is not one. */
bool arg_id(const Args *a, int i, int64_t *id)
{
	return kc_parse_i64(arg_word(a, i), id) && *id > 0;
}

/* {"ok":true,"cmd":cmd,"idempotency_key":key} to add a change's result to. */
json_t *ok_keyed(const char *cmd, const char *key)
{
	json_t *o = kcj_ok(cmd);

	json_object_set_new(o, "idempotency_key", json_string(key));
	return o;
}
