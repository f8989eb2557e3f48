/* SPDX-License-Identifier: Apache-2.0 */
/*
 * template_render.c: see template_render.h.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "template_render.h"

char *template_render(const char *tmpl, const TemplateVar *vars, size_t n_vars, size_t max_len,
		      const char **err)
{
	(void)tmpl;
	(void)vars;
	(void)n_vars;
	(void)max_len;
	*err = "NOT_YET";
	return NULL;
}
