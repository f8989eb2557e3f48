/* SPDX-License-Identifier: Apache-2.0 */
/*
 * login: the login screen (staff id, then the PIN, which is never echoed:
 * it shows as '*') and the lock screen (the cashier steps away; the open
 * sale stays as it is, and only the same staff member's PIN unlocks).
 * Both check the PIN through till_login(), online against kassad and
 * offline against the verifier the session keeps (till.h). F12 (^X) on
 * the login screen quits kassa-till.
 */
#include <stdio.h>
#include <string.h>

#include "scr.h"

static const ScrHelp login_help[] = {
	{ 0, 0, N_("Enter next") },
	{ 0, 0, N_("Esc clear") },
	{ 12, SK_CTRL('x'), N_("Quit") },
};

static const ScrHelp lock_help[] = {
	{ 0, 0, N_("Type your PIN, then Enter to unlock") },
};

/* The login screen's body: where we are and what to do. */
static void login_body(Screen *sc, void *ctx, int top, int bottom)
{
	TillSession *ts = sc->ts;
	const char *who = ctx;
	char line[256];

	(void)bottom;
	snprintf(line, sizeof(line), "%s: %s %s", _("Store"), ts->store_code, ts->store_name);
	scr_put(top + 2, 4, line, COLS - 8);
	snprintf(line, sizeof(line), "%s: %s", _("Till"), ts->till_code);
	scr_put(top + 3, 4, line, COLS - 8);
	if (who != NULL)
		scr_put(top + 5, 4, who, COLS - 8);
	else
		scr_put(top + 5, 4, _("Type your staff id and PIN to start."), COLS - 8);
	if (!ts->online)
		scr_put(top + 7, 4, _("The server is unreachable: selling offline (cash and card only)."),
			COLS - 8);
}

/* Check pin for staff_id; a message on failure. */
static bool try_login(Screen *sc, int64_t staff_id, const char *pin)
{
	const char *detail = NULL;

	if (till_login(sc->ts, staff_id, pin, &detail)) {
		scr_msg(sc, false, _("Welcome, %s"), sc->ts->staff_name);
		return true;
	}
	scr_msg(sc, true, "%s", scr_detail_message(detail, _("Login failed")));
	return false;
}

bool login_run(Screen *sc)
{
	char id[32], pin[64];

	scr_enter(sc, _("Log in"), login_help, ARRAY_SIZE(login_help));
	for (;;) {
		ScrField f;
		int64_t staff_id;
		int k;

		/* staff id: F12 quits from here */
		memset(&f, 0, sizeof(f));
		f.numeric = true;
		sc->prompt = _("Staff id:");
		sc->field = &f;
		for (;;) {
			scr_draw(sc, login_body, NULL);
			k = scr_getkey(sc);
			if (k == SK_F(12)) {
				sc->quit = true;
				sc->field = NULL;
				return false;
			}
			if (k == SK_ENTER && f.len > 0)
				break;
			if (k == SK_ESC)
				scr_field_clear(&f);
			else
				(void)scr_edit(&f, k);
		}
		sc->field = NULL;
		if (!safe_strcpy(id, sizeof(id), f.buf) || !scr_parse_int(id, 1, INT64_MAX, &staff_id)) {
			scr_msg(sc, true, _("Not a staff id: %s"), f.buf);
			continue;
		}
		if (!scr_prompt(sc, login_body, NULL, _("PIN:"), NULL, SCR_SECRET, pin, sizeof(pin)))
			continue;
		if (try_login(sc, staff_id, pin)) {
			explicit_bzero(pin, sizeof(pin));
			return true;
		}
		explicit_bzero(pin, sizeof(pin));
	}
}

void lock_run(Screen *sc)
{
	const char *saved_title = sc->title;
	const ScrHelp *saved_help = sc->help;
	size_t saved_n = sc->nhelp;
	char who[256], pin[64];

	snprintf(who, sizeof(who), _("Locked by %s (%lld). The sale is kept."), sc->ts->staff_name,
		 (long long)sc->ts->staff_id);
	scr_enter(sc, _("Locked"), lock_help, ARRAY_SIZE(lock_help));
	sc->msg[0] = '\0';
	for (;;) {
		if (!scr_prompt(sc, login_body, who, _("PIN:"), NULL, SCR_SECRET, pin, sizeof(pin)))
			continue;
		if (try_login(sc, sc->ts->staff_id, pin))
			break;
	}
	explicit_bzero(pin, sizeof(pin));
	scr_enter(sc, saved_title, saved_help, saved_n);
}
