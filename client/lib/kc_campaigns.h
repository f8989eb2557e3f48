/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_campaigns.h: campaigns (an administrator creates and launches them;
 * head office reads them and their report). One kc_call() each
 * (kc_transport.h); *resp as for kc_call(). key is the idempotency key of
 * a change (the caller makes one with kc_new_key() and passes the same key
 * to retry). Strings and q are borrowed for the call.
 */
#ifndef KASSA_KC_CAMPAIGNS_H
#define KASSA_KC_CAMPAIGNS_H

#include "kassa_client.h"

/* CampaignCreate q (its fields filled by the caller) -> Campaign. */
KcResult kc_campaign_create(KassaClient *kc, Kassa__V1__CampaignCreate *q, const char *key,
			    Kassa__V1__Response **resp);
/* CampaignLaunch -> Campaign (launched). */
KcResult kc_campaign_launch(KassaClient *kc, int64_t campaign_id, const char *key,
			    Kassa__V1__Response **resp);
/* CampaignGet -> Campaign. */
KcResult kc_campaign_get(KassaClient *kc, int64_t campaign_id, Kassa__V1__Response **resp);
/* CampaignList -> ReportTable "campaigns". */
KcResult kc_campaign_list(KassaClient *kc, Kassa__V1__Response **resp);
/* CampaignReport -> ReportTable "campaign_report". */
KcResult kc_campaign_report(KassaClient *kc, int64_t campaign_id, Kassa__V1__Response **resp);

#endif
