/* SPDX-License-Identifier: Apache-2.0 */
/*
 * routes.c: THE route table of kassad, from a Request's body case to its
 * handler, the roles allowed and whether it needs an idempotency key. It
 * is the only file that names every handler: the core's dispatch.c looks
 * requests up in it and knows no domain. A new request adds a row here.
 */
#include "admin/admin.h"
#include "store/store_admin.h"
#include "staff/staff_admin.h"
#include "admin/till_admin.h"
#include "catalog/catalog_admin.h"
#include "catalog/price_list.h"
#include "catalog/gift_admin.h"
#include "store/stock.h"
#include "store/stock_fold.h"
#include "store/count.h"
#include "store/transfer.h"
#include "store/supplier.h"
#include "store/purchase.h"
#include "store/receiving.h"
#include "store/count_card.h"
#include "store/clock.h"
#include "catalog/product.h"
#include "core.h"
#include "crm/crm.h"
#include "loyalty/loyalty.h"
#include "loyalty/rates.h"
#include "members/members.h"
#include "office/office.h"
#include "office/report_stock.h"
#include "routes.h"
#include "staff/staff.h"
#include "store/store.h"

/* A quote prices a sale without writing it, so it needs no idempotency key. */
static bool checkout_is_quote(const Kassa__V1__Request *req)
{
	return req->checkout != NULL && req->checkout->quote;
}

#define CASH_DESK (ROLE_CASHIER | ROLE_MANAGER)
/* Head office's reads; a manager sees their own store's share of them. */
#define HEAD_OFFICE (ROLE_ANALYST | ROLE_ADMIN | ROLE_MANAGER)

/* An export's later pages only read: no idempotency key. */
static bool export_is_start_route(const Kassa__V1__Request *req)
{
	return !export_is_start(req);
}

