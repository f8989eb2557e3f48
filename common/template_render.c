/* SPDX-License-Identifier: Apache-2.0 */
/*
 * template_render.c: a message template made into the text a member reads
 * (see template_render.h). One pass over the template: text is copied,
 * "{{" and "}}" become one brace, "{name}" (letters, digits, '_') becomes
 * its variable's value; anything else with a brace is BAD_BRACE. The
 * template and every value used must be UTF-8, so the result is too (it
 * goes into JSON and to an SMS gateway). Pure: no I/O, no clock.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "template_render.h"
#include "util.h"

/* The result being built: at most max bytes (plus the NUL). */
typedef struct RenderBuf {
	char *s;		/* owned */
	size_t len, cap, max;
} RenderBuf;

/* Append n bytes; false when the result would pass max. */
static bool buf_add(RenderBuf *b, const char *p, size_t n)
{
	if (n > b->max - b->len)
		return false;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap * 2;

		if (cap < b->len + n + 1)
			cap = b->len + n + 1;
		b->s = xrealloc(b->s, cap);
		b->cap = cap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
	return true;
}

static bool is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_';
}

/* The value of the placeholder name[0..n), or NULL. */
static const char *var_find(const TemplateVar *vars, size_t n_vars, const char *name, size_t n)
{
	for (size_t i = 0; i < n_vars; i++)
		if (vars[i].name != NULL && strlen(vars[i].name) == n &&
		    memcmp(vars[i].name, name, n) == 0)
			return vars[i].value != NULL ? vars[i].value : "";
	return NULL;
}

/* The first byte of s[0..len) that is not part of valid UTF-8 (len if all is). */
static size_t utf8_bad_at(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char lead = (unsigned char)s[i];
		size_t n = lead < 0x80 ? 1 : lead >= 0xC2 && lead <= 0xDF ? 2 :
			   lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;

		/* one character at a time: utf8_is_valid() knows overlongs and surrogates */
		if (n == 0 || n > len - i || !utf8_is_valid(s + i, n))
			return i;
		i += n;
	}
	return len;
}

char *template_render_at(const char *tmpl, const TemplateVar *vars, size_t n_vars,
			 size_t max_len, const char **err, size_t *err_at)
{
	RenderBuf b = { NULL, 0, 0, max_len };
	size_t len = strlen(tmpl), i = 0, at;

	*err_at = 0;
	if ((at = utf8_bad_at(tmpl, len)) < len) {
		*err = "BAD_UTF8";
		*err_at = at;
		return NULL;
	}
	b.cap = 64;
	b.s = xmalloc(b.cap);
	b.s[0] = '\0';
	while (i < len) {
		size_t run = strcspn(tmpl + i, "{}");
		const char *value;
		size_t n;

		if (!buf_add(&b, tmpl + i, run)) {
			*err = "TOO_LONG";
			*err_at = i;
			goto fail;
		}
		i += run;
		if (i >= len)
			break;
		at = i;
		if (tmpl[i + 1] == tmpl[i]) {		/* "{{" or "}}": one literal brace */
			if (!buf_add(&b, tmpl + i, 1)) {
				*err = "TOO_LONG";
				*err_at = at;
				goto fail;
			}
			i += 2;
			continue;
		}
		if (tmpl[i] == '}') {
			*err = "BAD_BRACE";
			*err_at = at;
			goto fail;
		}
		for (n = 0; is_name_char(tmpl[i + 1 + n]); n++)
			;
		if (n == 0 || tmpl[i + 1 + n] != '}') {
			*err = "BAD_BRACE";
			*err_at = at;
			goto fail;
		}
		value = var_find(vars, n_vars, tmpl + i + 1, n);
		if (value == NULL) {
			*err = "UNKNOWN_PLACEHOLDER";
			*err_at = at;
			goto fail;
		}
		if (!utf8_is_valid(value, strlen(value))) {
			*err = "BAD_UTF8";
			*err_at = at;
			goto fail;
		}
		if (!buf_add(&b, value, strlen(value))) {
			*err = "TOO_LONG";
			*err_at = at;
			goto fail;
		}
		i += n + 2;
	}
	*err = NULL;
	return b.s;
fail:
	free(b.s);
	return NULL;
}

char *template_render(const char *tmpl, const TemplateVar *vars, size_t n_vars, size_t max_len,
		      const char **err)
{
	size_t at;

	return template_render_at(tmpl, vars, n_vars, max_len, err, &at);
}
