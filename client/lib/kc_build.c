/* SPDX-License-Identifier: Apache-2.0 */
/* kc_build: pieces the request wrappers share (see kc_build.h). */
#include "kc_build.h"

#include <stdlib.h>

#include "kc_sales.h"

const char *kc_key_or_fresh(const char *key, char fresh[KC_KEY_LEN])
{
	if (key != NULL)
		return key;
	kc_new_key(fresh);
	return fresh;
}

void kc_tenders_build(const KcTender *tenders, size_t n, Kassa__V1__Tender **tv,
		      Kassa__V1__Tender ***tp)
{
	size_t i;

	*tv = NULL;
	*tp = NULL;
	if (n == 0)
		return;
	*tv = xcalloc(n, sizeof(**tv));
	*tp = xcalloc(n, sizeof(**tp));
	for (i = 0; i < n; i++) {
		kassa__v1__tender__init(&(*tv)[i]);
		(*tv)[i].kind = tenders[i].kind;
		(*tv)[i].amount_minor = tenders[i].amount_minor;
		(*tv)[i].reference = (char *)(tenders[i].reference != NULL ? tenders[i].reference
									    : "");
		(*tp)[i] = &(*tv)[i];
	}
}
