/* SPDX-License-Identifier: Apache-2.0 */
/*
 * import_csv.c: CSV text into checked member rows (see import_csv.h).
 *
 * The reader follows RFC 4180: fields separated by commas, a field in
 * double quotes may hold commas, line breaks and doubled quotes; a record
 * ends with CRLF or LF. A quote inside an unquoted field, text after a
 * closing quote, or a quote never closed is BAD_QUOTING for that record
 * (a quote never closed ends the file). Blank lines are skipped. The
 * values are checked as MemberRegister checks them (member.c): phone
 * (common/phone.h), name 1-100 bytes, card 4-32 letters, digits or dashes,
 * birthday YYYY-MM-DD, gender and channel by number or name, consent
 * yes/no, e-mail, address and notes lengths, tags (separated by ';'),
 * language zh_CN or en; and a phone or card number seen on an earlier row
 * of the file is DUPLICATE_IN_FILE.
 */
#include "import_csv.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phone.h"
#include "util.h"

static const char *const col_names[IC_NCOLS] = {
	"phone", "name", "card_no", "birthday", "gender", "email", "address",
	"preferred_channel", "marketing_consent", "tags", "notes", "language",
};

const char *import_col_name(ImportCol c)
{
	return (unsigned)c < IC_NCOLS ? col_names[c] : "";
}

/* ---- growing arrays ---- */

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 8;
	void *q;

	if (need <= *cap)
		return true;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * size);
	if (q == NULL)
		return false;
	*p = q;
	*cap = n;
	return true;
}

typedef struct Reader {
	const char *s, *end;
	unsigned line;
	ImportFile *f;
	size_t issues_cap;
} Reader;

static bool issue(ImportFile *f, size_t *cap, unsigned line, const char *col, const char *code)
{
	if (!grow((void **)&f->issues, cap, f->n_issues + 1, sizeof(ImportIssue)))
		return false;
	f->issues[f->n_issues++] = (ImportIssue){ line, col, code };
	return true;
}

/* ---- the reader ---- */

typedef enum RecEnd { REC_OK, REC_BAD, REC_UNCLOSED, REC_NOMEM } RecEnd;

static bool field_push(char ***fields, size_t *n, size_t *cap, const char *b, size_t len)
{
	char *v;

	if (!grow((void **)fields, cap, *n + 1, sizeof(char *)) || (v = malloc(len + 1)) == NULL)
		return false;
	memcpy(v, b, len);
	v[len] = '\0';
	(*fields)[(*n)++] = v;
	return true;
}

/* Skip to after the end of the current line. */
static void skip_line(Reader *r)
{
	while (r->s < r->end && *r->s != '\n')
		r->s++;
	if (r->s < r->end) {
		r->s++;
		r->line++;
	}
}

/* One field at r->s into buf (unquoting); REC_OK with the field's end at r->s. */
static RecEnd read_field(Reader *r, char *buf, size_t *len)
{
	*len = 0;
	if (r->s < r->end && *r->s == '"') {
		for (r->s++;; r->s++) {
			if (r->s >= r->end)
				return REC_UNCLOSED;
			if (*r->s == '"') {
				if (r->s + 1 < r->end && r->s[1] == '"') {
					buf[(*len)++] = '"';
					r->s++;
					continue;
				}
				r->s++;
				break;
			}
			if (*r->s == '\n')
				r->line++;
			buf[(*len)++] = *r->s;
		}
		if (r->s < r->end && *r->s == '\r' && r->s + 1 < r->end && r->s[1] == '\n')
			return REC_OK;
		return r->s >= r->end || *r->s == ',' || *r->s == '\n' ? REC_OK : REC_BAD;
	}
	for (; r->s < r->end && *r->s != ',' && *r->s != '\n'; r->s++) {
		if (*r->s == '"')
			return REC_BAD;
		if (*r->s == '\r' && r->s + 1 < r->end && r->s[1] == '\n')
			break;
		buf[(*len)++] = *r->s;
	}
	return REC_OK;
}

