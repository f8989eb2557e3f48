/* SPDX-License-Identifier: Apache-2.0 */
/*
 * staff_admin.c: StaffPut and StaffList, staff administered through the
 * protocol (store operations, part "org"), and what staff_admin_pin.c
 * shares with them (staff_admin_job.h).
 *
 * StaffPut creates a staff member (an id given, or the next free one), with
 * a name, a role (cashier, manager, analyst, admin), a store or head office
 * and an initial PIN, or changes the name, role, store, or whether they are
 * active (a disabled member's Login is refused by the one PIN check,
 * pin.c). Its steps:
 *
 *   1. the form: ids, role, name, PIN (4-12 digits, only to create);
 *   2. to create, the PIN is hashed on a worker thread (argon2id with the
 *      parameters of `kassad hash-pin`), never on the loop;
 *   3. one call of kassa_staff_put() (migrations/functions/staff_admin.sql)
 *      guards who may do what (a manager: cashiers and managers of the
 *      till's store only; the last active admin stays), writes the row and
 *      the 'staff.put' audit row, exactly once per idempotency key.
 *
 * The request hash kept with the key is of the body with its PIN blanked,
 * so that the idempotency table holds nothing a PIN can be guessed from.
 * StaffList answers the staff of a store (a manager: the till's store).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "i18n.h"
#include "staff.h"
#include "staff_admin.h"
#include "staff_admin_job.h"
#include "worker.h"

#define STAFF_NAME_MAX 100		/* characters */

static int st_put, st_list;

void staff_admin_setup(void)
{
	staff_admin_pin_setup();
	/*
	 * $1 till $2 caller $3 admin? $4 till's store $5 key $6 hash $7 staff
	 * $8 create $9 name $10 role $11 set store $12 store $13 PIN hash $14 active
	 */
	st_put = db_stmt_add("staff_put",
		"SELECT * FROM kassa_staff_put($1, $2, $3::boolean, $4, $5, $6::bytea, $7, $8::boolean,"
		" $9, $10, $11::boolean, $12, $13, $14::boolean)", DB_LANE_WORK);
	st_list = db_stmt_add("staff_list",
		"SELECT * FROM kassa_staff_list($1::boolean, $2, $3)", DB_LANE_QUICK);
}

/* ---- shared with staff_admin_pin.c ---- */

bool staff_admin_pin_form(const char *pin)
{
	size_t n = strlen(pin);

	return n >= STAFF_PIN_MIN && n <= STAFF_PIN_MAX && strspn(pin, "0123456789") == n;
}

typedef struct PinJob {
	Call *call;			/* borrowed: the request (this is its state) */
	StaffHashedFn next;
	char pin[STAFF_PIN_MAX + 1];	/* wiped by the worker */
	char hash[crypto_pwhash_STRBYTES];
	bool ok;
} PinJob;

static void pin_job_free(void *p)
{
	sodium_memzero(p, sizeof(PinJob));
	free(p);
}

/* On a worker thread: touches only the job. */
static void pin_job_work(void *arg)
{
	PinJob *j = arg;

	j->ok = crypto_pwhash_str(j->hash, j->pin, strlen(j->pin),
				  crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
	sodium_memzero(j->pin, sizeof(j->pin));
}

static void pin_job_done(void *arg)
{
	PinJob *j = arg;
	Call *c = j->call;

	if (call_is_orphan(c)) {
		call_free(c);	/* frees j */
		return;
	}
	if (!j->ok) {
		call_fail(c, KASSA__V1__STATUS_CODE__UNAVAILABLE, "BUSY", "%s",
			  _("the server is busy; try again"));
		return;
	}
	j->next(c, j->hash);
}

void staff_admin_hash_pin(Call *c, char *pin, StaffHashedFn next)
{
	PinJob *j = xcalloc(1, sizeof(*j));

	j->call = c;
	j->next = next;
	snprintf(j->pin, sizeof(j->pin), "%s", pin);
	sodium_memzero(pin, strlen(pin));
	c->state = j;
	c->state_free = pin_job_free;
	worker_submit_call(c, pin_job_work, pin_job_done, j);
}

void staff_admin_params(StaffAdminParams *p, const Call *c, const ProtobufCMessage *body)
{
	SqlText init = SQLTEXT_INIT;

	p->hash = init;
	snprintf(p->till, sizeof(p->till), "%lld", (long long)c->sess->till_id);
	snprintf(p->caller, sizeof(p->caller), "%lld", (long long)c->staff_id);
	snprintf(p->store, sizeof(p->store), "%lld", (long long)c->sess->store_id);
	p->admin = (c->role & ROLE_ADMIN) ? "t" : "f";
	sqltext_hash(&p->hash, body);
}

void staff_admin_params_free(StaffAdminParams *p)
{
	sqltext_free(&p->hash);
}

void staff_admin_member_of(Kassa__V1__StaffMember *m, const PGresult *res, int i)
{
	kassa__v1__staff_member__init(m);
	m->staff_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	m->name = PQgetvalue(res, i, 1);
	m->role = PQgetvalue(res, i, 2);
	m->store_id = strtoll(PQgetvalue(res, i, 3), NULL, 10);
	m->store_code = PQgetvalue(res, i, 4);
	m->active = strcmp(PQgetvalue(res, i, 5), "t") == 0;
	m->locked = strcmp(PQgetvalue(res, i, 6), "t") == 0;
}

void staff_admin_reply_member(Call *c, const PGresult *res, bool with_created)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__StaffMember m;

	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	staff_admin_member_of(&m, res, 0);
	m.created = with_created && strcmp(PQgetvalue(res, 0, 7), "t") == 0;
	resp.body_case = KASSA__V1__RESPONSE__BODY_STAFF_MEMBER;
	resp.staff_member = &m;
	call_reply(c, &resp);
}

