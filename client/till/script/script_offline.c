/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_offline: "sync" and "status", the script mode's view of the
 * offline journal and the catalogue cache (session.c, offline/).
 *
 *   sync    till_sync(): {"ok":true,"cmd":"sync","replayed":N,
 *           "rejected":N,"pending":0,"products":N,"rate_version":N,
 *           "feedback":N} (feedback: journaled ratings sent); when
 *           the server cannot be reached or records still wait,
 *           UNAVAILABLE (OFFLINE or SYNC_INCOMPLETE) with the same counts:
 *           nothing is lost, sync again later.
 *   status  {"ok":true,"cmd":"status","online":bool,"store_code":...,
 *           "till_code":...,"staff_id":N,"locked":bool,"journal_pending":N,
 *           "journal_rejected":N,"catalog_seq":N,"catalog_products":N,
 *           "rate_version":N,"suspended":N,"sale_open":bool,
 *           "journal_damaged":N}, with "journal_notice":TEXT (for people, in
 *           the chosen language) when the till set damaged journal records
 *           aside at start, and "auto_sync":{counts as sync} when the
 *           session synchronised by itself (it came back online) since the
 *           last status.
 */
#include "script_offline.h"

#include "cache.h"
#include "i18n.h"
#include "kc_json.h"

/* The counts of a sync report into o. */
static void report_json(json_t *o, const TillSyncReport *rep)
{
	json_object_set_new(o, "replayed", json_integer(rep->replayed));
	json_object_set_new(o, "rejected", json_integer(rep->rejected));
	json_object_set_new(o, "pending", json_integer(rep->pending));
	json_object_set_new(o, "products", json_integer(rep->products));
	json_object_set_new(o, "rate_version", json_integer(rep->rate_version));
	json_object_set_new(o, "feedback", json_integer(rep->feedback));
}

void cmd_sync(Till *t, const Cmd *c)
{
	TillSyncReport rep;
	bool ok;
	json_t *o;

	if (arg_count(c) != 0) {
		script_usage(t, c, "sync");
		return;
	}
	ok = till_sync(t->ts, &rep);
	if (ok && rep.pending == 0) {
		o = kcj_ok(c->name);
	} else {
		t->failed = true;
		o = kcj_fail(c->name, "UNAVAILABLE", till_online(t->ts) ? "SYNC_INCOMPLETE" : "OFFLINE",
			     _("not everything could be synchronised: the sales wait in the "
			       "journal, sync again later"));
	}
	report_json(o, &rep);
	kcj_emit(o);
}

void cmd_status(Till *t, const Cmd *c)
{
	const TillCache *cache = t->ts->cache;
	SaleSuspended list[SALE_MAX_SUSPENDED];
	TillSyncReport rep;
	const char *notice;
	int damaged;
	json_t *o;

	if (arg_count(c) != 0) {
		script_usage(t, c, "status");
		return;
	}
	o = kcj_ok(c->name);
	json_object_set_new(o, "online", json_boolean(till_online(t->ts)));
	json_object_set_new(o, "store_code", json_string(t->ts->store_code));
	json_object_set_new(o, "till_code", json_string(t->ts->till_code));
	json_object_set_new(o, "staff_id", json_integer(t->ts->staff_id));
	json_object_set_new(o, "locked", json_boolean(t->locked));
	json_object_set_new(o, "journal_pending", json_integer((json_int_t)till_pending(t->ts)));
	json_object_set_new(o, "journal_rejected", json_integer((json_int_t)till_rejected(t->ts)));
	json_object_set_new(o, "catalog_seq", json_integer(cache != NULL ? cache->last_seq : 0));
	json_object_set_new(o, "catalog_products",
			    json_integer(cache != NULL ? (json_int_t)cache->n : 0));
	json_object_set_new(o, "rate_version", json_integer(cache != NULL && cache->rates != NULL
								     ? cache->rates->version : 0));
	json_object_set_new(o, "suspended", json_integer((json_int_t)sale_suspended_list(
						    t->ts->cfg->state_dir, list, SALE_MAX_SUSPENDED)));
	json_object_set_new(o, "sale_open", json_boolean(t->sale.open));
	notice = till_journal_notice(t->ts, &damaged);
	json_object_set_new(o, "journal_damaged", json_integer(damaged));
	if (notice != NULL)
		json_object_set_new(o, "journal_notice", json_string(notice));
	if (till_last_sync(t->ts, &rep)) {
		json_t *a = json_object();

		report_json(a, &rep);
		json_object_set_new(o, "auto_sync", a);
	}
	kcj_emit(o);
}
