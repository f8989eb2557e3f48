/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock_cmds.c: kassa-office's commands of staff time (store operations,
 * part "clock"); listed in store_ops.c.
 *
 *   clock list [staff=ID] [store=ID] [week=YYYY-Www] [shift=ID]
 *
 * prints one JSON object: the week's clock records and each staff member's
 * hours that week (kc_clock_json.h), or with shift=ID the staff clocked in
 * at that shift's till, with the shift's expected cash, count and
 * over/short. The reports staff_hours and cashier_performance are run with
 * the usual `report NAME ...` command.
 */
#include "i18n.h"
#include "kc_clock.h"
#include "kc_clock_json.h"
#include "kc_json.h"
#include "office.h"

int cmd_clock_list(KassaClient *kc, const Args *a);

/* The id of key=ID in a (0 when absent); false if it is not a positive number. */
static bool clock_id_arg(const Args *a, const char *key, int64_t *id)
{
	const char *v = arg_get(a, key);

	*id = 0;
	return v == NULL || (kc_parse_i64(v, id) && *id > 0);
}

int cmd_clock_list(KassaClient *kc, const Args *a)
{
	const char *cmd = "clock list";
	const char *use = _("usage: clock list [staff=ID] [store=ID] [week=YYYY-Www] [shift=ID]");
	Kassa__V1__Response *resp = NULL;
	int64_t staff, store, shift;
	int code = OFFICE_EXIT_OK;
	json_t *o;

	for (int i = 0; i < a->n; i++)
		if (a->vals[i] == NULL)
			return bad_usage(cmd, use);
	if (!clock_id_arg(a, "staff", &staff) || !clock_id_arg(a, "store", &store) ||
	    !clock_id_arg(a, "shift", &shift))
		return bad_usage(cmd, use);
	if (!office_result(kc, cmd, kc_clock_list(kc, staff, store, arg_get(a, "week"), shift,
						  &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_CLOCK_PAGE, &code))
		return code;
	o = kcj_ok(cmd);
	kcj_clock_page(o, resp->clock_page);
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}
