/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_ops.c: kassa-office's store-operations commands (stores, tills,
 * staff, the catalogue, stock, counts, transfers, suppliers, count cards,
 * staff time): their table, which main.c's find_cmd() searches after its
 * own, and their part of the usage text. The commands live by family in
 * the *_cmds.c files named below.
 */
#include <stdio.h>

#include "i18n.h"
#include "office.h"
#include "store_ops.h"

/* store-ops/org: declarations (org_cmds.c) */
#include "org_cmds.h"
/* store-ops/tills: declarations (till_cmds.c) */
#include "till_cmds.h"
/* store-ops/catalog: declarations (catalog_cmds.c) */
int cmd_product_put(KassaClient *kc, const Args *a);
int cmd_product_list(KassaClient *kc, const Args *a);
int cmd_category_put(KassaClient *kc, const Args *a);
int cmd_category_list(KassaClient *kc, const Args *a);
int cmd_pricelist_put(KassaClient *kc, const Args *a);
int cmd_pricelist_list(KassaClient *kc, const Args *a);
int cmd_gift_put(KassaClient *kc, const Args *a);
int cmd_gift_list(KassaClient *kc, const Args *a);
int cmd_product_import(KassaClient *kc, const Args *a);
/* store-ops/stock: declarations (stock_cmds.c) */
int cmd_stock_list(KassaClient *kc, const Args *a);
int cmd_stock_moves(KassaClient *kc, const Args *a);
int cmd_stock_adjust(KassaClient *kc, const Args *a);
int cmd_stock_safety(KassaClient *kc, const Args *a);
int cmd_stock_alerts(KassaClient *kc, const Args *a);
/* store-ops/counts: declarations (count_cmds.c) */
#include "count_cmds.h"
/* store-ops/supply: declarations (supply_cmds.c) */
#include "supply_cmds.h"
/* store-ops/cards: declarations (card_cmds.c) */
#include "card_cmds.h"
/* store-ops/clock: declarations (clock_cmds.c) */
int cmd_clock_list(KassaClient *kc, const Args *a);

const OfficeCmdRow store_ops_cmds[] = {
	/* store-ops/org: rows */
	{ "store", "put", cmd_store_put },
	{ "store", "add", cmd_store_add },
	{ "store", "list", cmd_store_list },
	{ "staff", "add", cmd_staff_add },
	{ "staff", "set", cmd_staff_set },
	{ "staff", "disable", cmd_staff_disable },
	{ "staff", "enable", cmd_staff_enable },
	{ "staff", "list", cmd_staff_list },
	{ "staff", "pin-reset", cmd_staff_pin_reset },
	/* store-ops/tills: rows */
	{ "till", "put", cmd_till_put },
	{ "till", "list", cmd_till_list },
	/* store-ops/catalog: rows */
	{ "product", "put", cmd_product_put },
	{ "product", "list", cmd_product_list },
	{ "category", "put", cmd_category_put },
	{ "category", "list", cmd_category_list },
	{ "pricelist", "put", cmd_pricelist_put },
	{ "pricelist", "list", cmd_pricelist_list },
	{ "gift", "put", cmd_gift_put },
	{ "gift", "list", cmd_gift_list },
	{ "product", "import", cmd_product_import },
	/* store-ops/stock: rows */
	{ "stock", "list", cmd_stock_list },
	{ "stock", "moves", cmd_stock_moves },
	{ "stock", "adjust", cmd_stock_adjust },
	{ "stock", "safety", cmd_stock_safety },
	{ "stock", "alerts", cmd_stock_alerts },
	/* store-ops/counts: rows */
	{ "count", "show", cmd_count_show },
	{ "count", "post", cmd_count_post },
	{ "transfer", "send", cmd_transfer_send },
	{ "transfer", "receive", cmd_transfer_receive },
	{ "transfer", "show", cmd_transfer_show },
	{ "transfer", "list", cmd_transfer_list },
	/* store-ops/supply: rows */
	{ "supplier", "put", cmd_supplier_put },
	{ "supplier", "list", cmd_supplier_list },
	{ "supplier", "product", cmd_supplier_product },
	{ "po", "suggest", cmd_po_suggest },
	{ "po", "create", cmd_po_create },
	{ "po", "send", cmd_po_send },
	{ "po", "cancel", cmd_po_cancel },
	{ "po", "close", cmd_po_close },
	{ "po", "show", cmd_po_show },
	{ "po", "list", cmd_po_list },
	{ "po", "receive", cmd_po_receive },
	/* store-ops/cards: rows */
	{ "service", "put", cmd_service_put },
	{ "card", "list", cmd_card_list },
	{ "card", "redeem", cmd_card_redeem },
	{ "card", "refund", cmd_card_refund },
	/* store-ops/clock: rows */
	{ "clock", "list", cmd_clock_list },
	{ NULL, NULL, NULL },
};

