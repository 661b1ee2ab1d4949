"""Buyers' personal data is redacted once held long enough, or at once when the channel stops
keeping it: on contacts, orders and chatter, as a dump of the database shows, while cities,
countries, order ids and amounts stay."""

import json
import re
from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from spapi_emulator.clock import isoformat

from ..models.amazon_pii_redactor import REDACTED
from .common import SELLER_ID, AmazonEmulatorCase, copy_dump
from .test_sync_engine import CommittedDataCase

PERSONAL_FIELDS = ("name", "street", "street2", "zip", "phone", "email")
GIFT_MESSAGE = "Alles Gute zum Geburtstag, liebe Tante Hildegard!"
CRON = "amazon_connector.ir_cron_amazon_redact_personal_data"
TEXT_TYPES = ("character varying", "character", "text", "jsonb")
COPY_ESCAPES = {"\\": "\\", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
COPY_ESCAPE = re.compile(r"\\([\\bfnrtv])")
COPY_HEADER = re.compile(r'COPY (?:public\.)?"?([^"\s]+)"? \((.*)\) FROM stdin;$')


def occurring(text, values):
    """The values found in ``text`` as whole words (a postcode inside a longer number is not
    one), as written in a text column or inside a JSON one (a line break as \\n)."""
    return {
        value
        for value in values
        if any(
            re.search(rf"(?<!\w){re.escape(form)}(?!\w)", text)
            for form in (value, json.dumps(value, ensure_ascii=False)[1:-1])
        )
    }


def text_columns(cr):
    """{table: its text columns}: where personal data can be written down (a postcode's digits
    in an integer column are an id or a count, not the postcode)."""
    cr.execute(
        """
        SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = 'public' AND data_type IN %s
        """,
        [TEXT_TYPES],
    )
    columns = {}
    for table, column in cr.fetchall():
        columns.setdefault(table, set()).add(column)
    return columns


def dumped_text(dump, columns):
    """The values of the text columns in a dump of COPY blocks (pg_dump's data format)."""
    values = []
    lines = iter(dump.splitlines())
    for line in lines:
        header = COPY_HEADER.match(line)
        if not header:
            continue
        names = [name.strip().strip('"') for name in header.group(2).split(",")]
        wanted = [i for i, name in enumerate(names) if name in columns.get(header.group(1), ())]
        for row in lines:
            if row == "\\.":
                break
            cells = row.split("\t")  # a tab inside a value is written \t: never split
            values.extend(copy_unescaped(cells[i]) for i in wanted)
    return "\n".join(values)


def copy_unescaped(cell):
    """A COPY text cell as the value it holds (a gift message's line break is written \\n)."""
    return COPY_ESCAPE.sub(lambda match: COPY_ESCAPES[match.group(1)], cell)


@tagged("post_install", "-at_install", "amazon_connector")
class TestRedaction(AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        self.connect(import_fba=True, personal_data_access=True)
        self.redactor = self.env["amazon.pii.redactor"]

    # -- helpers ------------------------------------------------------------------------------

    def import_generated(self, wanted, seed=11, gift=False):
        """Import one generated order per (status, fulfilled by) of ``wanted``; the first gets
        a gift message when ``gift``. Returns the sale orders, in that order."""
        generated = self.generated_orders(seed)
        chosen = []
        for status, fulfilled_by in wanted:
            chosen.append(
                next(
                    o
                    for o in self.with_status(generated, status, fulfilled_by)
                    if o not in chosen and self.grand_total(o) > 0
                )
            )
        if gift:
            packing = chosen[0]["orderItems"][0]["fulfillment"].setdefault("packing", {})
            packing["giftOption"] = {"giftMessage": GIFT_MESSAGE}
        self.emulator.load_orders(SELLER_ID, chosen)
        self.channel.import_high_water = False
        self.import_orders()
        orders = [self.odoo_order(o["orderId"]) for o in chosen]
        self.assertTrue(all(orders), "every chosen order is imported")
        return orders

    def unshipped(self, count, seed=11, gift=False):
        orders = self.import_generated([("UNSHIPPED", "MERCHANT")] * count, seed=seed, gift=gift)
        return self.env["sale.order"].concat(*orders)

    def age(self, orders, imported=None, delivered=None):
        """Move the orders' import, and their deliveries done, ``imported`` / ``delivered``
        days back."""
        self.env.flush_all()
        now = fields.Datetime.now()
        if imported is not None:
            self.env.cr.execute(
                "UPDATE sale_order SET create_date = %s WHERE id IN %s",
                [now - timedelta(days=imported), tuple(orders.ids)],
            )
        if delivered is not None:
            self.env.cr.execute(
                "UPDATE stock_picking SET date_done = %s WHERE sale_id IN %s AND state = 'done'",
                [now - timedelta(days=delivered), tuple(orders.ids)],
            )
        self.env.invalidate_all()

    def redact(self):
        return self.redactor._run(self.channel)

    @staticmethod
    def contacts(orders):
        partners = orders.partner_id | orders.partner_shipping_id | orders.partner_invoice_id
        return partners.filtered(lambda p: not p.amazon_placeholder)

    @staticmethod
    def snapshot(partners):
        return [(p.write_date, p.read([*PERSONAL_FIELDS, "amazon_address_key"])) for p in partners]

    def personal_values(self, orders):
        values = {
            value
            for partner in self.contacts(orders)
            for name in PERSONAL_FIELDS
            if (value := partner[name])
        }
        values |= set(filter(None, orders.mapped("amazon_gift_message")))
        return values

    def dump(self):
        """The text columns of every user table, through the test's cursor."""
        self.env.flush_all()
        return dumped_text(copy_dump(self.env.cr), text_columns(self.env.cr))

    def assert_redacted(self, orders):
        for order in orders:
            self.assertTrue(order.amazon_pii_redacted, order.name)
            delivery = order.partner_shipping_id
            for name in ("name", "street", "phone"):
                self.assertIn(delivery[name], (REDACTED, False), f"{order.name}: {name}")

    # -- tests --------------------------------------------------------------------------------

    def test_orders_are_redacted_a_set_number_of_days_after_delivery_or_import(self):
        old, recent, open_order, cancelled_old, cancelled_recent, shipped_elsewhere = (
            self.import_generated(
                [("UNSHIPPED", "MERCHANT")] * 5 + [("SHIPPED", "MERCHANT")], seed=11
            )
        )
        (old | recent)._amazon_deliver_all()
        cancelled = cancelled_old | cancelled_recent
        cancelled._action_cancel()
        everything = old | recent | open_order | cancelled | shipped_elsewhere
        self.age(everything, imported=60)
        self.age(old, delivered=31)
        self.age(recent, delivered=10)
        self.age(cancelled_recent, imported=10)
        shipped_elsewhere.amazon_last_update = fields.Datetime.now() - timedelta(days=40)
        recent_street = recent.partner_shipping_id.street
        self.assertTrue(recent_street)

        log = self.redact()

        redacted = everything.filtered("amazon_pii_redacted")
        self.assertEqual(redacted, old | cancelled_old | shipped_elsewhere)
        self.assert_redacted(redacted)
        self.assertEqual(log.count_redacted_orders, 3)
        self.assertEqual(recent.partner_shipping_id.street, recent_street)
        self.assertNotEqual(open_order.partner_shipping_id.street, REDACTED, "still to ship")
        self.assertNotEqual(cancelled_recent.partner_shipping_id.name, REDACTED)

        self.channel.redact_after_delivery_days = 5
        self.redact()
        self.assertTrue(recent.amazon_pii_redacted, "the channel's delay counts")
        self.assertFalse(open_order.amazon_pii_redacted)

    def test_a_dump_holds_none_of_the_redacted_data_and_everything_else(self):
        orders = self.unshipped(4, gift=True)
        # The buyer moves before shipping; someone writes the phone number in the chatter.
        amazon = self.amazon_order(orders[1].amazon_order_ref)
        with self.emulator.lock:
            amazon["recipient"]["deliveryAddress"]["addressLine1"] = "Sonnenallee 217"
            amazon["lastUpdatedTime"] = isoformat(self.emulator.clock.now() - timedelta(minutes=30))
        self.import_orders(rescan=True)
        self.assertEqual(orders[1].partner_shipping_id.street, "Sonnenallee 217")
        called = next(order for order in orders if order.partner_shipping_id.phone)
        called.message_post(body=f"Called {called.partner_shipping_id.phone} about the parcel")
        orders._amazon_deliver_all()
        personal = self.personal_values(orders)
        self.assertIn(GIFT_MESSAGE, personal)
        before = self.dump()
        self.assertEqual(occurring(before, personal), personal, "the dump can show them")
        kept = {
            order: (order.name, order.client_order_ref, order.amount_total, order.amazon_total)
            for order in orders
        }
        places = {
            partner: (partner.city, partner.country_id) for partner in orders.partner_shipping_id
        }
        self.age(orders, imported=40, delivered=31)

        self.redact()

        after = self.dump()
        self.assertFalse(occurring(after, personal), "no redacted value is left anywhere")
        self.assertIn(REDACTED, after)
        for order, values in kept.items():
            self.assertEqual(
                (order.name, order.client_order_ref, order.amount_total, order.amazon_total),
                values,
            )
            refs = {order.name, order.client_order_ref}
            self.assertEqual(occurring(after, refs), refs)
        for partner, (city, country) in places.items():
            self.assertEqual((partner.city, partner.country_id), (city, country))
            self.assertTrue(city and country)
            self.assertTrue(occurring(after, {city}))
        self.assertEqual(orders[0].amazon_gift_message, REDACTED)

    def test_turning_personal_data_off_purges_everything_by_itself(self):
        orders = self.unshipped(3)
        orders[0]._amazon_deliver_all()  # the others still to ship, just imported
        personal = self.personal_values(orders)
        cron = self.env.ref(CRON)
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])

        self.channel.personal_data_access = False

        self.assertTrue(self.channel._sync_schedule("redaction").requested)
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]) - triggers,
            "the scheduled action is woken",
        )
        self.redactor.with_context(amazon_commit=False)._cron()
        self.assert_redacted(orders)
        self.assertFalse(occurring(self.dump(), personal))
        self.assertFalse(self.channel._sync_schedule("redaction").requested)

    def test_contacts_shared_with_other_business_or_posted_invoices(self):
        journal = self.env["account.journal"].create(
            {"name": "Amazon", "code": "AMZN", "type": "bank", "company_id": self.env.company.id}
        )
        self.channel.write({"invoice_orders": True, "payment_journal_id": journal.id})
        shared, invoiced = self.unshipped(2)
        self.assertNotEqual(shared.partner_id, invoiced.partner_id)
        (shared | invoiced)._amazon_deliver_all()
        self.env["amazon.order.invoicer"]._run(self.channel)
        invoice = invoiced.invoice_ids
        self.assertEqual(invoice.state, "posted")
        buyer = shared.partner_id
        other = self.env["sale.order"].create(
            {
                "partner_id": buyer.id,
                "partner_invoice_id": buyer.id,
                "partner_shipping_id": buyer.id,
                "order_line": [
                    (0, 0, {"product_id": self.env["product.product"].create({"name": "Mug"}).id})
                ],
            }
        )
        self.assertFalse(other.amazon_channel_id)
        name, email = buyer.name, buyer.email
        customer = invoice.partner_id
        legal = {field: customer[field] for field in ("name", "street", "zip", "city", "vat")}
        legal["country_id"] = customer.country_id
        self.assertTrue(customer.email)
        self.age(shared | invoiced, imported=40, delivered=31)

        self.redact()

        self.assertTrue(shared.amazon_pii_redacted)
        self.assertEqual((buyer.name, buyer.email), (name, email), "in use outside Amazon")
        self.assertEqual(shared.partner_shipping_id.name, REDACTED, "only Amazon used that")
        for field, value in legal.items():
            self.assertEqual(customer[field], value, field)
        self.assertEqual(customer.email, REDACTED)
        self.assertIn(customer.phone, (REDACTED, False))
        self.assertEqual(invoice.invoice_partner_display_name, legal["name"])
        self.assertEqual(invoiced.partner_shipping_id.street, REDACTED)

    def test_a_later_version_of_a_redacted_order_brings_nothing_back(self):
        delivered, still_open = self.unshipped(2, gift=True)
        delivered._amazon_deliver_all()
        self.age(delivered, imported=40, delivered=31)
        personal = self.personal_values(delivered | still_open)
        self.channel.personal_data_access = False
        self.redact()
        self.assert_redacted(delivered | still_open)
        contacts = self.contacts(delivered | still_open)
        # The seller keeps personal data again, and Amazon changes both orders.
        self.channel.personal_data_access = True
        for order in delivered | still_open:
            amazon = self.amazon_order(order.amazon_order_ref)
            with self.emulator.lock:
                amazon["recipient"]["deliveryAddress"]["addressLine1"] = "Am Markt 9"
                amazon["lastUpdatedTime"] = isoformat(
                    self.emulator.clock.now() - timedelta(minutes=30)
                )
        updates = {order: order.amazon_last_update for order in delivered | still_open}
        self.import_orders(rescan=True)
        for order, update in updates.items():
            self.assertGreater(order.amazon_last_update, update, "the new version is applied")
        self.assertEqual(self.contacts(delivered | still_open), contacts, "no new contact")
        self.assertEqual(delivered.amazon_gift_message, REDACTED)
        self.assertEqual(still_open.picking_ids.partner_id, still_open.partner_shipping_id)
        self.assertFalse(occurring(self.dump(), personal | {"Am Markt 9"}))

    def test_a_second_run_changes_nothing_and_the_log_counts(self):
        orders = self.unshipped(3)
        orders._amazon_deliver_all()
        orders[0].message_post(body=f"Gift for {orders[0].partner_shipping_id.name}")
        self.age(orders, imported=40, delivered=31)
        contacts = self.contacts(orders)

        log = self.redact()

        self.assertEqual(log.kind, "redaction")
        self.assertEqual(log.state, "done")
        self.assertEqual(log.count_redacted_orders, 3)
        self.assertEqual(log.count_redacted_partners, len(contacts))
        self.assertGreater(log.count_redacted_messages, 0)
        self.assertTrue(log.started and log.ended)
        self.assertIn("3 order(s)", log.summary)
        for partner in contacts:
            self.assertTrue(partner.amazon_address_key.startswith("redacted:"))
        snapshot = self.snapshot(contacts)
        messages = self.env["mail.message"].search(
            [("model", "=", "sale.order"), ("res_id", "in", orders.ids)]
        )
        bodies = messages.mapped("body")

        self.assertIsNone(self.redact(), "nothing left to redact: no run, no log")

        self.assertEqual(self.snapshot(contacts), snapshot)
        self.assertEqual(messages.mapped("body"), bodies)
        logs = self.env["amazon.sync.log"].search(
            [("channel_id", "=", self.channel.id), ("kind", "=", "redaction")]
        )
        self.assertEqual(logs, log)

    def test_redaction_delays_are_not_negative(self):
        with self.assertRaises(ValidationError):
            self.channel.redact_after_delivery_days = -1


