/* SPDX-License-Identifier: Apache-2.0 */
/*
 * console_cmds.c: kassa-office's operator console (an administrator's):
 *
 *   show pools|sessions|queues|jobs|version   kassad's state now (ConsoleShow)
 *   reload                                    what SIGHUP does (ConsoleReload)
 *
 * SHOW is answered with a ReportTable and written as --format says, like
 * a report: an aligned table in the user's language (the default; column
 * labels and the title through _() here, then report_render.c), CSV
 * (csv.h: the machine keys and values) or one JSON object
 * (report_table_json), to stdout or --output FILE. RELOAD prints
 * {"ok":true,"cmd":"reload","message":..,"changed":[..],"restart_needed":[..]};
 * a refused reload (the old state kept) is the same line with "ok":false
 * and exit code 1. A usage mistake exits 2; a refusal by kassad (a
 * cashier, PERMISSION_DENIED) is the usual JSON failure, exit 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "i18n.h"
#include "kc_console.h"
#include "kc_json.h"
#include "office.h"
#include "report_render.h"

#define SHOW_USAGE "show pools|sessions|queues|jobs|version"
#define CONSOLE_COLS_MAX 16

typedef struct ConsoleLabel {
	const char *key;	/* a column key or a table name */
	const char *label;	/* N_(): translated at use */
} ConsoleLabel;

/* What the console's columns mean for a person. */
static const ConsoleLabel col_labels[] = {
	{ "pool", N_("Pool") }, { "size", N_("Connections") }, { "busy", N_("Busy") },
	{ "idle", N_("Idle") }, { "connecting", N_("Connecting") }, { "down", N_("Down") },
	{ "queued", N_("Queued") }, { "queue_max", N_("Queue limit") },
	{ "timeout_ms", N_("Timeout (ms)") }, { "lost", N_("Lost") },
	{ "session", N_("Session") }, { "till", N_("Till") }, { "store", N_("Store") },
	{ "kind", N_("Kind") }, { "staff_id", N_("Staff ID") }, { "address", N_("Address") },
	{ "connected_since", N_("Connected since") }, { "requests", N_("Requests") },
	{ "in_flight", N_("In flight") }, { "state", N_("State") },
	{ "queue", N_("Queue") }, { "length", N_("Length") }, { "limit", N_("Limit") },
	{ "job", N_("Job") }, { "every_s", N_("Every (s)") }, { "runs", N_("Runs") },
	{ "failures", N_("Failures") }, { "last_result", N_("Last result") },
	{ "last_run", N_("Last run") }, { "last_duration_ms", N_("Last duration (ms)") },
	{ "next_run", N_("Next run") }, { "version", N_("Version") },
	{ "protocol", N_("Protocol") }, { "schema_version", N_("Schema version") },
	{ "schema_expected", N_("Schema expected") }, { "started_at", N_("Started at") },
	{ "pid", N_("Process ID") }, { "sessions_shown", N_("Sessions shown") },
};

static const ConsoleLabel titles[] = {
	{ "console_pools", N_("Database pools") },
	{ "console_sessions", N_("Sessions") },
	{ "console_queues", N_("Queues") },
	{ "console_jobs", N_("Jobs") },
	{ "console_version", N_("Version") },
};

static const char *label_of(const ConsoleLabel *t, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].key, key) == 0)
			return _(t[i].label);
	return key;
}

/*
 * t as a person reads it: a shallow copy whose column keys, note keys and
 * name are already the translated labels (report_render_table() prints a
 * key it does not know as it is).
 */
static bool console_table(FILE *out, const Kassa__V1__ReportTable *t)
{
	Kassa__V1__ReportTable h = *t;
	Kassa__V1__ReportColumn cols[CONSOLE_COLS_MAX], *colp[CONSOLE_COLS_MAX];
	Kassa__V1__ReportNote note, *notep[1];

	if (t->n_columns > CONSOLE_COLS_MAX)
		return report_render_table(out, t);
	for (size_t i = 0; i < t->n_columns; i++) {
		cols[i] = *t->columns[i];
		cols[i].key = (char *)label_of(col_labels, ARRAY_SIZE(col_labels), t->columns[i]->key);
		colp[i] = &cols[i];
	}
	h.columns = colp;
	if (t->n_notes >= 1) {
		note = *t->notes[0];
		note.key = (char *)label_of(col_labels, ARRAY_SIZE(col_labels), t->notes[0]->key);
		notep[0] = &note;
		h.notes = notep;
		h.n_notes = 1;
	}
	h.report = (char *)label_of(titles, ARRAY_SIZE(titles), t->report);
	return report_render_table(out, &h);
}

int cmd_show(KassaClient *kc, const Args *a)
{
	static const char *const whats[] = { "pools", "sessions", "queues", "jobs", "version" };
	const char *cmd = "show", *what = arg_word(a, 0);
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	bool known = false;

	for (size_t i = 0; what != NULL && i < ARRAY_SIZE(whats); i++)
		known = known || strcmp(what, whats[i]) == 0;
	if (a->n != 1 || !known)
		return bad_usage(cmd, SHOW_USAGE);
	if (!office_result(kc, cmd, kc_console_show(kc, what, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_REPORT_TABLE, &code))
		return code;
	code = office_write_table(cmd, resp->report_table, console_table);
	kc_response_free(resp);
	return code;
}

/* A list of strings as a JSON array (new reference). */
static json_t *str_array(char **v, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_string(v[i]));
	return arr;
}

int cmd_reload(KassaClient *kc, const Args *a)
{
	const char *cmd = "reload";
	Kassa__V1__Response *resp = NULL;
	const Kassa__V1__ConsoleReloaded *r;
	int code = OFFICE_EXIT_OK;
	json_t *o;

	if (a->n != 0)
		return bad_usage(cmd, "reload");
	if (!office_result(kc, cmd, kc_console_reload(kc, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_CONSOLE_RELOADED, &code))
		return code;
	r = resp->console_reloaded;
	o = json_object();
	json_object_set_new(o, "ok", json_boolean(r->ok));
	json_object_set_new(o, "cmd", json_string(cmd));
	json_object_set_new(o, "message", json_string(r->message));
	json_object_set_new(o, "changed", str_array(r->changed, r->n_changed));
	json_object_set_new(o, "restart_needed", str_array(r->restart_needed, r->n_restart_needed));
	kcj_emit(o);
	code = r->ok ? OFFICE_EXIT_OK : OFFICE_EXIT_FAILED;
	kc_response_free(resp);
	return code;
}
