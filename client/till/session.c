/* SPDX-License-Identifier: Apache-2.0 */
/*
 * session: one running till (till.h). FIRST CUT, to be completed by the
 * offline work: connects once at start and keeps no state directory yet.
 */
#include <stdio.h>
#include <string.h>

#include "till.h"

bool till_open(TillSession *ts, const TillConfig *cfg, KcOptions *opt, char *err, size_t errlen)
{
	memset(ts, 0, sizeof(*ts));
	ts->cfg = cfg;
	ts->opt = opt;
	ts->kc = kc_connect(opt, err, errlen);
	ts->online = ts->kc != NULL;
	return ts->kc != NULL;
}

void till_close(TillSession *ts)
{
	kc_free(ts->kc);
	ts->kc = NULL;
}

bool till_online(TillSession *ts)
{
	return ts->kc != NULL && kc_is_connected(ts->kc);
}

KcResult till_call(TillSession *ts, Kassa__V1__Request *req, Kassa__V1__Response **resp)
{
	*resp = NULL;
	if (ts->kc == NULL)
		return KC_ERR_IO;
	return kc_call(ts->kc, req, resp);
}
