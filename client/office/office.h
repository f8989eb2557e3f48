/* SPDX-License-Identifier: Apache-2.0 */
/*
 * office.h: what kassa-office's command files share: the command's
 * arguments (words after the command, split at their first '='), the one
 * way a command reports a request's outcome, and the output options
 * (--format, --svg, --html, --bom, --output) the report and export
 * commands read. main.c holds the command table; each command family has
 * its own file and declares its commands here.
 */
#ifndef KASSA_OFFICE_CLI_H
#define KASSA_OFFICE_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <jansson.h>

#include "kassa_client.h"
#include "kc_cli.h"
#include "util.h"

/* exit codes: kc_cli.h's, the same as kassa-till's */
#define OFFICE_EXIT_OK KC_EXIT_OK
#define OFFICE_EXIT_FAILED KC_EXIT_FAILED
#define OFFICE_EXIT_USAGE KC_EXIT_USAGE
#define OFFICE_EXIT_CONN KC_EXIT_CONN
#define OFFICE_MAX_ARGS 16

/* Arguments after the command words, split at the first '='. */
typedef struct Args {
	char *keys[OFFICE_MAX_ARGS];	/* borrowed from argv (modified in place) */
	char *vals[OFFICE_MAX_ARGS];	/* NULL for plain words */
	int n;
} Args;

typedef int (*OfficeCmd)(KassaClient *kc, const Args *a);

/* How reports and exports are written: --format, --svg, --html, --bom, --output. */
typedef enum OfficeFormat {
	OFFICE_FMT_DEFAULT = 0,		/* the command's own: JSON, or a table for reports */
	OFFICE_FMT_TABLE,		/* aligned text for a terminal, in the user's language */
	OFFICE_FMT_CSV,			/* RFC 4180, language-neutral */
	OFFICE_FMT_JSON,		/* one JSON object (reports) or JSON lines (exports) */
} OfficeFormat;

typedef struct OfficeOutput {
	OfficeFormat format;
	const char *svg;		/* borrowed (argv): write a chart here; NULL = none */
	const char *html;		/* ... an HTML page with the chart and the table */
	const char *output;		/* ... the data instead of stdout */
	bool bom;			/* CSV: start with a UTF-8 byte-order mark */
} OfficeOutput;

extern OfficeOutput office_out;		/* set by main.c from the options */

/* The value of key=VALUE among a, or NULL. */
const char *arg_get(const Args *a, const char *key);
/* The i-th argument if it is a plain word (no '='), else NULL. */
const char *arg_word(const Args *a, int i);
/* A positive id from the i-th plain word; false if it is not one. */
bool arg_id(const Args *a, int i, int64_t *id);
/* Print a usage failure for cmd; returns OFFICE_EXIT_USAGE. */
int bad_usage(const char *cmd, const char *how);
/*
 * Print the outcome of a request; true if the server answered OK with the
 * body wanted (*respp is then the caller's; otherwise it has been freed).
 * *code gets the exit code.
 */
bool office_result(KassaClient *kc, const char *cmd, KcResult r, Kassa__V1__Response **respp,
		   Kassa__V1__Response__BodyCase want, int *code);
/* {"ok":true,"cmd":cmd,"idempotency_key":key} to add a change's result to. */
json_t *ok_keyed(const char *cmd, const char *key);

/* How a ReportTable is drawn as a table for people (false on a write error). */
typedef bool (*OfficeTableFn)(FILE *out, const Kassa__V1__ReportTable *t);
/*
 * t to stdout or --output as --format says (a table drawn by table, CSV or
 * JSON), a write failure printed for cmd; returns the exit code
 * (report_cmds.c; reports and the console's SHOW share it).
 */
int office_write_table(const char *cmd, const Kassa__V1__ReportTable *t, OfficeTableFn table);

/* ---- head office's members (member_cmds.c) ---- */

/* member 360 ID [limit=N] */
int cmd_member_360(KassaClient *kc, const Args *a);
/* member find [filter words] [segment=NAME [version=N]] [limit=N] [after=CURSOR] [count] */
int cmd_member_find(KassaClient *kc, const Args *a);
/* segment save NAME [description=TEXT] filter words; segment show NAME [version=N]; segment list */
int cmd_segment_save(KassaClient *kc, const Args *a);
int cmd_segment_show(KassaClient *kc, const Args *a);
int cmd_segment_list(KassaClient *kc, const Args *a);

/* ---- a member's data rights (rights_cmds.c) ---- */

/* --reason and --yes, set by main.c from the options. */
typedef struct OfficeRights {
	const char *reason;		/* borrowed (argv): --reason TEXT; NULL = not given */
	bool yes;			/* --yes: erase without asking */
} OfficeRights;

extern OfficeRights office_rights;