/* ---- StaffPut ---- */

static void staff_put_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) == 1)
		log_call(c, LOG_LVL_INFO, "staff %s %s by staff %lld", PQgetvalue(res, 0, 0),
			 strcmp(PQgetvalue(res, 0, 7), "t") == 0 ? "created" : "changed",
			 (long long)c->staff_id);
	staff_admin_reply_member(c, res, true);
}

/* 3. One call of kassa_staff_put(); hash is the initial PIN's, or NULL. */
static void staff_put_send(Call *c, const char *pin_hash)
{
	const Kassa__V1__StaffPut *q = c->req->staff_put;
	Kassa__V1__StaffPut blank = *q;
	StaffAdminParams p;
	char staff[24], store[24];

	blank.pin = (char *)"";
	staff_admin_params(&p, c, &blank.base);
	snprintf(staff, sizeof(staff), "%lld", (long long)q->staff_id);
	snprintf(store, sizeof(store), "%lld", (long long)q->store_id);

	const char *params[14] = {
		p.till, p.caller, p.admin, p.store, c->req->idempotency_key, sqltext_str(&p.hash),
		staff, q->create ? "t" : "f", q->name, q->role, q->set_store ? "t" : "f", store,
		pin_hash,
		q->active == KASSA__V1__ORG_SWITCH__ORG_SWITCH_ON ? "t" :
		q->active == KASSA__V1__ORG_SWITCH__ORG_SWITCH_OFF ? "f" : NULL,
	};
	db_query(st_put, 14, params, staff_put_cb, c);
	staff_admin_params_free(&p);
}

static bool role_ok(const char *r)
{
	return r[0] == '\0' || strcmp(r, "cashier") == 0 || strcmp(r, "manager") == 0 ||
	       strcmp(r, "analyst") == 0 || strcmp(r, "admin") == 0;
}

/* Characters of UTF-8 s (pbcheck has checked it is valid); 0 if it has a control character. */
static size_t name_chars(const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		n += (*p & 0xc0) != 0x80;
	}
	return strspn(s, " ") == strlen(s) ? 0 : n;
}

/* 1. The form; 2. to create, hash the PIN first. */
void handle_staff_put(Call *c)
{
	Kassa__V1__StaffPut *q = c->req->staff_put;
	size_t name = name_chars(q->name);

	if (q->staff_id < 0 || (!q->create && q->staff_id == 0)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STAFF_ID", "%s",
			  _("give the staff id to change"));
		return;
	}
	if (!role_ok(q->role)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_ROLE", "%s",
			  _("a role is cashier, manager, analyst or admin"));
		return;
	}
	if (q->name[0] != '\0' && (name == 0 || name > STAFF_NAME_MAX)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_NAME",
			  _("a name is 1 to %d characters on one line"), STAFF_NAME_MAX);
		return;
	}
	if (q->store_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STORE", "%s",
			  _("a store id is a positive number, or 0 for head office"));
		return;
	}
	if (q->create ? !staff_admin_pin_form(q->pin) : q->pin[0] != '\0') {
		sodium_memzero(q->pin, strlen(q->pin));
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_PIN", "%s",
			  q->create ? _("a PIN is 4-12 digits") :
			  _("a PIN is set when the staff member is created, then by a PIN reset"));
		return;
	}
	if (q->create)
		staff_admin_hash_pin(c, q->pin, staff_put_send);
	else
		staff_put_send(c, NULL);
}

/* ---- StaffList ---- */

static void staff_list_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__StaffRoster roster = KASSA__V1__STAFF_ROSTER__INIT;
	Kassa__V1__StaffMember *ms, **ptrs;
	int n;

	if (!call_db_ok(c, st, res))
		return;
	n = PQntuples(res);
	ms = xcalloc((size_t)n + 1, sizeof(*ms));
	ptrs = xcalloc((size_t)n + 1, sizeof(*ptrs));
	for (int i = 0; i < n; i++) {
		staff_admin_member_of(&ms[i], res, i);
		ptrs[i] = &ms[i];
	}
	roster.n_staff = (size_t)n;
	roster.staff = ptrs;
	resp.body_case = KASSA__V1__RESPONSE__BODY_STAFF_ROSTER;
	resp.staff_roster = &roster;
	call_reply(c, &resp);
	free(ptrs);
	free(ms);
}

void handle_staff_list(Call *c)
{
	const Kassa__V1__StaffList *q = c->req->staff_list;
	char store[24], want[24];

	if (q->store_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STORE", "%s",
			  _("a store id is a positive number, or 0 for every store"));
		return;
	}
	snprintf(store, sizeof(store), "%lld", (long long)c->sess->store_id);
	snprintf(want, sizeof(want), "%lld", (long long)q->store_id);

	/* head office's readers see every store; a manager, the till's */
	const char *params[3] = { (c->role & (ROLE_ADMIN | ROLE_ANALYST)) ? "t" : "f", store, want };
	db_query(st_list, 3, params, staff_list_cb, c);
}
