/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_req: how kassa-till's script mode sends. Every command builds its
 * request with the client library's one builder of it (kc_req.h, the same
 * the kc_* wrappers use) and sends it through the session (till_call(),
 * till.h) with script_call(), so that going offline and back is the
 * session's business and no command talks to the connection itself.
 * script_quote() prices the open basket; script_reconnects() and
 * script_last_error() report on the session's connection.
 */
#include <stdlib.h>

#include "script_cmds.h"

KcResult script_call(Till *t, KcReq *r, Kassa__V1__Response **resp)
{
	KcResult res = till_call(t->ts, &r->req, resp);

	kc_req_done(r);
	return res;
}

KcResult script_quote(Till *t, Kassa__V1__Response **resp)
{
	return till_quote(t->ts, &t->sale, resp);
}

int script_reconnects(const Till *t)
{
	return t->ts->kc != NULL ? kc_reconnects(t->ts->kc) : 0;
}

const char *script_last_error(const Till *t)
{
	return t->ts->kc != NULL ? kc_last_error(t->ts->kc) : "the till is offline";
}
