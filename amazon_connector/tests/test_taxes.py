import copy
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from odoo.tests import tagged

from spapi_emulator.generator import generate_orders

from .common import CLIENT_ID, CLIENT_SECRET, AmazonEmulatorCase

# The statutory sales-tax rates of each country, as its tax authority publishes them for
# 2026 (Canada: GST, HST, and GST + PST/QST per province). Held here, apart from the addon's
# own table, so that a wrong rate in the addon cannot make its own test pass.
STATUTORY = {
    "DE": {19, 7},
    "FR": {20, 10, 5.5, 2.1},
    "IT": {22, 10, 5, 4},
    "ES": {21, 10, 4},
    "GB": {20, 5, 0},
    "PL": {23, 8, 5, 0},
    "SE": {25, 12, 6},
    "NL": {21, 9},
    "JP": {10, 8},
    "CA": {5, 11, 12, 13, 14, 14.975, 15},
}
MARKETPLACES = {
    "eu": {
        "DE": "A1PA6795UKMFR9",
        "FR": "A13V1IB3VIYZZH",
        "IT": "APJ6JRA9NG5V4",
        "ES": "A1RKKUPIHCS9HS",
        "GB": "A1F83G8C2ARO7P",
        "PL": "A1C3SOZRARQ6R3",
        "SE": "A2NODRKZP88ZB9",
        "NL": "A1805IZSGTT6HS",
    },
    "na": {"US": "ATVPDKIKX0DER", "CA": "A2EUQ1WTGCTBG2"},
    "fe": {"JP": "A1VC38T7YXB528"},
}
SELLERS = {"eu": "A1BERGMANNEU", "na": "A1BERGMANNNA", "fe": "A1BERGMANNFE"}
COLLECTED_LINES = ("collected_tax", "sales_tax")
CITIES = {"Toronto": "ON", "Montréal": "QC", "Vancouver": "BC", "Calgary": "AB", "Halifax": "NS"}


