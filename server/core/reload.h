/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reload.h: one reload of kassad's run-time state, for SIGHUP and for the
 * operator console's RELOAD. It re-reads the configuration file (with the
 * environment and the command line's --set on top, as at start), the TLS
 * key, certificate, CA and CRL, and applies all of it or none of it: a bad
 * file keeps the old state and says why. Settings that cannot change while
 * running are reported, not applied.
 */
#ifndef KASSA_RELOAD_H
#define KASSA_RELOAD_H

#include <stdbool.h>

#define RELOAD_MAX_KEYS 64
#define RELOAD_KEY_LEN 64

typedef struct ReloadResult {
	bool ok;				/* false: nothing changed */
	char message[512];			/* for people, in the caller's language */
	int n_changed;
	char changed[RELOAD_MAX_KEYS][RELOAD_KEY_LEN];	/* "section.key" applied now */
	int n_restart;
	char restart_needed[RELOAD_MAX_KEYS][RELOAD_KEY_LEN]; /* changed, needs a restart */
} ReloadResult;

/*
 * Reload now, on the event loop (no blocking beyond reading a few small
 * files). staff_id is who asked (0 for SIGHUP): the reload is audited.
 */
bool reload_run(long long staff_id, ReloadResult *out);

/* Register the audit statement; before db_setup(). */
void reload_setup(void);

/* Something more to redo after a successful reload (the dashboard's TLS context). */
void reload_add_hook(void (*fn)(void));

#endif