/* member export-data ID [--output FILE] */
int cmd_member_export_data(KassaClient *kc, const Args *a);
/* member erase ID --reason TEXT [--yes] */
int cmd_member_erase(KassaClient *kc, const Args *a);

typedef enum OfficeFilterArg {
	OFFICE_FILTER_NONE = 0,		/* key is not a filter word */
	OFFICE_FILTER_SET,		/* the field is set */
	OFFICE_FILTER_BAD,		/* a filter word whose value cannot be read: *why says so */
} OfficeFilterArg;

/*
 * One filter word key=val of member find / segment save / export members
 * into f (strings borrow val): phone card name tag tier class
 * birthday_month store visit_from visit_to spend_min spend_max (amounts
 * like 12.34) consent (yes|no). *why is a translated reason for
 * OFFICE_FILTER_BAD.
 */
OfficeFilterArg office_filter_arg(Kassa__V1__MemberFilter *f, const char *key, char *val,
				  const char **why);
/* The fields f sets, by their filter words, as a JSON object (new reference). */
json_t *office_filter_json(const Kassa__V1__MemberFilter *f);

/* report [NAME] [from=] [to=] [store=] [category=] [limit=] (report_cmds.c) */
int cmd_report(KassaClient *kc, const Args *a);

/* show pools|sessions|queues|jobs|version; reload (the operator console, console_cmds.c) */
int cmd_show(KassaClient *kc, const Args *a);
int cmd_reload(KassaClient *kc, const Args *a);

/* audit verify (audit_cmds.c) */
int cmd_audit_verify(KassaClient *kc, const Args *a);

/* analytics run [full] [rebuild] (analytics_cmds.c) */
int cmd_analytics_run(KassaClient *kc, const Args *a);

/* export members|sales|lines [filter words | segment=NAME | from= to= store=] (export_cmds.c) */
int cmd_export_members(KassaClient *kc, const Args *a);
int cmd_export_sales(KassaClient *kc, const Args *a);
int cmd_export_lines(KassaClient *kc, const Args *a);

/* complaint_cmds.c */
int cmd_complaint_open(KassaClient *kc, const Args *a);
int cmd_complaint_update(KassaClient *kc, const Args *a);
int cmd_complaint_show(KassaClient *kc, const Args *a);
int cmd_complaint_list(KassaClient *kc, const Args *a);
int cmd_feedback_list(KassaClient *kc, const Args *a);
/* followup_cmds.c */
int cmd_followup_rules(KassaClient *kc, const Args *a);
int cmd_followup_set_rules(KassaClient *kc, const Args *a);
int cmd_followup_list(KassaClient *kc, const Args *a);
int cmd_followup_record(KassaClient *kc, const Args *a);
int cmd_points_adjust(KassaClient *kc, const Args *a);
int cmd_coupon_deactivate(KassaClient *kc, const Args *a);
int cmd_coupon_edit(KassaClient *kc, const Args *a);
/*
 * Read a's words from index from on as `coupon define` reads them into d
 * (main.c; also `coupon edit`, followup_cmds.c): FIELD=VALUE each at most
 * once, name and kind required, issue_on code when a claim code is given.
 * OFFICE_EXIT_OK, or the exit code after printing the failure for cmd.
 */
int coupon_define_args(const char *cmd, const char *use, const Args *a, int from,
		       Kassa__V1__CouponDefine *d);
/* outbox_cmds.c */
int cmd_endpoint_put(KassaClient *kc, const Args *a);
int cmd_endpoint_list(KassaClient *kc, const Args *a);
int cmd_outbox_list(KassaClient *kc, const Args *a);
int cmd_outbox_retry(KassaClient *kc, const Args *a);
/* template_cmds.c */
int cmd_template_put(KassaClient *kc, const Args *a);
int cmd_template_list(KassaClient *kc, const Args *a);
/* campaign_cmds.c */
int cmd_campaign_create(KassaClient *kc, const Args *a);
int cmd_campaign_launch(KassaClient *kc, const Args *a);
int cmd_campaign_show(KassaClient *kc, const Args *a);
int cmd_campaign_list(KassaClient *kc, const Args *a);
int cmd_campaign_report(KassaClient *kc, const Args *a);
/* merge_cmds.c */
int cmd_member_merge(KassaClient *kc, const Args *a);
int cmd_member_import(KassaClient *kc, const Args *a);
/* main.c's options of member import: 1 --all-or-nothing, 2 --dry-run, 3 --rejected FILE. */
void office_import_option(int which, const char *arg);
/* feed_cmds.c; --follow (main.c's option) sets office_feed_follow */
extern bool office_feed_follow;
int cmd_feed_export(KassaClient *kc, const Args *a);
int cmd_job_run(KassaClient *kc, const Args *a);

#endif
