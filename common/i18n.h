/* SPDX-License-Identifier: Apache-2.0 */
/*
 * i18n: every text a person reads goes through gettext, text domain
 * "kassa" (catalogues in po/, built into <build>/locale). _() translates
 * now, N_() marks a string in a table for translation later (xgettext
 * keywords _ and N_). FIRST CUT: i18n.c with the catalogue lookup and the
 * language choice (--lang, locale) comes with the gettext work.
 */
#ifndef KASSA_I18N_H
#define KASSA_I18N_H

#include <libintl.h>

#define KASSA_TEXT_DOMAIN "kassa"

#define _(s) dgettext(KASSA_TEXT_DOMAIN, s)
#define N_(s) (s)

#endif
