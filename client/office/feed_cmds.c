/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feed_cmds.c: kassa-office's event feed and job commands, for an
 * administrator (docs/care/feed.md):
 *
 *   feed export [after=N] [types=member.*,sale.*] [limit=N] [--follow]
 *	the feed's events after sequence N (default 0: from the start), of
 *	the types matching the patterns (default every type), as JSON lines,
 *	one event a line in seq order, page after page until the head; then
 *	a summary on stderr with last_seq, the number to resume from. With
 *	--follow it goes on, asking for new events every second, until it is
 *	stopped (or its output is closed).
 *   job run followups|recommendations|feed|card_expire
 *	run one of customer care's jobs now; its JobDone as one JSON object.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "kc_feed.h"
#include "kc_json.h"
#include "kc_options.h"
#include "office.h"

#define FEED_TYPES_MAX 20
#define FEED_TYPES_LEN 1024
#define FEED_FOLLOW_MS 1000

bool office_feed_follow;

/* One event as a JSON line on stdout; false on a write error. */
static bool feed_print_event(const Kassa__V1__FeedEvent *e)
{
	json_t *o = json_object();
	json_t *data = json_loads(e->data_json, 0, NULL);
	char *s;
	bool ok;

	json_object_set_new(o, "seq", json_integer(e->seq));
	json_object_set_new(o, "event_id", json_string(e->event_id));
	json_object_set_new(o, "type", json_string(e->type));
	json_object_set_new(o, "member_id", json_integer(e->member_id));
	json_object_set_new(o, "member_seq", json_integer(e->member_seq));
	json_object_set_new(o, "schema_version", json_integer(e->schema_version));
	json_object_set_new(o, "occurred_at", json_string(e->occurred_at));
	json_object_set_new(o, "data", data != NULL ? data : json_object());
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	ok = s != NULL && fputs(s, stdout) >= 0 && fputc('\n', stdout) != EOF;
	free(s);
	json_decref(o);
	return ok;
}

/* Split "a,b,c" (copied into buf) into at most FEED_TYPES_MAX patterns. */
static bool feed_split_types(const char *list, char *buf, size_t buflen, const char **types,
			     size_t *n)
{
	char *save = NULL;

	*n = 0;
	if (list == NULL)
		return true;
	if (strlen(list) >= buflen)
		return false;
	strcpy(buf, list);
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		if (*n == FEED_TYPES_MAX)
			return false;
		types[(*n)++] = t;
	}
	return true;
}

static void feed_pause(void)
{
	struct timespec ts = { FEED_FOLLOW_MS / 1000, (FEED_FOLLOW_MS % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Pages from *after until the head (and on, with --follow); the exit code. */
static int feed_pages(KassaClient *kc, int64_t *after, uint32_t limit, const char **types,
		      size_t ntypes, int64_t *count, int64_t *head)
{
	const char *cmd = "feed export";
	int code = OFFICE_EXIT_OK;

	for (;;) {
		Kassa__V1__Response *resp = NULL;
		const Kassa__V1__FeedPage *p;
		bool more;

		if (!office_result(kc, cmd, kc_feed_export(kc, *after, limit, types, ntypes, &resp),
				   &resp, KASSA__V1__RESPONSE__BODY_FEED_PAGE, &code))
			return code;
		p = resp->feed_page;
		for (size_t i = 0; i < p->n_events; i++) {
			if (!feed_print_event(p->events[i])) {
				kc_response_free(resp);
				fprintf(stderr, "kassa-office: %s: %s\n", cmd, strerror(errno));
				return OFFICE_EXIT_FAILED;
			}
			(*count)++;
		}
		more = p->last_seq < p->head_seq;
		*after = p->last_seq > *after ? p->last_seq : *after;
		*head = p->head_seq;
		kc_response_free(resp);
		if (fflush(stdout) != 0) {
			fprintf(stderr, "kassa-office: %s: %s\n", cmd, strerror(errno));
			return OFFICE_EXIT_FAILED;
		}
		if (!more && !office_feed_follow)
			return OFFICE_EXIT_OK;
		if (!more)
			feed_pause();
	}
}

int cmd_feed_export(KassaClient *kc, const Args *a)
{
	const char *cmd = "feed export";
	const char *how = "feed export [after=N] [types=member.*,sale.*] [limit=N] [--follow]";
	const char *s_after = arg_get(a, "after"), *s_limit = arg_get(a, "limit");
	const char *types[FEED_TYPES_MAX];
	char buf[FEED_TYPES_LEN];
	int64_t after = 0, limit = 0, count = 0, head = 0;
	size_t ntypes = 0;
	int code;

	for (int i = 0; i < a->n; i++)
		if (a->vals[i] == NULL || (strcmp(a->keys[i], "after") != 0 &&
		    strcmp(a->keys[i], "types") != 0 && strcmp(a->keys[i], "limit") != 0))
			return bad_usage(cmd, how);
	if ((s_after != NULL && (!kc_parse_i64(s_after, &after) || after < 0)) ||
	    (s_limit != NULL && (!kc_parse_i64(s_limit, &limit) || limit < 1 || limit > 5000)) ||
	    !feed_split_types(arg_get(a, "types"), buf, sizeof(buf), types, &ntypes))
		return bad_usage(cmd, how);
	code = feed_pages(kc, &after, (uint32_t)limit, types, ntypes, &count, &head);
	if (code == OFFICE_EXIT_OK) {
		json_t *o = json_pack("{s:b, s:s, s:I, s:I, s:I}", "ok", 1, "cmd", cmd,
				      "events", (json_int_t)count, "last_seq", (json_int_t)after,
				      "head_seq", (json_int_t)head);
		char *txt = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

		if (txt != NULL)
			fprintf(stderr, "%s\n", txt);
		free(txt);
		json_decref(o);
	}
	return code;
}

int cmd_job_run(KassaClient *kc, const Args *a)
{
	const char *cmd = "job run";
	Kassa__V1__Response *resp = NULL;
	const Kassa__V1__JobDone *d;
	int code = OFFICE_EXIT_OK;
	char key[KC_KEY_LEN];
	json_t *o;

	if (a->n != 1 || arg_word(a, 0) == NULL)
		return bad_usage(cmd, "job run followups|recommendations|feed|card_expire");
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_job_run(kc, arg_word(a, 0), key, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_JOB_DONE, &code))
		return code;
	d = resp->job_done;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "job", json_string(d->job));
	json_object_set_new(o, "run_id", json_integer(d->run_id));
	json_object_set_new(o, "examined", json_integer(d->examined));
	json_object_set_new(o, "changed", json_integer(d->changed));
	json_object_set_new(o, "elapsed_ms", json_integer(d->elapsed_ms));
	json_object_set_new(o, "finished_at", json_string(d->finished_at));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}
