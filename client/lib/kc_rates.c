/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_rates: the RatesGet and RatesSet request wrappers (see kc_rates.h).
 * Each builds its Request with borrowed fields and hands it to kc_call();
 * the ExchangeRate messages of a RatesSet live on the heap for the call.
 */
#include "kc_rates.h"

#include <stdlib.h>

#include "kc_build.h"
#include "util.h"

KcResult kc_rates_get(KassaClient *kc, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__RatesGet get = KASSA__V1__RATES_GET__INIT;

	req.body_case = KASSA__V1__REQUEST__BODY_RATES_GET;
	req.rates_get = &get;
	return kc_call(kc, &req, resp);
}

KcResult kc_rates_set(KassaClient *kc, const KcRate *rates, size_t n, const char *note,
		      const char *key, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__RatesSet set = KASSA__V1__RATES_SET__INIT;
	Kassa__V1__ExchangeRate *rv = NULL, **rp = NULL;
	char fresh[KC_KEY_LEN];
	KcResult r;

	if (n > 0) {
		rv = xcalloc(n, sizeof(*rv));
		rp = xcalloc(n, sizeof(*rp));
	}
	for (size_t i = 0; i < n; i++) {
		kassa__v1__exchange_rate__init(&rv[i]);
		rv[i].currency = (char *)(rates[i].currency != NULL ? rates[i].currency : "");
		rv[i].rate_micro = rates[i].rate_micro;
		rp[i] = &rv[i];
	}
	set.n_rates = n;
	set.rates = rp;
	set.note = (char *)(note != NULL ? note : "");
	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	req.body_case = KASSA__V1__REQUEST__BODY_RATES_SET;
	req.rates_set = &set;
	r = kc_call(kc, &req, resp);
	free(rp);
	free(rv);
	return r;
}
