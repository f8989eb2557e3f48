/* SPDX-License-Identifier: Apache-2.0 */
/*
 * template_cmds.c: kassa-office's message template commands (an
 * administrator's; docs/care/messages.md):
 *
 *   template put NAME lang=zh_CN|en [subject=TEXT] body=TEXT|file=PATH
 *   template list
 *
 * put stores the next version of the template NAME in that language and
 * prints {"ok":true,"cmd":"template put","idempotency_key":..,"template":
 * {name, language, version, subject, body}}. The body comes from body= or
 * from the file PATH (UTF-8, at most TEMPLATE_FILE_MAX bytes; its final
 * line break is dropped), exactly one of them. kassad checks the rest (an
 * unknown placeholder, a brace that opens nothing, the lengths) and says
 * what is wrong: INVALID_ARGUMENT BAD_TEMPLATE etc., exit code 1.
 *
 * list writes the newest version of every template as --format says: an
 * aligned table in the user's language (the default), CSV or JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "kc_json.h"
#include "kc_templates.h"
#include "office.h"
#include "report_render.h"

#define TEMPLATE_PUT_USAGE \
	"template put NAME lang=zh_CN|en [subject=TEXT] body=TEXT|file=PATH"
#define TEMPLATE_FILE_MAX 16384		/* bytes: a body is at most 2000 characters */

/*
 * The whole of file path (its last line break dropped) in a malloc'd
 * string, or NULL with a translated reason in why (why_len bytes).
 */
static char *read_body(const char *path, char *why, size_t why_len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL) {
		snprintf(why, why_len, _("could not read %s"), path);
		return NULL;
	}
	buf = xmalloc(TEMPLATE_FILE_MAX + 2);
	n = fread(buf, 1, TEMPLATE_FILE_MAX + 1, f);
	if (ferror(f) || n > TEMPLATE_FILE_MAX) {
		snprintf(why, why_len, ferror(f) ? _("could not read %s") :
			 _("%s is too long for a template body"), path);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	if (strlen(buf) != n) {
		snprintf(why, why_len, _("%s is not text"), path);
		free(buf);
		return NULL;
	}
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return buf;
}

static json_t *template_json(const Kassa__V1__MessageTemplate *t)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "language", json_string(t->language));
	json_object_set_new(o, "version", json_integer(t->version));
	json_object_set_new(o, "subject", json_string(t->subject));
	json_object_set_new(o, "body", json_string(t->body));
	return o;
}

int cmd_template_put(KassaClient *kc, const Args *a)
{
	const char *cmd = "template put", *name = arg_word(a, 0);
	const char *lang = arg_get(a, "lang"), *subject = arg_get(a, "subject");
	const char *body = arg_get(a, "body"), *file = arg_get(a, "file");
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	char key[KC_KEY_LEN], why[512];
	char *owned = NULL;
	json_t *o;

	if (lang == NULL)
		lang = arg_get(a, "language");
	if (name == NULL || lang == NULL || (body == NULL) == (file == NULL) ||
	    a->n != 3 + (subject != NULL))
		return bad_usage(cmd, TEMPLATE_PUT_USAGE);
	if (file != NULL) {
		if ((owned = read_body(file, why, sizeof(why))) == NULL) {
			kcj_emit(kcj_fail(cmd, "INVALID_ARGUMENT", "BAD_FILE", why));
			return OFFICE_EXIT_USAGE;
		}
		body = owned;
	}
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_template_put(kc, name, lang, subject, body, key, &resp),
			   &resp, KASSA__V1__RESPONSE__BODY_MESSAGE_TEMPLATE, &code)) {
		free(owned);
		return code;
	}
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "template", template_json(resp->message_template));
	kcj_emit(o);
	kc_response_free(resp);
	free(owned);
	return OFFICE_EXIT_OK;
}

int cmd_template_list(KassaClient *kc, const Args *a)
{
	const char *cmd = "template list";
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;

	if (a->n != 0)
		return bad_usage(cmd, "template list");
	if (!office_result(kc, cmd, kc_template_list(kc, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_REPORT_TABLE, &code))
		return code;
	code = office_write_table(cmd, resp->report_table, report_render_table);
	kc_response_free(resp);
	return code;
}