/* One record: its fields (owned, *n of them); r->s after its line break. */
static RecEnd read_record(Reader *r, char *buf, char ***fields, size_t *n)
{
	size_t cap = 0, len;
	RecEnd e;

	*fields = NULL;
	*n = 0;
	for (;;) {
		e = read_field(r, buf, &len);
		if (e != REC_OK)
			return e;
		if (!field_push(fields, n, &cap, buf, len))
			return REC_NOMEM;
		if (r->s < r->end && *r->s == ',') {
			r->s++;
			continue;
		}
		if (r->s < r->end && *r->s == '\r')
			r->s++;
		if (r->s < r->end && *r->s == '\n') {
			r->s++;
			r->line++;
		}
		return REC_OK;
	}
}

static void fields_free(char **fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(fields[i]);
	free(fields);
}

/* ---- the values ---- */

static bool has_control(const char *s, bool breaks_ok)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && !(breaks_ok && (*s == '\n' || *s == '\t'))) ||
		    *s == 0x7F)
			return true;
	return false;
}

static bool card_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return true;
	if (n < 4 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/* YYYY-MM-DD, a real day of the years 1900-2100 (the database refuses a future one). */
static bool date_ok(const char *s)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (s[0] == '\0')
		return true;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	return !(m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)));
}

