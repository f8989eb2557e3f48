/* SPDX-License-Identifier: Apache-2.0 */
/*
 * merge_cmds.c: member merge and member import (administrators;
 * docs/care/merge.md).
 *
 *   member merge KEEP MERGE --reason TEXT [--yes]
 *	everything of MERGE moves to KEEP; MERGE is left a tombstone. Cannot
 *	be undone: without --yes the command asks for MERGE's id again on a
 *	terminal and refuses otherwise. Prints one JSON object with the counts.
 *   member import FILE [--all-or-nothing] [--dry-run] [--rejected OUT.csv]
 *	members from a CSV file ("-": standard input); prints the validation
 *	report in the user's language (rows, imported, rejected, each problem
 *	with its line and column) and writes the rejected rows, with a
 *	"problem" column, to OUT.csv. Exit 0 when the file had no problem,
 *	1 otherwise (KC_EXIT_FAILED), whatever was imported.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "i18n.h"
#include "kc_json.h"
#include "kc_merge.h"
#include "office.h"

#define IMPORT_FILE_MAX (FRAME_DEFAULT_MAX - 4096)	/* the request must fit a frame */

static struct {
	bool all_or_nothing, dry_run;
	const char *rejected;		/* borrowed (argv) */
} import_opt;

void office_import_option(int which, const char *arg)
{
	if (which == 1)
		import_opt.all_or_nothing = true;
	else if (which == 2)
		import_opt.dry_run = true;
	else
		import_opt.rejected = arg;
}

/* On a terminal, ask for the merged member's id again; false unless it is typed. */
static bool merge_confirmed(int64_t keep, int64_t merge)
{
	char line[64], want[24];

	if (office_rights.yes)
		return true;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "kassa-office: member merge: %s\n",
			_("a merge cannot be undone; add --yes to confirm"));
		return false;
	}
	fprintf(stderr, _("Merge member %lld into member %lld? This cannot be undone. Type %lld "
			  "to confirm: "), (long long)merge, (long long)keep, (long long)merge);
	snprintf(want, sizeof(want), "%lld", (long long)merge);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	if (strcmp(line, want) != 0) {
		fprintf(stderr, "kassa-office: member merge: %s\n", _("not confirmed: nothing merged"));
		return false;
	}
	return true;
}

int cmd_member_merge(KassaClient *kc, const Args *a)
{
	const char *cmd = "member merge";
	Kassa__V1__Response *resp = NULL;
	const Kassa__V1__MemberMerged *m;
	int code = OFFICE_EXIT_OK;
	int64_t keep, merge;
	char key[KC_KEY_LEN];
	json_t *o;

	if (a->n != 2 || !arg_id(a, 0, &keep) || !arg_id(a, 1, &merge) ||
	    office_rights.reason == NULL)
		return bad_usage(cmd, "member merge KEEP MERGE --reason TEXT [--yes]");
	if (!merge_confirmed(keep, merge))
		return OFFICE_EXIT_USAGE;
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_member_merge(kc, keep, merge, office_rights.reason, key,
						    &resp),
			   &resp, KASSA__V1__RESPONSE__BODY_MEMBER_MERGED, &code))
		return code;
	m = resp->member_merged;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "keep_member_id", json_integer(m->keep_member_id));
	json_object_set_new(o, "merged_member_id", json_integer(m->merged_member_id));
	json_object_set_new(o, "transactions", json_integer(m->transactions));
	json_object_set_new(o, "points_entries", json_integer(m->points_entries));
	json_object_set_new(o, "wallet_entries", json_integer(m->wallet_entries));
	json_object_set_new(o, "coupons", json_integer(m->coupons));
	json_object_set_new(o, "feedback", json_integer(m->feedback));
	json_object_set_new(o, "points_balance", json_integer(m->points_balance));
	json_object_set_new(o, "stored_value_minor", json_integer(m->stored_value_minor));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

/* The whole of path ("-": stdin), NUL-terminated, at most IMPORT_FILE_MAX bytes; NULL + errno. */
static char *read_all(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf;
	size_t n = 0;

	if (f == NULL)
		return NULL;
	buf = malloc(IMPORT_FILE_MAX + 2);
	if (buf != NULL)
		n = fread(buf, 1, IMPORT_FILE_MAX + 1, f);
	if (buf == NULL || ferror(f) || n > IMPORT_FILE_MAX) {
		int e = buf == NULL ? ENOMEM : ferror(f) ? EIO : EFBIG;

		free(buf);
		if (f != stdin)
			fclose(f);
		errno = e;
		return NULL;
	}
	if (f != stdin)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

static bool write_rejected(const char *cmd, const char *path, const char *csv)
{
	FILE *f = fopen(path, "wb");
	bool ok = f != NULL && fputs(csv, f) >= 0;

	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (!ok)
		fprintf(stderr, "kassa-office: %s: %s: %s\n", cmd, path, strerror(errno));
	return ok;
}

/* The validation report, for people. */
static void import_report(const Kassa__V1__MemberImported *m)
{
	printf(_("rows: %u, imported: %u, rejected: %u\n"), m->rows, m->imported, m->rejected);
	printf("%s\n", m->committed ? _("committed: the imported rows are members now")
				    : _("not committed: nothing was written"));
	for (size_t i = 0; i < m->n_problems; i++) {
		const Kassa__V1__ImportProblem *p = m->problems[i];

		if (p->column[0])
			printf(_("line %u, column %s: %s (%s)\n"), p->line, p->column, p->message,
			       p->code);
		else
			printf(_("line %u: %s (%s)\n"), p->line, p->message, p->code);
	}
}

int cmd_member_import(KassaClient *kc, const Args *a)
{
	const char *cmd = "member import", *path = arg_word(a, 0);
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	char key[KC_KEY_LEN];
	char *csv;

	if (a->n != 1 || path == NULL)
		return bad_usage(cmd, "member import FILE [--all-or-nothing] [--dry-run] "
				 "[--rejected OUT.csv]");
	csv = read_all(path);
	if (csv == NULL) {
		fprintf(stderr, "kassa-office: %s: %s: %s\n", cmd, path,
			errno == EFBIG ? _("the file is larger than one request may be")
				       : strerror(errno));
		return OFFICE_EXIT_FAILED;
	}
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_member_import(kc, csv, import_opt.all_or_nothing,
						     import_opt.dry_run, key, &resp),
			   &resp, KASSA__V1__RESPONSE__BODY_MEMBER_IMPORTED, &code)) {
		free(csv);
		return code;
	}
	free(csv);
	import_report(resp->member_imported);
	if (import_opt.rejected && !write_rejected(cmd, import_opt.rejected,
						   resp->member_imported->rejected_csv))
		code = OFFICE_EXIT_FAILED;
	else if (resp->member_imported->n_problems > 0)
		code = OFFICE_EXIT_FAILED;
	kc_response_free(resp);
	return code;
}
