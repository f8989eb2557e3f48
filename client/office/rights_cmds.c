/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rights_cmds.c: kassa-office's member data rights commands, for an
 * administrator:
 *
 *   member export-data ID [--output FILE]
 *	everything kassad stores about the member, one JSON document (the
 *	server bounds each list and says how many rows it has in all: the
 *	"<list>_total" keys). To stdout, or written to FILE (mode 0600: it is
 *	personal data) through FILE.partial, with a summary on stdout.
 *   member erase ID --reason TEXT [--yes]
 *	anonymise the member; their sales and ledgers stay under the id.
 *	Cannot be undone: without --yes the command asks for the id again
 *	on a terminal and refuses otherwise.
 *
 * --reason and --yes are options of main.c's table (office_rights).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "kc_json.h"
#include "kc_rights.h"
#include "office.h"

OfficeRights office_rights;

/* Write the n bytes of s to path through path.partial, readable by its owner only. */
static bool write_private(const char *path, const char *s, size_t n)
{
	char partial[4096];
	struct stat st;
	int fd;
	bool ok = true;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* a device or a pipe: written straight, never renamed onto */
		fd = open(path, O_WRONLY);
		partial[0] = '\0';
	} else {
		if ((size_t)snprintf(partial, sizeof(partial), "%s.partial", path) >= sizeof(partial)) {
			errno = ENAMETOOLONG;
			return false;
		}
		fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	}
	if (fd < 0)
		return false;
	while (ok && n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		if (ok) {
			s += w;
			n -= (size_t)w;
		}
	}
	ok = close(fd) == 0 && ok;
	if (partial[0] == '\0')
		return ok;
	if (!ok) {
		(void)unlink(partial);
		return false;
	}
	return rename(partial, path) == 0;
}

int cmd_member_export_data(KassaClient *kc, const Args *a)
{
	const char *cmd = "member export-data";
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	int64_t member_id;
	const char *doc;
	json_t *o;

	if (a->n != 1 || !arg_id(a, 0, &member_id))
		return bad_usage(cmd, "member export-data ID [--output FILE]");
	if (!office_result(kc, cmd, kc_member_data_export(kc, member_id, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_MEMBER_DATA, &code))
		return code;
	doc = resp->member_data->json;
	if (office_out.output == NULL) {
		fputs(doc, stdout);
		fputc('\n', stdout);
		kc_response_free(resp);
		return fflush(stdout) == 0 ? OFFICE_EXIT_OK : OFFICE_EXIT_FAILED;
	}
	if (!write_private(office_out.output, doc, strlen(doc))) {
		fprintf(stderr, "kassa-office: %s: %s: %s\n", cmd, office_out.output,
			strerror(errno));
		kc_response_free(resp);
		return OFFICE_EXIT_FAILED;
	}
	o = json_pack("{s:b, s:s, s:I, s:s, s:I}", "ok", 1, "cmd", cmd, "member_id",
		      (json_int_t)member_id, "output", office_out.output, "bytes",
		      (json_int_t)strlen(doc));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

/* On a terminal, ask for the member id again; false unless it is typed. */
static bool erase_confirmed(int64_t member_id)
{
	char line[64], want[24];

	if (office_rights.yes)
		return true;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "kassa-office: member erase: %s\n",
			_("erasing a member cannot be undone; add --yes to confirm"));
		return false;
	}
	fprintf(stderr, _("Erase member %lld? This cannot be undone. Type the member id to "
			  "confirm: "), (long long)member_id);
	snprintf(want, sizeof(want), "%lld", (long long)member_id);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	if (strcmp(line, want) != 0) {
		fprintf(stderr, "kassa-office: member erase: %s\n", _("not confirmed: nothing erased"));
		return false;
	}
	return true;
}

int cmd_member_erase(KassaClient *kc, const Args *a)
{
	const char *cmd = "member erase";
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	int64_t member_id;
	char key[KC_KEY_LEN];
	json_t *o;

	if (a->n != 1 || !arg_id(a, 0, &member_id) || office_rights.reason == NULL)
		return bad_usage(cmd, "member erase ID --reason TEXT [--yes]");
	if (!erase_confirmed(member_id))
		return OFFICE_EXIT_USAGE;
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_member_erase(kc, member_id, office_rights.reason, key, &resp),
			   &resp, KASSA__V1__RESPONSE__BODY_MEMBER_ERASED, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "member_id", json_integer(resp->member_erased->member_id));
	json_object_set_new(o, "erased_at", json_string(resp->member_erased->erased_at));
	json_object_set_new(o, "rows_scrubbed", json_integer(resp->member_erased->rows_scrubbed));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}
