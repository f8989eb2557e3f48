/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_templates.c: message template requests (see kc_templates.h). The
 * requests are built here rather than in kc_req.c: only kassa-office and
 * the tests send them, never the till.
 */
#include "kc_templates.h"

#include "kc_build.h"

KcResult kc_template_put(KassaClient *kc, const char *name, const char *language,
			 const char *subject, const char *body, const char *key,
			 Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__MessageTemplatePut put = KASSA__V1__MESSAGE_TEMPLATE_PUT__INIT;
	char fresh[KC_KEY_LEN];

	put.name = (char *)(name != NULL ? name : "");
	put.language = (char *)(language != NULL ? language : "");
	put.subject = (char *)(subject != NULL ? subject : "");
	put.body = (char *)(body != NULL ? body : "");
	req.body_case = KASSA__V1__REQUEST__BODY_MESSAGE_TEMPLATE_PUT;
	req.message_template_put = &put;
	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	return kc_call(kc, &req, resp);
}

KcResult kc_template_list(KassaClient *kc, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__MessageTemplateList list = KASSA__V1__MESSAGE_TEMPLATE_LIST__INIT;

	req.body_case = KASSA__V1__REQUEST__BODY_MESSAGE_TEMPLATE_LIST;
	req.message_template_list = &list;
	return kc_call(kc, &req, resp);
}