/* A value by number or one of names (index = the number); -1 if neither. */
static int enum_of(const char *s, const char *const *names, int n)
{
	if (s[0] == '\0')
		return 0;
	if (s[0] >= '0' && s[0] < '0' + n && s[1] == '\0')
		return s[0] - '0';
	for (int i = 0; i < n; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	return -1;
}

static int consent_of(const char *s)
{
	static const char *const yes[] = { "true", "yes", "1", "y" };
	static const char *const no[] = { "", "false", "no", "0", "n" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	return -1;
}

/* Tags separated by ';': at most 20, each 1-32 bytes (blanks around ignored). */
static bool tags_ok(const char *s)
{
	int n = 0;

	while (*s) {
		const char *e = strchr(s, ';');
		size_t len = e ? (size_t)(e - s) : strlen(s);

		n++;
		if (len == 0 || len > 32 || n > 20)
			return false;
		s += len + (e != NULL);
	}
	return true;
}

/* The code of the first problem of column c's value v (normalised into row), or NULL. */
static const char *value_problem(ImportRow *row, ImportCol c, const char *v)
{
	static const char *const genders[] = { "unspecified", "female", "male", "other" };
	static const char *const channels[] = { "none", "sms", "email", "wechat" };
	static const char *const digits[] = { "0", "1", "2", "3" };
	size_t len = strlen(v);
	int k;

	switch (c) {
	case IC_PHONE:
		/* allocated first: row_check() takes a row without it for out of memory */
		if ((row->phone = calloc(1, PHONE_MAX)) == NULL)
			return "OUT_OF_MEMORY";
		if (len == 0)
			return "PHONE_REQUIRED";
		return phone_normalize(v, row->phone, PHONE_MAX) ? NULL : "BAD_PHONE";
	case IC_NAME:
		if (len == 0)
			return "NAME_REQUIRED";
		return len > 100 || has_control(v, false) || v[0] == ' ' || v[len - 1] == ' '
		       ? "BAD_NAME" : NULL;
	case IC_CARD_NO:
		return card_ok(v) ? NULL : "BAD_CARD";
	case IC_BIRTHDAY:
		return date_ok(v) ? NULL : "BAD_DATE";
	case IC_GENDER:
		if ((k = enum_of(v, genders, 4)) < 0)
			return "BAD_GENDER";
		row->val[IC_GENDER] = digits[k];
		return NULL;
	case IC_CHANNEL:
		if ((k = enum_of(v, channels, 4)) < 0)
			return "BAD_CHANNEL";
		row->val[IC_CHANNEL] = digits[k];
		return NULL;
	case IC_CONSENT:
		if ((k = consent_of(v)) < 0)
			return "BAD_CONSENT";
		row->val[IC_CONSENT] = k ? "true" : "false";
		return NULL;
	case IC_EMAIL:
		return len > 254 || has_control(v, false) || (len && !strchr(v, '@'))
		       ? "BAD_EMAIL" : NULL;
	case IC_ADDRESS:
		return len > 500 || has_control(v, false) ? "BAD_ADDRESS" : NULL;
	case IC_NOTES:
		return len > 2000 ? "BAD_NOTES" : NULL;
	case IC_TAGS:
		return tags_ok(v) && !has_control(v, false) ? NULL : "BAD_TAGS";
	case IC_LANGUAGE:
		return len == 0 || strcmp(v, "zh_CN") == 0 || strcmp(v, "en") == 0
		       ? NULL : "BAD_LANGUAGE";
	case IC_NCOLS:
		break;
	}
	return NULL;
}

/* ---- the header and the rows ---- */

static bool header_read(ImportFile *f, size_t *icap, char **names, size_t n)
{
	bool ok = true;

	f->header = names;
	f->n_header = n;
	for (int c = 0; c < IC_NCOLS; c++)
		f->col_of[c] = -1;
	for (size_t i = 0; i < n; i++) {
		int c;

		for (c = 0; c < IC_NCOLS && strcmp(names[i], col_names[c]) != 0; c++)
			;
		if (c == IC_NCOLS || f->col_of[c] >= 0) {
			ok = false;
			if (!issue(f, icap, 1, c == IC_NCOLS ? "" : col_names[c],
				   c == IC_NCOLS ? "UNKNOWN_COLUMN" : "DUPLICATE_COLUMN"))
				return false;
			continue;
		}
		f->col_of[c] = (int)i;
	}
	for (int c = IC_PHONE; c <= IC_NAME; c++)
		if (f->col_of[c] < 0) {
			ok = false;
			if (!issue(f, icap, 1, col_names[c], "MISSING_COLUMN"))
				return false;
		}
	f->header_bad = !ok;
	return true;
}

static bool row_check(ImportFile *f, size_t *icap, ImportRow *row)
{
	static const char empty[] = "";

	if (row->n_raw != f->n_header) {
		row->problems++;
		return issue(f, icap, row->line, "", "FIELD_COUNT");
	}
	for (int c = 0; c < IC_NCOLS; c++) {
		const char *v = f->col_of[c] >= 0 ? row->raw[f->col_of[c]] : empty;
		const char *code;

		if (c != IC_GENDER && c != IC_CHANNEL && c != IC_CONSENT)
			row->val[c] = v;
		if ((code = value_problem(row, (ImportCol)c, v)) != NULL) {
			row->problems++;
			if (!issue(f, icap, row->line, col_names[c], code))
				return false;
		}
	}
	if (row->phone == NULL)
		return false;
	row->val[IC_PHONE] = row->phone;
	return true;
}

typedef struct DupKey {
	const char *key;
	size_t row;
} DupKey;

static int dup_cmp(const void *a, const void *b)
{
	const DupKey *x = a, *y = b;
	int d = strcmp(x->key, y->key);

	return d ? d : (x->row > y->row) - (x->row < y->row);
}

/* A phone or card number an earlier good-so-far row of the file has. */
static bool dups_mark(ImportFile *f, size_t *icap, ImportCol c)
{
	DupKey *k = malloc((f->n_rows + 1) * sizeof(*k));
	size_t n = 0;
	bool ok = true;

	if (k == NULL)
		return false;
	for (size_t i = 0; i < f->n_rows; i++)
		if (f->rows[i].val[c] != NULL && f->rows[i].val[c][0] != '\0')
			k[n++] = (DupKey){ f->rows[i].val[c], i };
	qsort(k, n, sizeof(*k), dup_cmp);
	for (size_t i = 1; ok && i < n; i++)
		if (strcmp(k[i].key, k[i - 1].key) == 0) {
			f->rows[k[i].row].problems++;
			ok = issue(f, icap, f->rows[k[i].row].line, col_names[c], "DUPLICATE_IN_FILE");
		}
	free(k);
	return ok;
}

static int issue_cmp(const void *a, const void *b)
{
	const ImportIssue *x = a, *y = b;

	return (x->line > y->line) - (x->line < y->line);
}

/* Read every record after the header into f->rows. */
static bool rows_read(Reader *r, size_t *icap, char *buf)
{
	ImportFile *f = r->f;
	size_t rcap = 0;

	while (r->s < r->end) {
		ImportRow row;
		RecEnd e;

		memset(&row, 0, sizeof(row));
		row.line = r->line;
		if (*r->s == '\n' || (*r->s == '\r' && r->s + 1 < r->end && r->s[1] == '\n')) {
			skip_line(r);		/* a blank line */
			continue;
		}
		e = read_record(r, buf, &row.raw, &row.n_raw);
		if (e == REC_NOMEM)
			return false;
		if (e != REC_OK) {
			row.problems++;
			if (!issue(f, icap, row.line, "", "BAD_QUOTING"))
				return false;
			if (e == REC_BAD)
				skip_line(r);
			else
				r->s = r->end;
		}
		if (!grow((void **)&f->rows, &rcap, f->n_rows + 1, sizeof(ImportRow))) {
			fields_free(row.raw, row.n_raw);
			return false;
		}
		f->rows[f->n_rows++] = row;	/* checked in place: val[] points into it */
		if (e == REC_OK && !row_check(f, icap, &f->rows[f->n_rows - 1]))
			return false;
	}
	return true;
}

bool import_parse(const char *csv, size_t len, ImportFile *f)
{
	Reader r = { csv, csv + len, 1, f, 0 };
	char **names;
	size_t n, icap = 0;
	char *buf = malloc(len + 1);
	bool ok = false;
	RecEnd e;

	memset(f, 0, sizeof(*f));
	if (buf == NULL)
		return false;
	if (len >= 3 && memcmp(csv, "\xEF\xBB\xBF", 3) == 0)
		r.s += 3;
	e = read_record(&r, buf, &names, &n);
	if (e == REC_NOMEM)
		goto out;
	if (e != REC_OK || (n == 1 && names[0][0] == '\0')) {
		fields_free(names, n);
		f->header_bad = true;
		ok = issue(f, &icap, 1, "", e != REC_OK ? "BAD_QUOTING" : "MISSING_COLUMN");
		goto out;
	}
	if (!header_read(f, &icap, names, n))
		goto out;
	if (f->header_bad) {
		ok = true;
		goto out;
	}
	ok = rows_read(&r, &icap, buf) && dups_mark(f, &icap, IC_PHONE) &&
	     dups_mark(f, &icap, IC_CARD_NO);
	if (ok && f->n_issues > 1)	/* issues is NULL when there are none */
		qsort(f->issues, f->n_issues, sizeof(*f->issues), issue_cmp);
out:
	free(buf);
	return ok;
}

void import_free(ImportFile *f)
{
	for (size_t i = 0; i < f->n_rows; i++) {
		fields_free(f->rows[i].raw, f->rows[i].n_raw);
		free(f->rows[i].phone);
	}
	fields_free(f->header, f->n_header);
	free(f->rows);
	free(f->issues);
	memset(f, 0, sizeof(*f));
}

size_t import_good_rows(const ImportFile *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n_rows; i++)
		n += f->rows[i].problems == 0;
	return n;
}

static bool put(char **out, size_t *used, size_t *cap, const char *s, size_t n)
{
	if (!grow((void **)out, cap, *used + n + 1, 1))
		return false;
	memcpy(*out + *used, s, n);
	*used += n;
	(*out)[*used] = '\0';
	return true;
}

static bool put_field(char **out, size_t *used, size_t *cap, const char *v)
{
	if (strpbrk(v, ",\"\r\n") == NULL)
		return put(out, used, cap, v, strlen(v));
	if (!put(out, used, cap, "\"", 1))
		return false;
	for (const char *p = v; *p; p++)
		if (!put(out, used, cap, p, 1) || (*p == '"' && !put(out, used, cap, "\"", 1)))
			return false;
	return put(out, used, cap, "\"", 1);
}

bool import_csv_record(char **out, size_t *used, size_t *cap, char *const *fields, size_t n,
		       const char *extra)
{
	for (size_t i = 0; i < n; i++)
		if ((i > 0 && !put(out, used, cap, ",", 1)) || !put_field(out, used, cap, fields[i]))
			return false;
	if (extra && ((n > 0 && !put(out, used, cap, ",", 1)) || !put_field(out, used, cap, extra)))
		return false;
	return put(out, used, cap, "\r\n", 2);
}
