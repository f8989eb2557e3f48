/* SPDX-License-Identifier: Apache-2.0 */
/*
 * portrait.c: a member's RFM scores and class (Rfm) and portrait
 * (Portrait) from the JSON text kassa_member_stats_json() makes of the
 * member's member_stats row (migrations/functions/member360.sql). Every
 * member answer that carries them (MemberGet, MemberFind, Member360) goes
 * through member_stats_fill(), so they read the same everywhere. The
 * analytics job writes member_stats; nothing here computes a score.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "member_answer.h"

#define PORTRAIT_CATEGORIES 3	/* favourite categories shown at most */

/* The string field key of o, or "" (borrowed from o). */
static char *jtext(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return (char *)(s ? s : "");
}

static int32_t jint32(const json_t *o, const char *key)
{
	return (int32_t)json_integer_value(json_object_get(o, key));
}

static void rfm_fill(Kassa__V1__Rfm *r, const json_t *o)
{
	kassa__v1__rfm__init(r);
	r->recency = jint32(o, "r");
	r->frequency = jint32(o, "f");
	r->monetary = jint32(o, "m");
	r->class_ = jtext(o, "class");
	r->recency_days = json_object_get(o, "recency_days") ? jint32(o, "recency_days") : -1;
	r->visits = jint32(o, "visits");
	r->spend_minor = json_integer_value(json_object_get(o, "spend_minor"));
	r->computed_at = jtext(o, "computed_at");
}

static void portrait_fill(Kassa__V1__Portrait *p, const json_t *o, MemberStats *s)
{
	const json_t *cats = json_object_get(o, "favourite_categories");
	size_t n = json_array_size(cats);

	kassa__v1__portrait__init(p);
	p->avg_basket_minor = json_integer_value(json_object_get(o, "avg_basket_minor"));
	if (n > PORTRAIT_CATEGORIES)
		n = PORTRAIT_CATEGORIES;
	if (n > 0) {
		s->cats = xcalloc(n, sizeof(char *));
		for (size_t i = 0; i < n; i++) {
			const char *c = json_string_value(json_array_get(cats, i));

			s->cats[i] = (char *)(c ? c : "");
		}
		p->n_favourite_categories = n;
		p->favourite_categories = s->cats;
	}
	p->usual_store_id = json_integer_value(json_object_get(o, "usual_store_id"));
	p->usual_store = jtext(o, "usual_store");
	p->usual_hour = json_object_get(o, "usual_hour") ? jint32(o, "usual_hour") : -1;
	p->visit_interval_days = jint32(o, "visit_interval_days");
	p->visits = jint32(o, "visits");
	p->first_visit = jtext(o, "first_visit");
	p->last_visit = jtext(o, "last_visit");
}

void member_stats_fill(Kassa__V1__Member *m, const char *json, MemberStats *s)
{
	json_error_t err;

	memset(s, 0, sizeof(*s));
	if (json == NULL)
		return;
	s->doc = json_loads(json, 0, &err);
	if (!json_is_object(s->doc)) {
		log_error("could not parse a member's scores from the database (line %d, column %d)",
			  err.line, err.column);
		json_decref(s->doc);
		s->doc = NULL;
		return;
	}
	rfm_fill(&s->rfm, json_object_get(s->doc, "rfm"));
	portrait_fill(&s->portrait, json_object_get(s->doc, "portrait"), s);
	m->rfm = &s->rfm;
	m->portrait = &s->portrait;
}

void member_stats_clear(MemberStats *s)
{
	free(s->cats);
	json_decref(s->doc);
	memset(s, 0, sizeof(*s));
}
