/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_members: the member request wrappers (see kc_members.h). Each builds
 * its Request on the stack with borrowed fields and hands it to kc_call().
 */
#include "kc_members.h"

#include "kc_build.h"

KcResult kc_member_register(KassaClient *kc, const Kassa__V1__MemberRegister *reg,
			    const char *key, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	char fresh[KC_KEY_LEN];

	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_REGISTER;
	req.member_register = (Kassa__V1__MemberRegister *)reg;
	return kc_call(kc, &req, resp);
}

static KcResult member_get(KassaClient *kc, Kassa__V1__MemberGet *get, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;

	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_GET;
	req.member_get = get;
	return kc_call(kc, &req, resp);
}

KcResult kc_member_get_by_id(KassaClient *kc, int64_t member_id, Kassa__V1__Response **resp)
{
	Kassa__V1__MemberGet get = KASSA__V1__MEMBER_GET__INIT;

	get.by_case = KASSA__V1__MEMBER_GET__BY_MEMBER_ID;
	get.member_id = member_id;
	return member_get(kc, &get, resp);
}

KcResult kc_member_get_by_phone(KassaClient *kc, const char *phone, Kassa__V1__Response **resp)
{
	Kassa__V1__MemberGet get = KASSA__V1__MEMBER_GET__INIT;

	get.by_case = KASSA__V1__MEMBER_GET__BY_PHONE;
	get.phone = (char *)phone;
	return member_get(kc, &get, resp);
}

KcResult kc_member_get_by_card(KassaClient *kc, const char *card_no, Kassa__V1__Response **resp)
{
	Kassa__V1__MemberGet get = KASSA__V1__MEMBER_GET__INIT;

	get.by_case = KASSA__V1__MEMBER_GET__BY_CARD_NO;
	get.card_no = (char *)card_no;
	return member_get(kc, &get, resp);
}

KcResult kc_member_get_by_qr(KassaClient *kc, const char *qr_payload, Kassa__V1__Response **resp)
{
	Kassa__V1__MemberGet get = KASSA__V1__MEMBER_GET__INIT;

	get.by_case = KASSA__V1__MEMBER_GET__BY_QR_PAYLOAD;
	get.qr_payload = (char *)qr_payload;
	return member_get(kc, &get, resp);
}

static KcResult member_search(KassaClient *kc, Kassa__V1__MemberSearch *s,
			      Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;

	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_SEARCH;
	req.member_search = s;
	return kc_call(kc, &req, resp);
}

KcResult kc_member_search_name(KassaClient *kc, const char *prefix, uint32_t limit,
			       Kassa__V1__Response **resp)
{
	Kassa__V1__MemberSearch s = KASSA__V1__MEMBER_SEARCH__INIT;

	s.by_case = KASSA__V1__MEMBER_SEARCH__BY_NAME_PREFIX;
	s.name_prefix = (char *)prefix;
	s.limit = limit;
	return member_search(kc, &s, resp);
}

KcResult kc_member_search_phone(KassaClient *kc, const char *suffix, uint32_t limit,
				Kassa__V1__Response **resp)
{
	Kassa__V1__MemberSearch s = KASSA__V1__MEMBER_SEARCH__INIT;

	s.by_case = KASSA__V1__MEMBER_SEARCH__BY_PHONE_SUFFIX;
	s.phone_suffix = (char *)suffix;
	s.limit = limit;
	return member_search(kc, &s, resp);
}

KcResult kc_member_update(KassaClient *kc, int64_t member_id,
			  const Kassa__V1__MemberRegister *values, const char *const *fields,
			  size_t nfields, const char *key, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__MemberUpdate upd = KASSA__V1__MEMBER_UPDATE__INIT;
	char fresh[KC_KEY_LEN];

	upd.member_id = member_id;
	upd.values = (Kassa__V1__MemberRegister *)values;
	upd.n_fields = nfields;
	upd.fields = (char **)fields;
	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_UPDATE;
	req.member_update = &upd;
	return kc_call(kc, &req, resp);
}