static const Route route_table[] = {
	{ KASSA__V1__REQUEST__BODY_HELLO, handle_hello, false, 0, false, NULL },
	{ KASSA__V1__REQUEST__BODY_LOGIN, handle_login, true, 0, false, NULL },
	{ KASSA__V1__REQUEST__BODY_MEMBER_REGISTER, handle_member_register, true, ROLE_STORE,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_MEMBER_GET, handle_member_get, true, ROLE_ANY, false, NULL },
	{ KASSA__V1__REQUEST__BODY_MEMBER_SEARCH, handle_member_search, true, ROLE_ANY, false,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_MEMBER_HISTORY, handle_member_history, true, ROLE_ANY, false,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_MEMBER_UPDATE, handle_member_update, true, ROLE_STORE, false,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_PRODUCT_LOOKUP, handle_product_lookup, true, ROLE_ANY, false,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_CHECKOUT, handle_checkout, true, CASH_DESK, true,
	  checkout_is_quote },
	{ KASSA__V1__REQUEST__BODY_TRANSACTION_GET, handle_transaction_get, true, ROLE_ANY, false,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_REFUND, handle_refund, true, CASH_DESK, true, NULL },
	{ KASSA__V1__REQUEST__BODY_TOP_UP, handle_top_up, true, CASH_DESK, true, NULL },
	{ KASSA__V1__REQUEST__BODY_RULE_SET_GET, handle_rule_set_get, true, ROLE_ANY, false,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_RULE_SET_PUT, handle_rule_set_put, true, ROLE_ADMIN, true,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_COUPON_DEFINE, handle_coupon_define, true, ROLE_ADMIN, true,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_COUPON_ISSUE, handle_coupon_issue, true, ROLE_STORE, true,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_POINTS_EXPIRE, handle_points_expire, true, ROLE_ADMIN, true,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_TIER_SET, handle_tier_set, true, ROLE_MANAGER | ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_TIER_REEVALUATE, handle_tier_reevaluate, true, ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_STAFF_UNLOCK, handle_staff_unlock, true,
	  ROLE_MANAGER | ROLE_ADMIN, true, NULL },
	{ KASSA__V1__REQUEST__BODY_CATALOG_SYNC, handle_catalog_sync, true, ROLE_ANY, false,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_FEEDBACK, handle_feedback, true, CASH_DESK, true, NULL },
	{ KASSA__V1__REQUEST__BODY_SHIFT_OPEN, handle_shift_open, true, CASH_DESK, true, NULL },
	{ KASSA__V1__REQUEST__BODY_SHIFT_REPORT, handle_shift_report, true, ROLE_ANY, true,
	  shift_report_is_x },
	{ KASSA__V1__REQUEST__BODY_RATES_GET, handle_rates_get, true, ROLE_ANY, false, NULL },
	{ KASSA__V1__REQUEST__BODY_RATES_SET, handle_rates_set, true, ROLE_MANAGER | ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_MEMBER_360, handle_member_360, true, HEAD_OFFICE, false, NULL },
	{ KASSA__V1__REQUEST__BODY_MEMBER_FIND, handle_member_find, true, HEAD_OFFICE, false,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_SEGMENT_SAVE, handle_segment_save, true,
	  ROLE_ANALYST | ROLE_ADMIN, true, NULL },
	{ KASSA__V1__REQUEST__BODY_SEGMENT_GET, handle_segment_get, true, HEAD_OFFICE, false,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_SEGMENT_LIST, handle_segment_list, true, HEAD_OFFICE, false,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_REPORT_RUN, handle_report_run, true, HEAD_OFFICE, false, NULL },
	{ KASSA__V1__REQUEST__BODY_EXPORT_PAGE, handle_export_page, true,
	  ROLE_ANALYST | ROLE_ADMIN, true, export_is_start_route },
	{ KASSA__V1__REQUEST__BODY_ANALYTICS_RUN, handle_analytics_run, true, ROLE_ADMIN, true,
	  NULL },
	/* a member's data rights: administrators only (a privacy act, not a report) */
	{ KASSA__V1__REQUEST__BODY_MEMBER_DATA_EXPORT, handle_member_data_export, true, ROLE_ADMIN,
	  false, NULL },
	{ KASSA__V1__REQUEST__BODY_MEMBER_ERASE, handle_member_erase, true, ROLE_ADMIN, true,
	  NULL },
	/* the operator console: SHOW reads kassad's state; RELOAD redoes what SIGHUP does (no key) */
	{ KASSA__V1__REQUEST__BODY_CONSOLE_SHOW, handle_console_show, true, ROLE_ADMIN, false,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_CONSOLE_RELOAD, handle_console_reload, true, ROLE_ADMIN, false,
	  NULL },
	/* the audit chain's check: reads, and writes only its own audit row (no key) */
	{ KASSA__V1__REQUEST__BODY_AUDIT_VERIFY, handle_audit_verify, true, ROLE_ADMIN, false,
	  NULL },
	/* customer care: complaints (a store's staff open them, managers work them) */
	{ KASSA__V1__REQUEST__BODY_COMPLAINT_OPEN, handle_complaint_open, true, ROLE_STORE, true,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_COMPLAINT_UPDATE, handle_complaint_update, true,
	  ROLE_MANAGER | ROLE_ADMIN, true, NULL },
	{ KASSA__V1__REQUEST__BODY_COMPLAINT_GET, handle_complaint_get, true, HEAD_OFFICE, false,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_COMPLAINT_LIST, handle_complaint_list, true, HEAD_OFFICE, false,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_FEEDBACK_LIST, handle_feedback_list, true, HEAD_OFFICE, false,
	  NULL },
	/* follow-ups: the rules are head office's; the calls are anyone's at the store */
	{ KASSA__V1__REQUEST__BODY_FOLLOWUP_RULES_PUT, handle_followup_rules_put, true, ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_FOLLOWUP_RULES_GET, handle_followup_rules_get, true,
	  HEAD_OFFICE, false, NULL },
	{ KASSA__V1__REQUEST__BODY_FOLLOWUP_LIST, handle_followup_list, true, ROLE_ANY, false,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_FOLLOWUP_RECORD, handle_followup_record, true, ROLE_STORE, true,
	  NULL },
	/* messages, endpoints and the outbox: the admin's */
	{ KASSA__V1__REQUEST__BODY_MESSAGE_TEMPLATE_PUT, handle_message_template_put, true,
	  ROLE_ADMIN, true, NULL },
	{ KASSA__V1__REQUEST__BODY_MESSAGE_TEMPLATE_LIST, handle_message_template_list, true,
	  HEAD_OFFICE, false, NULL },
	{ KASSA__V1__REQUEST__BODY_ENDPOINT_PUT, handle_endpoint_put, true, ROLE_ADMIN, true,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_ENDPOINT_LIST, handle_endpoint_list, true, ROLE_ADMIN, false,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_OUTBOX_LIST, handle_outbox_list, true, ROLE_ADMIN, false,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_OUTBOX_RETRY, handle_outbox_retry, true, ROLE_ADMIN, true,
	  NULL },
	/* campaigns: the admin launches them; head office reads how they went */
	{ KASSA__V1__REQUEST__BODY_CAMPAIGN_CREATE, handle_campaign_create, true, ROLE_ADMIN, true,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_CAMPAIGN_LAUNCH, handle_campaign_launch, true, ROLE_ADMIN, true,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_CAMPAIGN_GET, handle_campaign_get, true, HEAD_OFFICE, false,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_CAMPAIGN_LIST, handle_campaign_list, true, HEAD_OFFICE, false,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_CAMPAIGN_REPORT, handle_campaign_report, true, HEAD_OFFICE,
	  false, NULL },
	/* member records: merge and import (admin), the feed for other systems (admin) */
	{ KASSA__V1__REQUEST__BODY_MEMBER_MERGE, handle_member_merge, true, ROLE_ADMIN, true,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_MEMBER_IMPORT, handle_member_import, true, ROLE_ADMIN, true,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_FEED_EXPORT, handle_feed_export, true, ROLE_ADMIN, false,
	  NULL },
	/* a manager's corrections: points (audited); coupon definitions (admin) */
	{ KASSA__V1__REQUEST__BODY_POINTS_ADJUST, handle_points_adjust, true,
	  ROLE_MANAGER | ROLE_ADMIN, true, NULL },
	{ KASSA__V1__REQUEST__BODY_COUPON_DEF_CHANGE, handle_coupon_def_change, true, ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_JOB_RUN, handle_job_run, true, ROLE_ADMIN, true, NULL },
	/* store operations, stores and staff (org.proto) */
	{ KASSA__V1__REQUEST__BODY_STORE_PUT, handle_store_put, true, ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_STORE_LIST, handle_store_list, true, ROLE_ANY,
	  false, NULL },
	{ KASSA__V1__REQUEST__BODY_STAFF_PUT, handle_staff_put, true, ROLE_MANAGER | ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_STAFF_LIST, handle_staff_list, true, HEAD_OFFICE,
	  false, NULL },
	{ KASSA__V1__REQUEST__BODY_STAFF_PIN_RESET, handle_staff_pin_reset, true, ROLE_MANAGER | ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_STAFF_PIN_CHANGE, handle_staff_pin_change, true, ROLE_ANY,
	  true, NULL },
	/* store operations, tills and their certificates (tills.proto) */
	{ KASSA__V1__REQUEST__BODY_TILL_PUT, handle_till_put, true, ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_TILL_LIST, handle_till_list, true, HEAD_OFFICE,
	  false, NULL },
	/* store operations, products, categories, price lists, the gift catalogue (catalog_admin.proto) */
	{ KASSA__V1__REQUEST__BODY_PRODUCT_PUT, handle_product_put, true, ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_PRODUCT_LIST, handle_product_list, true, ROLE_ANY,
	  false, NULL },
	{ KASSA__V1__REQUEST__BODY_CATEGORY_PUT, handle_category_put, true, ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_CATEGORY_LIST, handle_category_list, true, ROLE_ANY,
	  false, NULL },
	{ KASSA__V1__REQUEST__BODY_PRICE_LIST_PUT, handle_price_list_put, true, ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_PRICE_LIST_QUERY, handle_price_list_query, true, HEAD_OFFICE,
	  false, NULL },
	{ KASSA__V1__REQUEST__BODY_GIFT_ITEM_PUT, handle_gift_item_put, true, ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_GIFT_ITEM_LIST, handle_gift_item_list, true, ROLE_ANY,
	  false, NULL },
	/* store operations, stock levels, the stock ledger, low-stock alerts, movers (stock.proto) */
	{ KASSA__V1__REQUEST__BODY_STOCK_LIST, handle_stock_list, true, ROLE_ANY,
	  false, NULL },
	{ KASSA__V1__REQUEST__BODY_STOCK_MOVES, handle_stock_moves, true, HEAD_OFFICE,
	  false, NULL },
	{ KASSA__V1__REQUEST__BODY_STOCK_ADJUST, handle_stock_adjust, true, ROLE_MANAGER | ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_STOCK_ALERT_LIST, handle_stock_alert_list, true, HEAD_OFFICE,
	  false, NULL },
	/* store operations, stock counts and transfers (counts.proto) */
	{ KASSA__V1__REQUEST__BODY_COUNT_OPEN, handle_count_open, true, ROLE_STORE,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_COUNT_SCAN, handle_count_scan, true, ROLE_STORE,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_COUNT_GET, handle_count_get, true, ROLE_ANY,
	  false, NULL },
	{ KASSA__V1__REQUEST__BODY_COUNT_POST, handle_count_post, true, ROLE_MANAGER | ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_TRANSFER_SEND, handle_transfer_send, true, ROLE_MANAGER | ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_TRANSFER_RECEIVE, handle_transfer_receive, true, ROLE_MANAGER | ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_TRANSFER_GET, handle_transfer_get, true, ROLE_ANY,
	  false, NULL },
	{ KASSA__V1__REQUEST__BODY_TRANSFER_LIST, handle_transfer_list, true, HEAD_OFFICE,
	  false, NULL },
	/* store operations, suppliers, purchase orders, goods receiving (supply.proto) */
	{ KASSA__V1__REQUEST__BODY_SUPPLIER_PUT, handle_supplier_put, true, ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_SUPPLIER_LIST, handle_supplier_list, true, HEAD_OFFICE,
	  false, NULL },
	{ KASSA__V1__REQUEST__BODY_SUPPLIER_PRODUCT_PUT, handle_supplier_product_put, true, ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_PURCHASE_SUGGEST, handle_purchase_suggest, true, ROLE_MANAGER | ROLE_ADMIN,
	  false, NULL },
	{ KASSA__V1__REQUEST__BODY_PURCHASE_ORDER_PUT, handle_purchase_order_put, true, ROLE_MANAGER | ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_PURCHASE_ORDER_GET, handle_purchase_order_get, true, HEAD_OFFICE,
	  false, NULL },
	{ KASSA__V1__REQUEST__BODY_PURCHASE_ORDER_LIST, handle_purchase_order_list, true, HEAD_OFFICE,
	  false, NULL },
	{ KASSA__V1__REQUEST__BODY_GOODS_RECEIVE, handle_goods_receive, true, ROLE_MANAGER | ROLE_ADMIN,
	  true, NULL },
	/* store operations, service items and count cards (cards.proto) */
	{ KASSA__V1__REQUEST__BODY_SERVICE_ITEM_PUT, handle_service_item_put, true, ROLE_ADMIN,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_CARD_LIST, handle_card_list, true, ROLE_ANY,
	  false, NULL },
	{ KASSA__V1__REQUEST__BODY_CARD_REDEEM, handle_card_redeem, true, CASH_DESK,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_CARD_REFUND, handle_card_refund, true, ROLE_MANAGER | ROLE_ADMIN,
	  true, NULL },
	/* store operations, staff time: clock in and out (clock.proto) */
	{ KASSA__V1__REQUEST__BODY_CLOCK_IN, handle_clock_in, true, ROLE_ANY,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_CLOCK_OUT, handle_clock_out, true, ROLE_ANY,
	  true, NULL },
	{ KASSA__V1__REQUEST__BODY_CLOCK_LIST, handle_clock_list, true, ROLE_ANY,
	  false, NULL },
};

void routes_setup(void)
{
	dispatch_setup(route_table, ARRAY_SIZE(route_table));
	/* the statements of the domains main.c does not set up itself */
	catalog_sync_setup();
	crm_setup();
	shift_setup();
	member_history_setup();
	member_profile_setup();
	member_find_setup();
	segment_setup();
	member_rights_setup();
	analytics_setup();
	report_setup();
	report_loyalty_setup();
	report_care_setup();
	report_supply_setup();
	report_staff_setup();
	report_stock_setup();
	export_setup();
	dashboard_setup();
	audit_setup();
	console_setup();
	member_merge_setup();
	member_import_setup();
	points_adjust_setup();
	coupon_change_setup();
	/* store operations */
	store_admin_setup();
	staff_admin_setup();
	till_admin_setup();
	catalog_admin_setup();
	price_list_setup();
	gift_admin_setup();
	stock_setup();
	stock_fold_setup();
	count_setup();
	transfer_setup();
	supplier_setup();
	purchase_setup();
	receiving_setup();
	count_card_setup();
	clock_setup();
}