@tagged("post_install", "-at_install", "amazon_connector")
class TestAmazonTaxes(AmazonEmulatorCase):
    """A German seller (l10n_de chart, One-Stop-Shop fiscal positions) selling in Europe,
    North America and Japan: every order on real taxes, to Amazon's cents."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for region, seller_id in SELLERS.items():
            cls.emulator.add_seller(
                seller_id,
                f"Bergmann Versand {region.upper()}",
                list(MARKETPLACES[region].values()),
                granted_data=("BUYER", "RECIPIENT"),
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                refresh_token=f"Atzr|bergmann-{region}",
            )
        cls.company = cls.env["res.company"].create(
            {
                "name": "Bergmann Versand GmbH",
                "country_id": cls.env.ref("base.de").id,
                "currency_id": cls.env.ref("base.EUR").id,
            }
        )
        cls.env.user.company_ids |= cls.company
        cls.env["account.chart.template"].try_loading("de_skr03", cls.company, install_demo=False)
        cls.company._map_eu_taxes()
        cls.taxes_before = cls.env["account.tax"].search([("company_id", "=", cls.company.id)])

    def german_channel(self, region, **values):
        channel = (
            self.env["amazon.channel"]
            .with_company(self.company)
            .create(
                {
                    "seller_id": SELLERS[region],
                    "region": region,
                    "company_id": self.company.id,
                    "warehouse_id": self.env["stock.warehouse"]
                    .search([("company_id", "=", self.company.id)], limit=1)
                    .id,
                    "refresh_token": f"Atzr|bergmann-{region}",
                    "api_base_url": self.emulator_url,
                    "lwa_token_url": f"{self.emulator_url}/auth/o2/token",
                    "state": "connected",
                    "import_fba": True,
                    **values,
                }
            )
        )
        channel.marketplace_ids = self.env["amazon.marketplace"].search(
            [("amazon_id", "in", list(MARKETPLACES[region].values()))]
        )
        return channel

    def generated(self, region, count, seed, **kwargs):
        return generate_orders(
            seed=seed,
            count=count,
            seller_id=SELLERS[region],
            marketplace_ids=list(MARKETPLACES[region].values()),
            now=self.emulator.clock.now() - timedelta(hours=1),
            days=20,
            **kwargs,
        )

    def import_into(self, channel, orders):
        self.emulator.load_orders(channel.seller_id, orders)
        log = self.env["amazon.order.importer"]._run(channel)
        self.assertEqual(log.state, "done", log.line_ids.mapped("message"))
        return self.env["sale.order"].search([("amazon_channel_id", "=", channel.id)])

    @staticmethod
    def amazon_tax(order):
        return sum(
            (
                Decimal(entry["subtotal"]["amount"])
                for item in order["orderItems"]
                for entry in item.get("proceeds", {}).get("breakdowns", [])
                if entry["type"] == "TAX"
            ),
            Decimal(0),
        )

    @staticmethod
    def money(value, currency):
        return Decimal(str(value)).quantize(Decimal(1) if currency == "JPY" else Decimal("0.01"))

    def assert_collected_by_amazon(self, tax):
        """Amazon's tax: on the clearing account, and nothing that reaches a tax report."""
        self.assertTrue(tax.amazon_collected_by_amazon, tax.name)
        repartition = tax.invoice_repartition_line_ids | tax.refund_repartition_line_ids
        self.assertFalse(repartition.tag_ids, tax.name)
        self.assertEqual(
            set(
                repartition.filtered(lambda r: r.repartition_type == "tax")
                .account_id.with_company(tax.company_id)
                .mapped("code")
            ),
            {"AMZTAX"},
        )

    # -- the whole range of marketplaces -------------------------------------------------------

    def test_every_order_on_statutory_taxes_and_amazons_cents(self):
        counts = {"eu": 440, "na": 170, "fe": 60}
        kinds, sales, amazon_orders = Counter(), self.env["sale.order"], {}
        for seed, (region, count) in enumerate(counts.items(), start=40):
            channel = self.german_channel(region)
            orders = self.generated(region, count, seed, business_share=0.15)
            amazon_orders.update({o["orderId"]: o for o in orders})
            sales |= self.import_into(channel, orders)
        self.assertGreaterEqual(len(sales), 500)
        for sale in sales:
            amazon = amazon_orders[sale.amazon_order_ref]
            reference, currency = sale.amazon_order_ref, sale.currency_id.name
            country = sale.amazon_marketplace_id.country_id.code
            self.assertEqual(
                self.money(sale.amount_total, currency),
                Decimal(amazon["proceeds"]["grandTotal"]["amount"]),
                reference,
            )
            amazon_tax = self.amazon_tax(amazon)
            if amazon_tax:
                self.assertEqual(self.money(sale.amount_tax, currency), amazon_tax, reference)
            self.assertFalse(
                sale.order_line.filtered(lambda line: line.amazon_line_kind == "difference"),
                f"{reference}: Odoo reproduces Amazon's rounding without a difference line",
            )
            priced = sale.order_line.filtered(
                lambda line: line.amazon_line_kind not in COLLECTED_LINES and line.tax_id
            )
            self.assertLessEqual(
                len(set(priced.tax_id.mapped("price_include"))), 1, f"{reference} mixes"
            )
            for tax in sale.order_line.tax_id:
                if tax.amazon_collected_by_amazon:
                    self.assert_collected_by_amazon(tax)
                    kinds["collected by Amazon"] += 1
                elif tax in self.taxes_before:
                    kinds["company tax"] += 1
                else:
                    self.assertTrue(tax.amazon_generated, tax.name)
                    tax_country = tax.amazon_tax_country_id or tax.country_id
                    self.assertIn(tax.amount, STATUTORY[tax_country.code], tax.name)
                    # The marketplace's country: in the EU the ship-to country, which the
                    # generator always takes in the marketplace's country.
                    self.assertEqual(tax_country.code, country, f"{reference}: {tax.name}")
                    kinds["created tax"] += 1
            kinds[country] += 1
            kinds["business"] += sale.amazon_is_business
            kinds["promotion"] += "discount" in sale.order_line.mapped("amazon_line_kind")
            kinds["gift wrap"] += "gift_wrap" in sale.order_line.mapped("amazon_line_kind")
            kinds["facilitator"] += bool(sale.amazon_tax_collected_by)
        for needed in (*STATUTORY, "US", "business", "promotion", "gift wrap", "facilitator"):
            self.assertTrue(kinds[needed], f"the generated orders include {needed}: {kinds}")
        # German orders carry the localisation's own 19 %; the other EU countries the
        # One-Stop-Shop taxes that l10n_eu_oss made for them (pre-existing, or their twins).
        german = sales.filtered(
            lambda s: s.amazon_marketplace_id.country_id.code == "DE" and not s.amazon_is_business
        )
        self.assertTrue(german)
        self.assertEqual(set(german.order_line.tax_id.mapped("amount")), {19.0})

    # -- One-Stop Shop -------------------------------------------------------------------------

    def test_german_seller_shipping_to_france_books_french_vat_through_oss(self):
        channel = self.german_channel("eu")
        orders = [
            o
            for o in self.generated("eu", 200, seed=7, business_share=0)
            if o["salesChannel"]["marketplaceId"] == MARKETPLACES["eu"]["FR"]
            and o["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
        ][:3]
        self.assertTrue(orders)
        for sale in self.import_into(channel, orders):
            position = sale.fiscal_position_id
            self.assertEqual(position.country_id.code, "FR")
            self.assertTrue(position.auto_apply)
            taxes = sale.order_line.tax_id
            self.assertEqual(set(taxes.mapped("amount")), {20.0})
            self.assertTrue(all(taxes.mapped("price_include")), "consumer prices include VAT")
            oss_tag = self.env.ref("l10n_eu_oss.tag_oss")
            for tax in taxes:
                self.assertIn(oss_tag, tax.invoice_repartition_line_ids.tag_ids, tax.name)
                # The tax the position maps the German 19 % to, or its price-included twin.
                original = position.tax_ids.tax_dest_id.filtered(lambda t: t.amount == 20.0)
                self.assertIn(tax.name.replace(" (incl.)", ""), original.mapped("name"))
            self.assertEqual(
                self.money(sale.amount_total, "EUR"),
                Decimal(
                    next(o for o in orders if o["orderId"] == sale.amazon_order_ref)["proceeds"][
                        "grandTotal"
                    ]["amount"]
                ),
            )

    def test_reduced_rate_from_the_listing_follows_the_fiscal_position(self):
        channel = self.german_channel("eu")
        orders = [
            o
            for o in self.generated("eu", 600, seed=11, business_share=0)
            if o["fulfillment"]["fulfillmentStatus"] in ("UNSHIPPED", "SHIPPED")
            and o["fulfillment"]["fulfilledBy"] == "MERCHANT"
            and o["salesChannel"]["marketplaceId"]
            in (MARKETPLACES["eu"]["DE"], MARKETPLACES["eu"]["FR"])
        ]
        sold_in = {}
        for o in orders:
            for i in o["orderItems"]:
                sold_in.setdefault(i["product"]["sellerSku"], set()).add(
                    o["salesChannel"]["marketplaceId"]
                )
        book_sku = next(sku for sku, where in sorted(sold_in.items()) if len(where) == 2)
        reduced = self.env["account.tax"].search(
            [
                ("company_id", "=", self.company.id),
                ("type_tax_use", "=", "sale"),
                ("amount", "=", 7.0),
                ("country_id.code", "=", "DE"),
            ],
            limit=1,
        )
        self.assertTrue(reduced, "l10n_de has a 7 % sales tax")
        self.env["amazon.listing"].create(
            {
                "channel_id": channel.id,
                "marketplace_id": channel.marketplace_ids[:1].id,
                "sku": book_sku,
                "product_id": self.env["product.product"].create({"name": "A book"}).id,
                "tax_id": reduced.id,
            }
        )
        self.import_into(channel, orders)
        rates = Counter()
        for sale in self.env["sale.order"].search([("amazon_channel_id", "=", channel.id)]):
            country = sale.amazon_marketplace_id.country_id.code
            for line in sale.order_line.filtered(lambda line: line.amazon_sku == book_sku):
                expected = {"DE": 7.0, "FR": 5.5}[country]
                self.assertEqual(line.tax_id.mapped("amount"), [expected], sale.amazon_order_ref)
                rates[country] += 1
        self.assertTrue(rates["DE"] and rates["FR"], rates)

    # -- tax collected by Amazon ---------------------------------------------------------------

    def test_us_marketplace_facilitator_tax_stays_out_of_the_sellers_tax_report(self):
        channel = self.german_channel("na")
        orders = [
            o
            for o in self.generated("na", 120, seed=5)
            if o["salesChannel"]["marketplaceId"] == MARKETPLACES["na"]["US"]
            and o["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
            and self.amazon_tax(o)
        ][:4]
        self.assertTrue(orders)
        sales = self.import_into(channel, orders)
        by_ref = {o["orderId"]: o for o in orders}
        for sale in sales:
            amazon = by_ref[sale.amazon_order_ref]
            self.assertEqual(sale.amazon_tax_collected_by, "Amazon Services, Inc.")
            self.assertEqual(
                self.money(sale.amount_total, "USD"),
                Decimal(amazon["proceeds"]["grandTotal"]["amount"]),
            )
            self.assertEqual(self.money(sale.amount_tax, "USD"), self.amazon_tax(amazon))
            items = sale.order_line.filtered(lambda line: line.amazon_line_kind == "item")
            self.assertFalse(items.tax_id, "the seller charges no tax of its own")
        # With invoicing on: the connector invoices the shipped orders, paid by Amazon.
        channel.write(
            {
                "invoice_orders": True,
                "payment_journal_id": self.env["account.journal"]
                .create(
                    {
                        "name": "Amazon US",
                        "code": "AMZUS",
                        "type": "bank",
                        "company_id": self.company.id,
                    }
                )
                .id,
            }
        )
        self.env["amazon.order.invoicer"]._run(channel)
        invoices = sales.invoice_ids
        self.assertEqual(len(invoices), len(sales))
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        self.assertLessEqual(set(invoices.mapped("payment_state")), {"paid", "in_payment"})
        tax_lines = invoices.line_ids.filtered("tax_line_id")
        collected = sum(Decimal(str(line.credit)) for line in tax_lines)
        self.assertEqual(collected, sum(self.amazon_tax(o) for o in orders))
        self.assertEqual(
            set(tax_lines.account_id.with_company(self.company).mapped("code")), {"AMZTAX"}
        )
        # The tax report is built from the tags on journal items: none of these have any.
        self.assertFalse(invoices.line_ids.tax_tag_ids)
        self.assertEqual(
            sum(self.money(total, "USD") for total in invoices.mapped("amount_total")),
            sum(Decimal(o["proceeds"]["grandTotal"]["amount"]) for o in orders),
        )

    def test_vat_collected_by_amazon_without_an_amount_is_kept_apart(self):
        """An IOSS / UK deemed-supplier sale: gross prices, no TAX, Amazon remits the VAT."""
        channel = self.german_channel("eu")
        order = copy.deepcopy(
            next(
                o
                for o in self.generated("eu", 200, seed=9, business_share=0)
                if o["salesChannel"]["marketplaceId"] == MARKETPLACES["eu"]["GB"]
                and o["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
            )
        )
        for item in order["orderItems"]:
            item["tax"] = {
                "taxCollections": [
                    {
                        "model": "MARKETPLACE_FACILITATOR",
                        "responsibleParty": "Amazon EU S.a.r.L., UK Branch",
                    }
                ]
            }
        sale = self.import_into(channel, [order])
        self.assertEqual(sale.amazon_tax_collected_by, "Amazon EU S.a.r.L., UK Branch")
        self.assertEqual(
            self.money(sale.amount_total, "GBP"), Decimal(order["proceeds"]["grandTotal"]["amount"])
        )
        taxes = sale.order_line.tax_id
        self.assertEqual(taxes.mapped("amount"), [20.0])
        self.assertTrue(taxes.price_include)
        self.assert_collected_by_amazon(taxes)
        self.assertGreater(sale.amount_tax, 0)

    # -- Canada --------------------------------------------------------------------------------

    def test_canadian_sales_tax_is_the_province_rate(self):
        channel = self.german_channel("na")
        orders = [
            o
            for o in self.generated("na", 200, seed=13)
            if o["salesChannel"]["marketplaceId"] == MARKETPLACES["na"]["CA"]
            and o["fulfillment"]["fulfillmentStatus"] in ("UNSHIPPED", "SHIPPED")
        ]
        provinces = {}
        for sale in self.import_into(channel, orders):
            province = CITIES.get(sale.partner_shipping_id.city)
            provinces.setdefault(province, set()).update(sale.order_line.tax_id.mapped("amount"))
        expected = {"ON": {13.0}, "QC": {14.975}, "BC": {12.0}, "AB": {5.0}, "NS": {14.0}}
        found = {p: r for p, r in provinces.items() if p in expected}
        self.assertGreaterEqual(len(found), 3, provinces)
        for province, rates in found.items():
            self.assertEqual(rates, expected[province], province)

    # -- when Odoo's rounding cannot give Amazon's cents ---------------------------------------

    def test_a_remaining_difference_is_booked_visibly_and_counted(self):
        """Rounding the tax once per order (not per line) moves cents on gross prices."""
        self.company.tax_calculation_rounding_method = "round_globally"
        channel = self.german_channel("eu")
        orders = [
            o
            for o in self.generated("eu", 300, seed=17, business_share=0)
            if o["fulfillment"]["fulfilledBy"] == "MERCHANT"
            and o["fulfillment"]["fulfillmentStatus"] in ("UNSHIPPED", "SHIPPED")
        ]
        self.emulator.load_orders(channel.seller_id, orders)
        log = self.env["amazon.order.importer"]._run(channel)
        sales = self.env["sale.order"].search([("amazon_channel_id", "=", channel.id)])
        self.assertEqual(len(sales), len(orders))
        by_ref = {o["orderId"]: o for o in orders}
        differing = sales.filtered("amazon_amount_difference")
        self.assertTrue(differing, "some gross prices lose a cent when rounded globally")
        for sale in sales:
            amazon_total = Decimal(
                by_ref[sale.amazon_order_ref]["proceeds"]["grandTotal"]["amount"]
            )
            self.assertEqual(self.money(sale.amount_total, sale.currency_id.name), amazon_total)
            line = sale.order_line.filtered(lambda line: line.amazon_line_kind == "difference")
            self.assertEqual(bool(line), sale in differing, sale.amazon_order_ref)
            if line:
                self.assertFalse(line.tax_id)
                self.assertAlmostEqual(line.price_subtotal, sale.amazon_amount_difference)
                self.assertLessEqual(
                    abs(sale.amazon_amount_difference), 0.01 * len(sale.order_line)
                )
        self.assertEqual(log.count_difference, len(differing))
        warnings = log.line_ids.filtered(
            lambda line: line.level == "warning" and "Odoo's taxes give" in line.message
        )
        self.assertEqual(
            set(warnings.mapped("amazon_ref")), set(differing.mapped("amazon_order_ref"))
        )
        self.assertEqual(log.state, "done")

    # -- exempt business sales -----------------------------------------------------------------

    def test_business_buyer_in_another_eu_country_gets_the_intra_community_exemption(self):
        """Amazon charged no VAT to a French business with a VAT number, delivered from
        Germany: the lines carry the exemption the fiscal position gives (0 %, with its tax
        report tags), not French VAT extracted from the price."""
        channel = self.german_channel("eu")
        order = copy.deepcopy(
            next(
                o
                for o in self.generated("eu", 400, seed=19, business_share=0.5)
                if o["salesChannel"]["marketplaceId"] == MARKETPLACES["eu"]["FR"]
                and "AMAZON_BUSINESS" in o.get("programs", [])
                and o["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
                and o["fulfillment"]["fulfilledBy"] == "MERCHANT"
            )
        )
        order.setdefault("buyer", {})["buyerCompanyName"] = "Boulangerie Martin SARL"
        order["tax"] = {
            "taxRegistrations": [
                {
                    "entityType": "BUYER",
                    "taxRegistrationType": "VAT",
                    "taxRegistrationNumber": "FR40303265045",
                }
            ]
        }
        total = Decimal(0)
        for item in order["orderItems"]:  # no TAX: Amazon charged no VAT
            proceeds = item["proceeds"]
            proceeds["breakdowns"] = [b for b in proceeds["breakdowns"] if b["type"] != "TAX"]
            item_total = sum(Decimal(b["subtotal"]["amount"]) for b in proceeds["breakdowns"])
            proceeds["proceedsTotal"]["amount"] = str(item_total)
            total += item_total
        order["proceeds"]["breakdowns"] = [
            b for b in order["proceeds"]["breakdowns"] if b["type"] != "TAX"
        ]
        order["proceeds"]["grandTotal"]["amount"] = str(total)
        sale = self.import_into(channel, [order])
        self.assertEqual(sale.partner_id.vat, "FR40303265045")
        position = sale.fiscal_position_id
        self.assertTrue(position.vat_required, position.name)
        taxes = sale.order_line.tax_id
        self.assertEqual(taxes.mapped("amount"), [0.0])
        self.assertIn(taxes, position.tax_ids.tax_dest_id)
        self.assertTrue(taxes.invoice_repartition_line_ids.tag_ids, "reported as intra-EU")
        self.assertFalse(taxes.price_include)
        self.assertEqual(sale.amount_tax, 0.0)
        self.assertEqual(self.money(sale.amount_total, "EUR"), total)

    # -- less common layouts -------------------------------------------------------------------

    def test_us_sales_tax_the_seller_collects_is_booked_at_amazons_amount(self):
        """Amazon reports sales tax without a marketplace facilitator: the seller's own tax,
        whose rate depends on the city, at Amazon's very amount on the sales tax account."""
        channel = self.german_channel("na")
        order = copy.deepcopy(
            next(
                o
                for o in self.generated("na", 120, seed=23)
                if o["salesChannel"]["marketplaceId"] == MARKETPLACES["na"]["US"]
                and o["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
                and o["fulfillment"]["fulfilledBy"] == "MERCHANT"
                and self.amazon_tax(o)
            )
        )
        for item in order["orderItems"]:
            item.pop("tax", None)
        sale = self.import_into(channel, [order])
        self.assertFalse(sale.amazon_tax_collected_by)
        self.assertEqual(self.money(sale.amount_tax, "USD"), self.amazon_tax(order))
        self.assertEqual(
            self.money(sale.amount_total, "USD"), Decimal(order["proceeds"]["grandTotal"]["amount"])
        )
        tax_lines = sale.order_line.filtered(lambda line: line.amazon_line_kind == "sales_tax")
        self.assertEqual(len(tax_lines), len(order["orderItems"]))
        tax = tax_lines.tax_id
        self.assertEqual(tax.name, "Sales tax charged on Amazon (US)")
        self.assertFalse(tax.amazon_collected_by_amazon)
        self.assertEqual(
            tax.invoice_repartition_line_ids.filtered(
                lambda r: r.repartition_type == "tax"
            ).account_id,
            self.env["account.tax"]._amazon_sales_tax_account(self.company),
        )

    def test_an_order_mixing_taxed_and_gross_items_is_priced_net(self):
        """A Business order where Amazon taxed one item and gave the other at its gross price:
        the whole order net, the gross item converted at the statutory rate."""
        channel = self.german_channel("eu")
        order = copy.deepcopy(
            next(
                o
                for o in self.generated("eu", 600, seed=29, business_share=0.6)
                if o["salesChannel"]["marketplaceId"] == MARKETPLACES["eu"]["DE"]
                and "AMAZON_BUSINESS" in o.get("programs", [])
                and o["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
                and o["fulfillment"]["fulfilledBy"] == "MERCHANT"
                and len(o["orderItems"]) >= 2
                and {b["type"] for b in o["orderItems"][-1]["proceeds"]["breakdowns"]}
                == {"ITEM", "TAX"}
            )
        )
        gross_item = order["orderItems"][-1]
        proceeds = gross_item["proceeds"]
        tax = next(b for b in proceeds["breakdowns"] if b["type"] == "TAX")
        proceeds["breakdowns"] = [b for b in proceeds["breakdowns"] if b["type"] != "TAX"]
        for entry in proceeds["breakdowns"]:  # the item's charges as gross amounts
            if entry["type"] == "ITEM":
                entry["subtotal"]["amount"] = str(
                    Decimal(entry["subtotal"]["amount"]) + Decimal(tax["subtotal"]["amount"])
                )
        order_tax = next(b for b in order["proceeds"]["breakdowns"] if b["type"] == "TAX")
        order_tax["subtotal"]["amount"] = str(
            Decimal(order_tax["subtotal"]["amount"]) - Decimal(tax["subtotal"]["amount"])
        )
        order_item = next(b for b in order["proceeds"]["breakdowns"] if b["type"] == "ITEM")
        order_item["subtotal"]["amount"] = str(
            Decimal(order_item["subtotal"]["amount"]) + Decimal(tax["subtotal"]["amount"])
        )
        sale = self.import_into(channel, [order])
        self.assertEqual(
            self.money(sale.amount_total, "EUR"), Decimal(order["proceeds"]["grandTotal"]["amount"])
        )
        priced = sale.order_line.filtered(lambda line: line.amazon_line_kind != "difference")
        self.assertEqual(set(priced.tax_id.mapped("price_include")), {False})
        self.assertEqual(set(priced.tax_id.mapped("amount")), {19.0})
        self.assertLessEqual(abs(sale.amazon_amount_difference), 0.01 * len(sale.order_line))
