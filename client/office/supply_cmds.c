/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supply_cmds.c: kassa-office's commands of suppliers, purchase orders and
 * goods receiving (store operations, part "supply"; listed in store_ops.c).
 * Each prints one JSON object. What a store manager types to receive:
 *
 *   po list state=sent            the orders on their way
 *   po show ID                    what is outstanding
 *   po receive ID SKU=QTY...      what arrived (or: po receive ID all)
 *   po close ID                   the rest will not come
 *
 * Amounts are typed and printed in major units ("12.34").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "i18n.h"
#include "kassa_client.h"
#include "kc_json.h"
#include "money.h"
#include "office.h"
#include "supply_cmds.h"

static json_t *money_json(int64_t minor)
{
	char buf[MONEY_FMT_LEN];

	return json_string(money_format(minor, buf, sizeof(buf)));
}

static json_t *supplier_json(const Kassa__V1__Supplier *s)
{
	json_t *o = json_object(), *prods = json_array();

	json_object_set_new(o, "supplier_id", json_integer(s->supplier_id));
	json_object_set_new(o, "code", json_string(s->code));
	json_object_set_new(o, "name", json_string(s->name));
	json_object_set_new(o, "contact", json_string(s->contact_person));
	json_object_set_new(o, "phone", json_string(s->phone));
	json_object_set_new(o, "email", json_string(s->email));
	json_object_set_new(o, "address", json_string(s->address));
	json_object_set_new(o, "active", json_boolean(s->active));
	for (size_t i = 0; i < s->n_products; i++) {
		const Kassa__V1__SupplierProduct *p = s->products[i];
		json_t *j = json_object();

		json_object_set_new(j, "sku", json_string(p->sku));
		json_object_set_new(j, "name", json_string(p->name));
		json_object_set_new(j, "cost", money_json(p->cost_minor));
		json_object_set_new(j, "currency", json_string(p->currency));
		json_object_set_new(j, "pack", json_integer(p->pack_size));
		json_object_set_new(j, "min_order", json_integer(p->min_order));
		json_object_set_new(j, "lead_days", json_integer(p->lead_days));
		json_object_set_new(j, "preferred", json_boolean(p->preferred));
		json_array_append_new(prods, j);
	}
	json_object_set_new(o, "products", prods);
	return o;
}

static json_t *line_json(const Kassa__V1__PurchaseOrderLine *l, bool suggestion)
{
	json_t *j = json_object();

	json_object_set_new(j, "sku", json_string(l->sku));
	json_object_set_new(j, "name", json_string(l->name));
	json_object_set_new(j, suggestion ? "suggested" : "ordered", json_integer(l->ordered));
	json_object_set_new(j, "cost", money_json(l->cost_minor));
	if (suggestion) {
		json_object_set_new(j, "sold_28d", json_integer(l->sold_28d));
		json_object_set_new(j, "forecast", json_integer(l->forecast));
		json_object_set_new(j, "on_hand", json_integer(l->on_hand));
		json_object_set_new(j, "on_order", json_integer(l->on_order));
		json_object_set_new(j, "safety", json_integer(l->safety));
		json_object_set_new(j, "pack", json_integer(l->pack_size));
	} else {
		json_object_set_new(j, "received", json_integer(l->received));
		json_object_set_new(j, "outstanding",
				    json_integer(l->received < l->ordered ? l->ordered - l->received : 0));
	}
	return j;
}

