"""Who an Amazon order is for: delivery addresses without personal data, no address shared
between orders, business buyers, and what Amazon says of a cancelled order."""

import copy
from datetime import timedelta

from odoo.tests import tagged

from spapi_emulator.clock import isoformat

from .common import SELLER_ID, AmazonEmulatorCase

PERSONAL_ADDRESS_FIELDS = ("street", "street2", "zip", "phone", "email")


@tagged("post_install", "-at_install")
class TestOrderCustomers(AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        self.connect(import_fba=True)

    def imported(self):
        return self.env["sale.order"].search([("amazon_channel_id", "=", self.channel.id)])

    def variant(self, amazon, number, **address):
        """A copy of ``amazon`` under another order id, delivered to ``address``."""
        order = copy.deepcopy(amazon)
        order["orderId"] = f"{amazon['orderId'][:-3]}{number:03d}"
        for index, item in enumerate(order["orderItems"]):
            item["orderItemId"] = f"{number:03d}{index:011d}"
        order["recipient"]["deliveryAddress"].update(address)
        return order

    def test_without_personal_data_addresses_keep_city_region_and_country(self):
        orders = self.seed_orders(60, seed=2)
        self.import_orders()
        included = str(self.emulator.requests("searchOrders")[-1]["query"].get("includedData"))
        self.assertIn("RECIPIENT", included, "the non-personal part of the address is needed")
        sales = self.imported()
        by_ref = {o["orderId"]: o for o in orders}
        checked = 0
        for sale in sales:
            address = by_ref[sale.amazon_order_ref].get("recipient", {}).get("deliveryAddress")
            if not address:
                continue
            delivery = sale.partner_shipping_id
            self.assertEqual(delivery.country_id.code, address["countryCode"], sale.name)
            self.assertTrue(delivery.city.startswith(address["city"]), sale.name)
            if address.get("stateOrRegion") and delivery.state_id:
                self.assertIn(
                    address["stateOrRegion"].lower(),
                    (delivery.state_id.code.lower(), delivery.state_id.name.lower()),
                )
            for field in PERSONAL_ADDRESS_FIELDS:
                self.assertFalse(delivery[field], f"{sale.name}: {field}")
            self.assertNotIn(address["name"], delivery.display_name)
            checked += 1
        self.assertGreater(checked, 20)
        customers = sales.partner_id | sales.partner_shipping_id | sales.partner_invoice_id
        for field in PERSONAL_ADDRESS_FIELDS:
            self.assertFalse(any(customers.mapped(field)), field)
        buyer_names = {
            o["buyer"]["buyerName"] for o in orders if o.get("buyer", {}).get("buyerName")
        }
        self.assertFalse(buyer_names & set(customers.mapped("name")))

    def test_orders_without_buyer_names_keep_their_own_addresses(self):
        self.channel.personal_data_access = True
        generated = self.seed_orders(60, seed=9)
        with self.emulator.lock:
            self.emulator.orders.clear()
            self.emulator.order_seller.clear()
        unshipped = self.first_with(generated, "UNSHIPPED", "MERCHANT")
        fba = self.first_with(generated, "SHIPPED", "AMAZON")
        munich, nuremberg, hamburg = (
            self.variant(
                base,
                number,
                city=city,
                postalCode=postcode,
                addressLine1=street,
                countryCode="DE",
                stateOrRegion=region,
            )
            for base, number, city, postcode, street, region in (
                (fba, 1, "München", "80331", "Marienplatz 1", "Bayern"),
                (unshipped, 2, "Nürnberg", "90402", "Hauptmarkt 3", "Bayern"),
                (unshipped, 3, "Hamburg", "20095", "Jungfernstieg 7", "Hamburg"),
            )
        )
        for order in (munich, nuremberg, hamburg):
            order.pop("buyer", None)  # Amazon names no buyer
            order["salesChannel"]["marketplaceId"] = "A1PA6795UKMFR9"
        self.emulator.load_orders(SELLER_ID, [nuremberg, munich, hamburg])
        self.import_orders()
        sales = {
            ref: self.odoo_order(ref)
            for ref in (o["orderId"] for o in (munich, nuremberg, hamburg))
        }
        self.assertEqual(len(sales), 3)
        for amazon in (munich, nuremberg, hamburg):
            sale = sales[amazon["orderId"]]
            address = amazon["recipient"]["deliveryAddress"]
            self.assertEqual(sale.partner_shipping_id.street, address["addressLine1"])
            self.assertEqual(sale.partner_shipping_id.city, address["city"])
            self.assertEqual(sale.partner_shipping_id.country_id.code, "DE")
            self.assertEqual(sale.picking_ids.partner_id, sale.partner_shipping_id)
        placeholder = sales[munich["orderId"]].partner_id
        self.assertTrue(placeholder.amazon_placeholder)
        self.assertEqual(sales[nuremberg["orderId"]].partner_id, placeholder)
        for field in ("street", "city", "zip", "country_id", "state_id", "phone", "email"):
            self.assertFalse(placeholder[field], f"placeholder holds a {field}")
        self.assertEqual(
            len({sale.partner_shipping_id for sale in sales.values()}), 3, "one address each"
        )
        streets = self.env["res.partner"].search([("amazon_customer", "=", True)]).mapped("street")
        for street in ("Marienplatz 1", "Hauptmarkt 3", "Jungfernstieg 7"):
            self.assertEqual(streets.count(street), 1, street)

    def test_address_changed_before_shipping_follows_on_order_and_delivery(self):
        self.channel.personal_data_access = True
        orders, (amazon,) = self.import_unshipped(seed=3)
        sale = orders
        address = amazon["recipient"]["deliveryAddress"]
        with self.emulator.lock:
            address.update(addressLine1="Neue Straße 5", city="Leipzig")
            amazon["lastUpdatedTime"] = isoformat(self.emulator.clock.now() - timedelta(minutes=30))
        self.import_orders(rescan=True)
        self.assertEqual(sale.partner_shipping_id.street, "Neue Straße 5")
        self.assertEqual(sale.partner_shipping_id.city, "Leipzig")
        self.assertEqual(sale.picking_ids.partner_id.street, "Neue Straße 5")

    def test_business_order_purchase_order_number_and_vat(self):
        generated = self.seed_orders(60, seed=5)
        with self.emulator.lock:
            self.emulator.orders.clear()
            self.emulator.order_seller.clear()
        order = self.variant(self.first_with(generated, "UNSHIPPED", "MERCHANT"), 7)
        order["salesChannel"]["marketplaceId"] = "A1PA6795UKMFR9"
        order["recipient"]["deliveryAddress"]["countryCode"] = "DE"
        order["programs"] = ["AMAZON_BUSINESS"]
        order["buyer"] = {
            "buyerName": "Erika Mustermann",
            "buyerCompanyName": "Muster Werkzeuge GmbH",
            "buyerPurchaseOrderNumber": "PO-2026-0815",
        }
        order["tax"] = {
            "taxRegistrations": [
                {
                    "entityType": "BUYER",
                    "legalName": "Muster Werkzeuge GmbH",
                    "taxRegistrationType": "VAT",
                    "taxRegistrationNumber": "DE123456789",
                }
            ]
        }
        plain = self.variant(order, 8)
        plain["programs"], plain["buyer"], plain["tax"] = [], {"buyerName": "Max"}, {}
        self.emulator.load_orders(SELLER_ID, [order, plain])
        self.import_orders()
        sale = self.odoo_order(order["orderId"])
        self.assertTrue(sale.amazon_is_business)
        self.assertEqual(sale.client_order_ref, "PO-2026-0815")
        self.assertEqual(sale.amazon_buyer_vat, "DE123456789")
        self.assertEqual(sale.partner_id.name, "Muster Werkzeuge GmbH")
        self.assertEqual(sale.partner_id.vat, "DE123456789")
        self.assertTrue(sale.partner_id.is_company)
        self.assertNotIn("Erika", sale.partner_id.display_name, "personal data is off")
        consumer = self.odoo_order(plain["orderId"])
        self.assertEqual(consumer.client_order_ref, plain["orderId"])
        self.assertFalse(consumer.amazon_buyer_vat)

    def test_cancelled_order_keeps_amazon_total_and_shows_the_reason(self):
        orders, (amazon,) = self.import_unshipped(seed=3)
        sale = orders
        total = self.grand_total(amazon)
        with self.emulator.lock:
            amazon["fulfillment"]["fulfillmentStatus"] = "CANCELLED"
            amazon.pop("proceeds", None)
            for item in amazon["orderItems"]:
                item.pop("proceeds", None)
                item["cancellation"] = {
                    "cancellationExecution": {
                        "cancelledBy": "BUYER",
                        "cancelReason": "Ordered by mistake",
                    }
                }
            amazon["lastUpdatedTime"] = isoformat(self.emulator.clock.now() - timedelta(minutes=30))
        self.import_orders(rescan=True)
        self.assertEqual(sale.amazon_status, "CANCELLED")
        self.assertEqual(sale.state, "cancel")
        self.assertAlmostEqual(sale.amazon_total, float(total))
        self.assertEqual(sale.amazon_cancelled_by, "BUYER")
        self.assertEqual(sale.amazon_cancelled_reason, "Ordered by mistake")