void store_ops_usage(FILE *f)
{
	fprintf(f, "%s\n", _("store operations:"));
	/* store-ops/org: usage */
	fprintf(f, "  store put CODE [name=TEXT] [currency=CNY] [timezone=Asia/Shanghai]"
		" [negative_stock=yes|no]\n    %s\n", _("create or change a store (admin)"));
	fprintf(f, "  store add CODE name=TEXT [...]\n    %s\n",
		_("create a store; a code in use is refused"));
	fprintf(f, "  store list\n");
	fprintf(f, "  staff add [ID] name=TEXT role=cashier|manager|analyst|admin [store=ID|0]\n"
		"    %s\n", _("create a staff member; the PIN is read from KASSA_NEW_PIN or stdin"));
	fprintf(f, "  staff set ID [name=TEXT] [role=ROLE] [store=ID|0]\n");
	fprintf(f, "  staff disable ID | staff enable ID\n    %s\n",
		_("a disabled staff member cannot log in"));
	fprintf(f, "  staff list [store=ID]\n");
	fprintf(f, "  staff pin-reset ID\n    %s\n",
		_("set a new PIN (KASSA_NEW_PIN or stdin) and lift a lockout"));
	/* store-ops/tills: usage */
	fprintf(f, "  till put CODE [store=ID] [kind=till|office|bench] [active=yes|no]\n    %s\n",
		_("register a till by its certificate's CN, move, deactivate or reactivate it"));
	fprintf(f, "  till list [store=ID]\n    %s\n", _("the tills of a store, or of every store"));
	/* store-ops/catalog: usage */
	fprintf(f, "  product put SKU name=NAME price=12.34 [barcode=EAN] [category=NAME]"
		" [active=yes|no] [stocked=yes|no]\n    %s\n",
		_("create or change a product (barcodes: EAN-13, UPC-A, EAN-8 with their check digit)"));
	fprintf(f, "  product list [category=NAME] [name=PREFIX] [after=SEQ]\n    %s\n",
		_("products in the order of their last change"));
	fprintf(f, "  product import FILE   (CSV: sku,name,price[,barcode,category,currency,"
		"active,stocked])\n    %s\n", _("create or change products from a file, each row reported"));
	fprintf(f, "  category put CODE name=NAME [parent=CODE] [active=yes|no] | category list\n"
		"    %s\n", _("create, rename or withdraw a product category; list them"));
	fprintf(f, "  pricelist put NAME store=ID from=YYYY-MM-DD [to=YYYY-MM-DD] [priority=N]"
		" SKU=PRICE... | file=CSV\n    %s\n",
		_("a store's prices for some days (the highest priority, then the newest list wins)"));
	fprintf(f, "  pricelist list [store=ID]\n    %s\n", _("the stores' price lists and their items"));
	fprintf(f, "  gift put SKU points=N stock=N [active=yes|no] | gift list [all]\n    %s\n",
		_("the gift catalogue: products given for points"));
	/* store-ops/stock: usage */
	fprintf(f, "  stock list [store=ID] [below=yes] [class=fast|medium|slow|none]\n    %s\n",
		_("a store's stock levels, safety levels and mover classes"));
	fprintf(f, "  stock moves SKU [store=ID] [before=ID] [limit=N]\n    %s\n",
		_("the stock ledger of a product at a store, newest first"));
	fprintf(f, "  stock adjust SKU QTY --reason TEXT [store=ID]\n    %s\n",
		_("add or take away stock by hand (a negative QTY as qty=-N)"));
	fprintf(f, "  stock safety SKU LEVEL [store=ID]\n    %s\n",
		_("set a product's safety level (0: no low-stock alert)"));
	fprintf(f, "  stock alerts [store=ID] [all]\n    %s\n",
		_("a store's open low-stock alerts (all: the cleared ones too)"));
	/* store-ops/counts: usage */
	fprintf(f, "  count show ID | count post ID [cancel]\n    %s\n",
		_("a stock count's variance; post it to the stock ledger, or cancel it"));
	fprintf(f, "  transfer send to=STORE SKU=QTY... [from=STORE] [note=TEXT]\n    %s\n",
		_("send stock to another store (it stays in transit until received)"));
	fprintf(f, "  transfer receive ID [SKU=QTY...] | transfer show ID\n    %s\n",
		_("receive a transfer (none given: everything as sent); show one"));
	fprintf(f, "  transfer list [store=ID] [state=sent|received] [limit=N] [before=ID]\n"
		"    %s\n", _("transfers, newest first"));
	/* store-ops/supply: usage */
	fprintf(f, "  supplier put CODE name=NAME [contact=..] [phone=..] [email=..] [address=..]"
		   " [active=yes|no]\n    %s\n", _("create or change a supplier and its contacts"));
	fprintf(f, "  supplier list [all]\n    %s\n", _("the suppliers and what they supply"));
	fprintf(f, "  supplier product SUPPLIER SKU cost=12.34 lead_days=N [pack=N] [min=N]"
		   " [preferred=yes]\n    %s\n", _("what a supplier supplies, at what cost and lead time"));
	fprintf(f, "  po suggest supplier=CODE [store=ID] [review=DAYS]\n    %s\n",
		_("quantities to order from sales, stock, open orders and safety levels"));
	fprintf(f, "  po create supplier=CODE [store=ID] SKU=QTY... | from-suggestion\n    %s\n",
		_("a new draft purchase order"));
	fprintf(f, "  po send|cancel|close ID\n    %s\n",
		_("send an order, cancel it, or close it short"));
	fprintf(f, "  po show ID | po list [state=..] [store=ID] [supplier=CODE]\n    %s\n",
		_("an order with what is outstanding, or the orders"));
	fprintf(f, "  po receive ID SKU=QTY... | all\n    %s\n",
		_("goods received against an order (up to a tenth over its quantity)"));
	fprintf(f, "  report suppliers [from=DATE] [to=DATE]\n    %s\n",
		_("supplier performance: on-time rate, fill rate, lead time"));
	/* store-ops/cards: usage */
	fprintf(f, "  service put SKU visits=N [days=D] [active=yes|no]   (%s)\n"
		"  card list MEMBER [all]\n  card redeem CARD_ID [visits=N] [member=ID]\n"
		"  card refund CARD_ID   (%s)\n",
		_("a product sold as N visits (count card), valid D days"),
		_("pays the unused remainder out in cash at this till"));
	/* store-ops/clock: usage */
	fprintf(f, "  clock list [staff=ID] [store=ID] [week=YYYY-Www] [shift=ID]\n    %s\n",
		_("staff clock records and hours per week, or the staff of a till's shift"));
	fprintf(f, "  report staff_hours|cashier_performance [from=DATE] [to=DATE] [store=ID]\n"
		"    %s\n", _("hours per staff member and week; sales, sign-ups and hours per cashier"));
	fprintf(f, "  report shift_staff [from=DATE] [to=DATE] [store=ID]\n    %s\n",
		_("each till shift: cash expected, counted, over/short, and who was clocked in"));
}