static json_t *order_json(const Kassa__V1__PurchaseOrder *o)
{
	json_t *j = json_object(), *lines = json_array();
	bool suggestion = o->po_id == 0;

	if (!suggestion) {
		json_object_set_new(j, "po_id", json_integer(o->po_id));
		json_object_set_new(j, "state", json_string(o->state));
	}
	json_object_set_new(j, "supplier", json_string(o->supplier_code));
	json_object_set_new(j, "supplier_name", json_string(o->supplier_name));
	json_object_set_new(j, "store_id", json_integer(o->store_id));
	json_object_set_new(j, "currency", json_string(o->currency));
	json_object_set_new(j, "total", money_json(o->total_minor));
	json_object_set_new(j, "lead_days", json_integer(o->lead_days));
	if (suggestion) {
		json_object_set_new(j, "review_days", json_integer(o->review_days));
	} else {
		json_object_set_new(j, "created_on", json_string(o->created_on));
		json_object_set_new(j, "sent_on", json_string(o->sent_on));
		json_object_set_new(j, "expected_on", json_string(o->expected_on));
		json_object_set_new(j, "receipts", json_integer(o->receipts));
		if (o->receipt_id)
			json_object_set_new(j, "receipt_id", json_integer(o->receipt_id));
	}
	for (size_t i = 0; i < o->n_lines; i++)
		json_array_append_new(lines, line_json(o->lines[i], suggestion));
	if (o->n_lines || suggestion)
		json_object_set_new(j, "lines", lines);
	else
		json_decref(lines);
	return j;
}

/* Print resp's body under name (and the key of a change); returns the exit code. */
static int emit(KassaClient *kc, const char *cmd, KcResult kr, Kassa__V1__Response *resp,
		Kassa__V1__Response__BodyCase want, const char *key)
{
	int code = OFFICE_EXIT_OK;
	json_t *o, *arr;

	if (!office_result(kc, cmd, kr, &resp, want, &code))
		return code;
	o = key ? ok_keyed(cmd, key) : kcj_ok(cmd);
	switch (want) {
	case KASSA__V1__RESPONSE__BODY_SUPPLIER:
		json_object_set_new(o, "supplier", supplier_json(resp->supplier));
		break;
	case KASSA__V1__RESPONSE__BODY_SUPPLIER_ROSTER:
		arr = json_array();
		for (size_t i = 0; i < resp->supplier_roster->n_suppliers; i++)
			json_array_append_new(arr, supplier_json(resp->supplier_roster->suppliers[i]));
		json_object_set_new(o, "suppliers", arr);
		break;
	case KASSA__V1__RESPONSE__BODY_PURCHASE_ORDER_PAGE:
		arr = json_array();
		for (size_t i = 0; i < resp->purchase_order_page->n_orders; i++)
			json_array_append_new(arr, order_json(resp->purchase_order_page->orders[i]));
		json_object_set_new(o, "orders", arr);
		json_object_set_new(o, "next_before_id",
				    json_integer(resp->purchase_order_page->next_before_id));
		break;
	default:
		json_object_set_new(o, resp->purchase_order->po_id ? "order" : "suggestion",
				    order_json(resp->purchase_order));
		break;
	}
	kcj_emit(o);
	kc_response_free(resp);
	return code;
}