@tagged("post_install", "-at_install", "amazon_connector")
class TestRedactedDatabaseDump(CommittedDataCase):
    """pg_dump of the database: committed data, as anyone with a backup would read it."""

    def pg_dump(self):
        return dumped_text(super().pg_dump(), text_columns(self.env.cr))

    def test_pg_dump_after_redaction_holds_no_buyer_data(self):
        channel_id, _expected = self.committed_channel(
            "A1REDACTDUMP",
            seed=61,
            granted_data=("BUYER", "RECIPIENT"),
            personal_data_access=True,
        )
        self.child("import", channel_id=channel_id)
        rows = self.committed(
            """
            SELECT DISTINCT p.name, p.street, p.street2, p.zip, p.phone, p.email
              FROM res_partner p
              JOIN sale_order o
                ON p.id IN (o.partner_id, o.partner_invoice_id, o.partner_shipping_id)
             WHERE o.amazon_channel_id = %s
               AND (p.amazon_address_key LIKE 'buyer:%%'
                    OR p.amazon_address_key LIKE 'delivery:%%')
            """,
            [channel_id],
        )
        personal = {value for row in rows for value in row if value}
        self.assertGreater(len(personal), 20)
        before = self.pg_dump()
        self.assertEqual(occurring(before, personal), personal, "the dump can show them")
        totals = self.committed(
            "SELECT name, client_order_ref, amount_total FROM sale_order "
            "WHERE amazon_channel_id = %s ORDER BY id",
            [channel_id],
        )

        result = self.child("redact", channel_id=channel_id, values={"personal_data_access": False})

        self.assertEqual(result["orders"], len(totals))
        after = self.pg_dump()
        self.assertFalse(occurring(after, personal), "no redacted value in the dump")
        places = self.committed(
            "SELECT DISTINCT p.city, p.country_id FROM res_partner p "
            "JOIN sale_order o ON o.partner_shipping_id = p.id WHERE o.amazon_channel_id = %s",
            [channel_id],
        )
        self.assertTrue(places)
        for city, country in places:
            self.assertTrue(city and country)
            self.assertTrue(occurring(after, {city}))
        self.assertEqual(
            self.committed(
                "SELECT name, client_order_ref, amount_total FROM sale_order "
                "WHERE amazon_channel_id = %s ORDER BY id",
                [channel_id],
            ),
            totals,
        )
        for name, reference, _total in totals:
            self.assertTrue(occurring(after, {name, reference}))
