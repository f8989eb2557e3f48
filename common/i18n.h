/* SPDX-License-Identifier: Apache-2.0 */
/*
 * i18n: every text a person reads goes through gettext, text domain
 * "kassa" (catalogues in po/, built into <build>/locale/<lang>/LC_MESSAGES/
 * kassa.mo). _() translates now, N_() marks a string in a table for
 * translation at use (xgettext keywords _ and N_). Machine codes, JSON keys
 * and kassad's own log lines are never translated.
 *
 * Two users. A client program calls i18n_init() once at start, before any
 * thread: it binds the domain, takes the locale from the environment and
 * lets --lang override the language of the messages (also under LANG=C),
 * keeping LC_CTYPE UTF-8 so that wide characters work. kassad calls
 * i18n_server_setup() once before its threads start and then, per session,
 * i18n_locale() for the language its Hello asked: a locale_t made once and
 * shared, which the thread handling a request installs with uselocale(), so
 * that _() answers in the session's language.
 *
 * The catalogue directory: $KASSA_LOCALEDIR, else the build tree's locale
 * folder when it exists (KASSA_BUILD_LOCALEDIR, set by CMake), else the
 * install prefix's share/locale (KASSA_INSTALL_LOCALEDIR).
 */
#ifndef KASSA_I18N_H
#define KASSA_I18N_H

#include <libintl.h>
#include <locale.h>
#include <stdbool.h>

#include "util.h"

#define KASSA_TEXT_DOMAIN "kassa"

#define _(s) dgettext(KASSA_TEXT_DOMAIN, s)
#define N_(s) (s)

/* The languages Kassa has catalogues for. */
typedef enum I18nLang {
	I18N_EN = 0,		/* English: the msgids themselves */
	I18N_ZH_CN = 1,		/* Simplified Chinese (zh_CN.po) */
	I18N_UNKNOWN = 2,	/* anything else (i18n_lang_parse only) */
} I18nLang;

/*
 * The language a name means: "zh_CN", "zh_CN.UTF-8", "zh_CN.utf8", "zh",
 * "zh-CN" are I18N_ZH_CN; "en", "en_US", "en_GB.UTF-8", "C", "POSIX" are
 * I18N_EN; NULL, "" and anything else I18N_UNKNOWN.
 */
I18nLang i18n_lang_parse(const char *name);

/* The short code of lang for the wire (Hello.language): "zh_CN" or "en". */
const char *i18n_lang_code(I18nLang lang);

/* The catalogue directory as described above (static storage). */
const char *i18n_localedir(void);

/*
 * Client programs, once at start before threads: bind the domain (UTF-8
 * output), setlocale(LC_ALL, "") (C.UTF-8 when the environment's locale is
 * not installed), make LC_CTYPE UTF-8 if it is not, and when lang is not
 * NULL make the messages that language whatever the environment says
 * (LC_MESSAGES of that language, else C.UTF-8, plus LANGUAGE). False for a
 * lang i18n_lang_parse() does not know (nothing is changed then).
 */
MUSTCHECK bool i18n_init(const char *lang);

/* The language messages come out in after i18n_init(). */
I18nLang i18n_current(void);

/*
 * kassad, once before any thread starts: bind the domain (UTF-8 output) and
 * clear LANGUAGE, which would otherwise override every session's language.
 */
void i18n_server_setup(void);

/*
 * The shared locale for lang: (locale_t)0 for English, and for Chinese when
 * zh_CN.UTF-8 is not installed (logged once as a warning). Made once, never
 * freed; safe from any thread after i18n_server_setup().
 */
locale_t i18n_locale(I18nLang lang);

#endif
