/* SPDX-License-Identifier: Apache-2.0 */
/*
 * template_render.h: a message template made into the text a member reads.
 * Pure: no I/O, no clock. A template is text with {placeholder} names
 * (letters, digits and '_'); "{{" and "}}" stand for literal braces.
 */
#ifndef KASSA_TEMPLATE_RENDER_H
#define KASSA_TEMPLATE_RENDER_H

#include <stddef.h>

typedef struct TemplateVar {
	const char *name;	/* without the braces */
	const char *value;	/* UTF-8 */
} TemplateVar;

/*
 * tmpl with every placeholder replaced by its variable's value, in a
 * malloc'd string of at most max_len bytes; NULL with *err set to a static
 * machine word ("UNKNOWN_PLACEHOLDER", "BAD_BRACE", "TOO_LONG", "BAD_UTF8")
 * when a placeholder has no variable, a brace is unbalanced, the result
 * would be longer than max_len or tmpl is not UTF-8.
 */
char *template_render(const char *tmpl, const TemplateVar *vars, size_t n_vars, size_t max_len,
		      const char **err);

/*
 * template_render(), and on failure *err_at the byte offset in tmpl where
 * the fault starts (the '{' of an unknown placeholder or of a broken
 * brace, the first byte that is not UTF-8; for TOO_LONG the placeholder
 * or text that overflowed), so that a refusal can name it. A value that
 * is not UTF-8 is BAD_UTF8 too (at the placeholder's '{').
 */
char *template_render_at(const char *tmpl, const TemplateVar *vars, size_t n_vars,
			 size_t max_len, const char **err, size_t *err_at);

#endif
