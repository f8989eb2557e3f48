/* SPDX-License-Identifier: Apache-2.0 */
/*
 * i18n.c: the language choice and the catalogue binding of i18n.h. Clients
 * call i18n_init() (environment locale, --lang override); kassad calls
 * i18n_server_setup() and asks i18n_locale() for each session's shared
 * locale_t.
 *
 * Why LANGUAGE and LC_MESSAGES both: glibc's gettext takes the language
 * from LANGUAGE first, but ignores LANGUAGE when the messages locale is
 * "C". So --lang sets LC_MESSAGES to a locale of that language when one is
 * installed, else to C.UTF-8 (which is not "C"), and LANGUAGE to the
 * language: --lang zh_CN then works even under LANG=C.
 */
#include <langinfo.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "i18n.h"
#include "log.h"

#ifndef KASSA_INSTALL_LOCALEDIR
#define KASSA_INSTALL_LOCALEDIR "/usr/local/share/locale"
#endif

static I18nLang cur_lang = I18N_EN;	/* what i18n_init() settled on */

I18nLang i18n_lang_parse(const char *name)
{
	size_t n;

	if (name == NULL || name[0] == '\0')
		return I18N_UNKNOWN;
	n = strcspn(name, "_-.@");
	if (n == 2 && strncasecmp(name, "zh", 2) == 0) {
		/* zh, zh_CN, zh-CN, zh_CN.UTF-8; zh_TW/zh_HK are not Simplified */
		if (name[2] == '\0' || name[2] == '.' || name[2] == '@' ||
		    strncasecmp(name + 3, "CN", 2) == 0 || strncasecmp(name + 3, "SG", 2) == 0)
			return I18N_ZH_CN;
		return I18N_UNKNOWN;
	}
	if (n == 2 && strncasecmp(name, "en", 2) == 0)
		return I18N_EN;
	if (strcmp(name, "C") == 0 || strcmp(name, "POSIX") == 0 ||
	    strncasecmp(name, "C.", 2) == 0)
		return I18N_EN;
	return I18N_UNKNOWN;
}

const char *i18n_lang_code(I18nLang lang)
{
	return lang == I18N_ZH_CN ? "zh_CN" : "en";
}

static bool is_dir(const char *path)
{
	struct stat st;

	return path != NULL && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *i18n_localedir(void)
{
	const char *env = getenv("KASSA_LOCALEDIR");

	if (env != NULL && env[0] != '\0')
		return env;
#ifdef KASSA_BUILD_LOCALEDIR
	if (is_dir(KASSA_BUILD_LOCALEDIR))
		return KASSA_BUILD_LOCALEDIR;
#endif
	return KASSA_INSTALL_LOCALEDIR;
}

static void bind_domain(void)
{
	bindtextdomain(KASSA_TEXT_DOMAIN, i18n_localedir());
	/* the catalogues are UTF-8 and so is everything we print or send */
	bind_textdomain_codeset(KASSA_TEXT_DOMAIN, "UTF-8");
}

static bool codeset_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

/* Set category to the first of the names that is installed; false if none is. */
static bool set_first(int category, const char *const *names)
{
	for (; *names != NULL; names++)
		if (setlocale(category, *names) != NULL)
			return true;
	return false;
}

/* The language gettext would use now (LANGUAGE unless the locale is C). */
static I18nLang lang_from_environment(void)
{
	const char *msgs = setlocale(LC_MESSAGES, NULL);
	const char *language = getenv("LANGUAGE");
	I18nLang l;

	if (msgs == NULL || strcmp(msgs, "C") == 0 || strcmp(msgs, "POSIX") == 0)
		return I18N_EN;
	if (language != NULL && language[0] != '\0') {
		char first[64];
		size_t n = strcspn(language, ":");

		if (n >= sizeof(first))
			n = sizeof(first) - 1;
		memcpy(first, language, n);
		first[n] = '\0';
		l = i18n_lang_parse(first);
		if (l != I18N_UNKNOWN)
			return l;
	}
	l = i18n_lang_parse(msgs);
	return l == I18N_UNKNOWN ? I18N_EN : l;
}

bool i18n_init(const char *lang)
{
	static const char *const utf8_any[] = { "C.UTF-8", "C.utf8", "en_US.UTF-8",
						 "zh_CN.UTF-8", NULL };
	static const char *const zh_names[] = { "zh_CN.UTF-8", "zh_CN.utf8", "C.UTF-8", NULL };
	static const char *const en_names[] = { "en_US.UTF-8", "en_US.utf8", "C.UTF-8", NULL };
	I18nLang want = I18N_UNKNOWN;

	if (lang != NULL) {
		want = i18n_lang_parse(lang);
		if (want == I18N_UNKNOWN)
			return false;
	}
	bind_domain();
	textdomain(KASSA_TEXT_DOMAIN);
	if (setlocale(LC_ALL, "") == NULL)
		(void)set_first(LC_ALL, utf8_any);
	/* wide characters (Chinese names, the screen) need a UTF-8 LC_CTYPE */
	if (!codeset_is_utf8())
		(void)set_first(LC_CTYPE, utf8_any);
	if (want == I18N_UNKNOWN) {
		cur_lang = lang_from_environment();
		return true;
	}
	(void)set_first(LC_MESSAGES, want == I18N_ZH_CN ? zh_names : en_names);
	setenv("LANGUAGE", i18n_lang_code(want), 1);
	cur_lang = want;
	return true;
}

I18nLang i18n_current(void)
{
	return cur_lang;
}

void i18n_server_setup(void)
{
	bind_domain();
	/* LANGUAGE would win over every session's locale (see the top) */
	unsetenv("LANGUAGE");
}

static locale_t zh_locale;		/* (locale_t)0 = not installed */
static pthread_once_t zh_once = PTHREAD_ONCE_INIT;

static void zh_locale_make(void)
{
	zh_locale = newlocale(LC_ALL_MASK, "zh_CN.UTF-8", (locale_t)0);
	if (zh_locale == (locale_t)0)
		zh_locale = newlocale(LC_ALL_MASK, "zh_CN.utf8", (locale_t)0);
	if (zh_locale == (locale_t)0)
		log_warn("locale zh_CN.UTF-8 is not installed: Chinese sessions get English "
			 "messages (scripts/deps.sh generates it)");
}

locale_t i18n_locale(I18nLang lang)
{
	if (lang != I18N_ZH_CN)
		return (locale_t)0;
	pthread_once(&zh_once, zh_locale_make);
	return zh_locale;
}