static bool is_yes(const char *v)
{
	return v && (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

/* A whole number 0..max from v (NULL: def); false if it is not one. */
static bool num_arg(const char *v, int64_t def, int64_t max, int64_t *out)
{
	char *end;
	long long n;

	if (v == NULL) {
		*out = def;
		return true;
	}
	n = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || n < 0 || n > max)
		return false;
	*out = n;
	return true;
}

int cmd_supplier_put(KassaClient *kc, const Args *a)
{
	static const char use[] = "supplier put CODE name=NAME [contact=..] [phone=..] [email=..]"
				  " [address=..] [active=yes|no]";
	Kassa__V1__SupplierPut q = KASSA__V1__SUPPLIER_PUT__INIT;
	const char *active = arg_get(a, "active");
	char key[KC_KEY_LEN];

	if (arg_word(a, 0) == NULL || arg_get(a, "name") == NULL)
		return bad_usage("supplier put", use);
	q.code = (char *)arg_word(a, 0);
	q.name = (char *)arg_get(a, "name");
	q.contact_person = (char *)(arg_get(a, "contact") ? arg_get(a, "contact") : "");
	q.phone = (char *)(arg_get(a, "phone") ? arg_get(a, "phone") : "");
	q.email = (char *)(arg_get(a, "email") ? arg_get(a, "email") : "");
	q.address = (char *)(arg_get(a, "address") ? arg_get(a, "address") : "");
	q.inactive = active != NULL && !is_yes(active);
	kc_new_key(key);
	Kassa__V1__Response *resp = NULL;
	KcResult kr = kc_supplier_put(kc, &q, key, &resp);
	return emit(kc, "supplier put", kr, resp, KASSA__V1__RESPONSE__BODY_SUPPLIER, key);
}

int cmd_supplier_list(KassaClient *kc, const Args *a)
{
	Kassa__V1__Response *resp = NULL;
	bool all = arg_word(a, 0) && strcmp(arg_word(a, 0), "all") == 0;
	KcResult kr;

	if (a->n > 1 || (a->n == 1 && !all))
		return bad_usage("supplier list", "supplier list [all]");
	kr = kc_supplier_list(kc, all, &resp);
	return emit(kc, "supplier list", kr, resp, KASSA__V1__RESPONSE__BODY_SUPPLIER_ROSTER, NULL);
}

int cmd_supplier_product(KassaClient *kc, const Args *a)
{
	static const char use[] = "supplier product SUPPLIER SKU cost=12.34 lead_days=N [pack=N]"
				  " [min=N] [currency=CNY] [preferred=yes]";
	Kassa__V1__SupplierProductPut q = KASSA__V1__SUPPLIER_PRODUCT_PUT__INIT;
	Kassa__V1__Response *resp = NULL;
	const char *cost = arg_get(a, "cost");
	char key[KC_KEY_LEN];
	int64_t lead, pack, min;
	KcResult kr;

	if (!arg_word(a, 0) || !arg_word(a, 1) || !cost || !money_parse(cost, &q.cost_minor) ||
	    !arg_get(a, "lead_days") || !num_arg(arg_get(a, "lead_days"), 0, 365, &lead) ||
	    !num_arg(arg_get(a, "pack"), 1, 1000000, &pack) ||
	    !num_arg(arg_get(a, "min"), 0, 1000000, &min))
		return bad_usage("supplier product", use);
	q.supplier_code = (char *)arg_word(a, 0);
	q.sku = (char *)arg_word(a, 1);
	q.lead_days = (int32_t)lead;
	q.pack_size = pack;
	q.min_order = min;
	q.currency = (char *)(arg_get(a, "currency") ? arg_get(a, "currency") : "");
	q.preferred = is_yes(arg_get(a, "preferred"));
	kc_new_key(key);
	kr = kc_supplier_product_put(kc, &q, key, &resp);
	return emit(kc, "supplier product", kr, resp, KASSA__V1__RESPONSE__BODY_SUPPLIER, key);
}

int cmd_po_suggest(KassaClient *kc, const Args *a)
{
	static const char use[] = "po suggest supplier=CODE [store=ID] [review=DAYS]";
	Kassa__V1__Response *resp = NULL;
	int64_t store, review;
	KcResult kr;

	if (!arg_get(a, "supplier") || !num_arg(arg_get(a, "store"), 0, INT64_MAX, &store) ||
	    !num_arg(arg_get(a, "review"), 0, 90, &review))
		return bad_usage("po suggest", use);
	kr = kc_purchase_suggest(kc, arg_get(a, "supplier"), store, (int32_t)review, &resp);
	return emit(kc, "po suggest", kr, resp, KASSA__V1__RESPONSE__BODY_PURCHASE_ORDER, NULL);
}

/* Send PurchaseOrderPut q and print the order. */
static int po_put(KassaClient *kc, const char *cmd, Kassa__V1__PurchaseOrderPut *q)
{
	Kassa__V1__Response *resp = NULL;
	char key[KC_KEY_LEN];
	KcResult kr;

	kc_new_key(key);
	kr = kc_purchase_order_put(kc, q, key, &resp);
	return emit(kc, cmd, kr, resp, KASSA__V1__RESPONSE__BODY_PURCHASE_ORDER, key);
}

/* The SKU=QTY words of a (other keys skipped) into lv/lp; -1 if a quantity is not a number. */
static int sku_lines(const Args *a, const char *const *skip, Kassa__V1__PurchaseLineQty *lv,
		     Kassa__V1__PurchaseLineQty **lp)
{
	int n = 0;

	for (int i = 0; i < a->n; i++) {
		bool skipped = false;
		int64_t q;

		if (a->vals[i] == NULL)
			continue;
		for (int k = 0; skip[k]; k++)
			skipped = skipped || strcmp(a->keys[i], skip[k]) == 0;
		if (skipped)
			continue;
		if (!num_arg(a->vals[i], 0, INT64_MAX, &q))
			return -1;
		kassa__v1__purchase_line_qty__init(&lv[n]);
		lv[n].sku = a->keys[i];
		lv[n].quantity = q;
		lp[n] = &lv[n];
		n++;
	}
	return n;
}

/* po create from-suggestion: the suggestion's lines above 0 as a new draft. */
static int po_from_suggestion(KassaClient *kc, Kassa__V1__PurchaseOrderPut *q)
{
	Kassa__V1__Response *sg = NULL;
	Kassa__V1__PurchaseLineQty *lv, **lp;
	const Kassa__V1__PurchaseOrder *o;
	int code = OFFICE_EXIT_OK;
	size_t n = 0;

	if (!office_result(kc, "po create", kc_purchase_suggest(kc, q->supplier_code, q->store_id, 0,
								&sg),
			   &sg, KASSA__V1__RESPONSE__BODY_PURCHASE_ORDER, &code))
		return code;
	o = sg->purchase_order;
	lv = xcalloc(o->n_lines + 1, sizeof(*lv));
	lp = xcalloc(o->n_lines + 1, sizeof(*lp));
	for (size_t i = 0; i < o->n_lines; i++) {
		if (o->lines[i]->ordered <= 0)
			continue;
		kassa__v1__purchase_line_qty__init(&lv[n]);
		lv[n].sku = o->lines[i]->sku;
		lv[n].quantity = o->lines[i]->ordered;
		lp[n] = &lv[n];
		n++;
	}
	if (n == 0) {
		json_t *j = kcj_fail("po create", "FAILED_PRECONDITION", "NOTHING_SUGGESTED",
				     _("nothing needs ordering from this supplier now"));
		kcj_emit(j);
		code = OFFICE_EXIT_FAILED;
	} else {
		q->lines = lp;
		q->n_lines = n;
		code = po_put(kc, "po create", q);
	}
	free(lv);
	free(lp);
	kc_response_free(sg);
	return code;
}

int cmd_po_create(KassaClient *kc, const Args *a)
{
	static const char use[] = "po create supplier=CODE [store=ID] SKU=QTY... | from-suggestion";
	static const char *const skip[] = { "supplier", "store", NULL };
	Kassa__V1__PurchaseOrderPut q = KASSA__V1__PURCHASE_ORDER_PUT__INIT;
	Kassa__V1__PurchaseLineQty lv[OFFICE_MAX_ARGS], *lp[OFFICE_MAX_ARGS];
	int n = sku_lines(a, skip, lv, lp), words = 0;
	bool from = false;

	for (int i = 0; i < a->n; i++)
		if (arg_word(a, i) != NULL) {
			words++;
			from = from || strcmp(arg_word(a, i), "from-suggestion") == 0;
		}
	q.action = KASSA__V1__PURCHASE_ORDER_ACTION__PO_ACTION_CREATE;
	q.supplier_code = (char *)arg_get(a, "supplier");
	if (!q.supplier_code || !num_arg(arg_get(a, "store"), 0, INT64_MAX, &q.store_id) || n < 0 ||
	    words != (from ? 1 : 0) || (from ? n != 0 : n == 0))
		return bad_usage("po create", use);
	if (from)
		return po_from_suggestion(kc, &q);
	q.lines = lp;
	q.n_lines = (size_t)n;
	return po_put(kc, "po create", &q);
}

/* po send|cancel|close ID */
static int po_act(KassaClient *kc, const Args *a, const char *cmd, const char *use,
		  Kassa__V1__PurchaseOrderAction action)
{
	Kassa__V1__PurchaseOrderPut q = KASSA__V1__PURCHASE_ORDER_PUT__INIT;

	if (a->n != 1 || !arg_id(a, 0, &q.po_id))
		return bad_usage(cmd, use);
	q.action = action;
	return po_put(kc, cmd, &q);
}

int cmd_po_send(KassaClient *kc, const Args *a)
{
	return po_act(kc, a, "po send", "po send ID", KASSA__V1__PURCHASE_ORDER_ACTION__PO_ACTION_SEND);
}

int cmd_po_cancel(KassaClient *kc, const Args *a)
{
	return po_act(kc, a, "po cancel", "po cancel ID",
		      KASSA__V1__PURCHASE_ORDER_ACTION__PO_ACTION_CANCEL);
}

int cmd_po_close(KassaClient *kc, const Args *a)
{
	return po_act(kc, a, "po close", "po close ID",
		      KASSA__V1__PURCHASE_ORDER_ACTION__PO_ACTION_CLOSE);
}

int cmd_po_show(KassaClient *kc, const Args *a)
{
	Kassa__V1__Response *resp = NULL;
	int64_t id;
	KcResult kr;

	if (a->n != 1 || !arg_id(a, 0, &id))
		return bad_usage("po show", "po show ID");
	kr = kc_purchase_order_get(kc, id, &resp);
	return emit(kc, "po show", kr, resp, KASSA__V1__RESPONSE__BODY_PURCHASE_ORDER, NULL);
}

int cmd_po_list(KassaClient *kc, const Args *a)
{
	static const char use[] = "po list [state=draft|sent|partial|received|cancelled|closed]"
				  " [store=ID] [supplier=CODE] [before=ID] [limit=N]";
	Kassa__V1__PurchaseOrderList q = KASSA__V1__PURCHASE_ORDER_LIST__INIT;
	Kassa__V1__Response *resp = NULL;
	int64_t limit;
	KcResult kr;

	q.state = (char *)(arg_get(a, "state") ? arg_get(a, "state") : "");
	q.supplier_code = (char *)(arg_get(a, "supplier") ? arg_get(a, "supplier") : "");
	if (!num_arg(arg_get(a, "store"), 0, INT64_MAX, &q.store_id) ||
	    !num_arg(arg_get(a, "before"), 0, INT64_MAX, &q.before_id) ||
	    !num_arg(arg_get(a, "limit"), 0, 200, &limit) || arg_word(a, 0) != NULL)
		return bad_usage("po list", use);
	q.limit = (int32_t)limit;
	kr = kc_purchase_order_list(kc, &q, &resp);
	return emit(kc, "po list", kr, resp, KASSA__V1__RESPONSE__BODY_PURCHASE_ORDER_PAGE, NULL);
}

int cmd_po_receive(KassaClient *kc, const Args *a)
{
	static const char use[] = "po receive ID SKU=QTY... | all";
	static const char *const skip[] = { NULL };
	Kassa__V1__GoodsReceive q = KASSA__V1__GOODS_RECEIVE__INIT;
	Kassa__V1__PurchaseLineQty lv[OFFICE_MAX_ARGS], *lp[OFFICE_MAX_ARGS];
	Kassa__V1__Response *resp = NULL;
	int n = sku_lines(a, skip, lv, lp);
	char key[KC_KEY_LEN];
	KcResult kr;

	q.all_outstanding = arg_word(a, 1) && strcmp(arg_word(a, 1), "all") == 0;
	if (!arg_id(a, 0, &q.po_id) || n < 0 || (q.all_outstanding ? n != 0 || a->n != 2 : n == 0))
		return bad_usage("po receive", use);
	q.lines = lp;
	q.n_lines = (size_t)n;
	kc_new_key(key);
	kr = kc_goods_receive(kc, &q, key, &resp);
	return emit(kc, "po receive", kr, resp, KASSA__V1__RESPONSE__BODY_PURCHASE_ORDER, key);
}
