/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_campaigns.c: the campaign requests (see kc_campaigns.h).
 */
#include "kc_campaigns.h"

KcResult kc_campaign_create(KassaClient *kc, Kassa__V1__CampaignCreate *q, const char *key,
			    Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;

	req.body_case = KASSA__V1__REQUEST__BODY_CAMPAIGN_CREATE;
	req.campaign_create = q;
	req.idempotency_key = (char *)key;
	return kc_call(kc, &req, resp);
}

KcResult kc_campaign_launch(KassaClient *kc, int64_t campaign_id, const char *key,
			    Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__CampaignLaunch q = KASSA__V1__CAMPAIGN_LAUNCH__INIT;

	q.campaign_id = campaign_id;
	req.body_case = KASSA__V1__REQUEST__BODY_CAMPAIGN_LAUNCH;
	req.campaign_launch = &q;
	req.idempotency_key = (char *)key;
	return kc_call(kc, &req, resp);
}

KcResult kc_campaign_get(KassaClient *kc, int64_t campaign_id, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__CampaignGet q = KASSA__V1__CAMPAIGN_GET__INIT;

	q.campaign_id = campaign_id;
	req.body_case = KASSA__V1__REQUEST__BODY_CAMPAIGN_GET;
	req.campaign_get = &q;
	return kc_call(kc, &req, resp);
}

KcResult kc_campaign_list(KassaClient *kc, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__CampaignList q = KASSA__V1__CAMPAIGN_LIST__INIT;

	req.body_case = KASSA__V1__REQUEST__BODY_CAMPAIGN_LIST;
	req.campaign_list = &q;
	return kc_call(kc, &req, resp);
}

KcResult kc_campaign_report(KassaClient *kc, int64_t campaign_id, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__CampaignReport q = KASSA__V1__CAMPAIGN_REPORT__INIT;

	q.campaign_id = campaign_id;
	req.body_case = KASSA__V1__REQUEST__BODY_CAMPAIGN_REPORT;
	req.campaign_report = &q;
	return kc_call(kc, &req, resp);
}
