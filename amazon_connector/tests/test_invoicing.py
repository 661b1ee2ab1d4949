"""Invoices paid by Amazon: posted and paid when delivered, credited when cancelled after."""

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import AmazonEmulatorCase

COMPANY_TZ = "Asia/Tokyo"  # nine hours ahead of UTC: many moments fall on another day


def paid(order):
    """Not a free replacement: the buyer paid something."""
    return AmazonEmulatorCase.grand_total(order) > 0


@tagged("post_install", "-at_install", "amazon_connector")
class TestInvoicing(AmazonEmulatorCase):
    def setUp(self):
        super().setUp()
        self.connect(import_fba=True)
        company = self.channel.company_id
        company.partner_id.tz = COMPANY_TZ
        self.payment_journal = self.env["account.journal"].create(
            {"name": "Amazon", "code": "AMZN", "type": "bank", "company_id": company.id}
        )
        self.sales_journal = self.env["account.journal"].create(
            {"name": "Amazon Sales", "code": "AMZS", "type": "sale", "company_id": company.id}
        )

    # -- helpers ------------------------------------------------------------------------------

    def invoice_on(self):
        self.channel.write(
            {
                "invoice_orders": True,
                "invoice_journal_id": self.sales_journal.id,
                "payment_journal_id": self.payment_journal.id,
            }
        )

    def invoice(self):
        return self.env["amazon.order.invoicer"]._run(self.channel)

    def imported(self):
        return self.env["sale.order"].search([("amazon_channel_id", "=", self.channel.id)])

    @staticmethod
    def local_date(moment):
        """The day a naive UTC moment falls on in the company's time zone, worked out here."""
        return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(COMPANY_TZ)).date()

    @staticmethod
    def posted(moves, move_type):
        return moves.filtered(lambda m: m.move_type == move_type and m.state == "posted")

    def assert_paid_by_amazon(self, move, day):
        self.assertIn(move.payment_state, ("paid", "in_payment"), move.name)
        payments = move.matched_payment_ids
        if move.currency_id.is_zero(move.amount_total):  # a free replacement order
            self.assertFalse(payments)
            return
        self.assertEqual(len(payments), 1, move.name)
        self.assertEqual(payments.journal_id, self.payment_journal)
        self.assertEqual(payments.date, day)
        self.assertEqual(payments.amount, move.amount_total)

    def delivered_and_invoiced(self, seed):
        """One unshipped merchant-fulfilled order, delivered in Odoo and invoiced."""
        self.invoice_on()
        orders, amazon = self.import_unshipped(seed=seed, where=paid)
        orders._amazon_deliver_all()
        log = self.invoice()
        self.assertEqual(log.state, "done", log.line_ids.mapped("message"))
        self.assertEqual(len(self.posted(orders.invoice_ids, "out_invoice")), 1)
        return orders, amazon[0]

    # -- tests --------------------------------------------------------------------------------

    def test_nothing_is_invoiced_when_the_channel_does_not_invoice(self):
        self.seed_orders(40, seed=41, fba_share=0.5)
        self.import_orders()
        self.imported().filtered(lambda o: o.state == "sale")._amazon_deliver_all()
        self.assertIsNone(self.invoice())
        self.assertFalse(self.imported().invoice_ids)
        self.assertFalse(self.channel.invoice_orders, "off by default")
        with self.assertRaisesRegex(ValidationError, "Amazon Payments Journal"):
            self.channel.write({"invoice_orders": True})

    def test_delivered_orders_are_invoiced_and_paid_as_on_amazon(self):
        self.invoice_on()
        orders = self.seed_orders(80, seed=43, fba_share=0.5)
        self.import_orders()
        by_ref = {o["orderId"]: o for o in orders}
        unshipped = self.imported().filtered(
            lambda o: o.amazon_fulfilled_by == "MERCHANT" and o.amazon_status == "UNSHIPPED"
        )
        delivered_here, waiting = unshipped[::2], unshipped - unshipped[::2]
        self.assertTrue(delivered_here and waiting)
        delivered_here._amazon_deliver_all()
        fba = self.imported().filtered(lambda o: o.amazon_fulfilled_by == "AMAZON")
        shipped_on_amazon = self.imported().filtered(
            lambda o: o.amazon_fulfilled_by == "MERCHANT" and o.amazon_status == "SHIPPED"
        )
        self.assertTrue(fba and shipped_on_amazon)
        delivered = delivered_here | fba | shipped_on_amazon

        log = self.invoice()
        self.assertEqual(log.state, "done", log.line_ids.mapped("message"))
        self.assertEqual(log.count_new, len(delivered))
        self.assertFalse(log.api_calls, "no Amazon call")
        self.assertIn(f"{len(delivered)} order(s) invoiced", log.summary)

        invoiced_totals, amazon_totals = defaultdict(Decimal), defaultdict(Decimal)
        other_day = 0
        for order in delivered:
            invoice = order.invoice_ids
            self.assertEqual(len(invoice), 1, order.amazon_order_ref)
            self.assertEqual(invoice.state, "posted")
            self.assertEqual(invoice.journal_id, self.sales_journal)
            if order in fba:
                moment = order.amazon_purchase_date
            else:
                done = order.picking_ids.filtered(lambda p: p.state == "done")
                moment = max(done.mapped("date_done"), default=order.amazon_last_update)
            self.assertEqual(invoice.invoice_date, self.local_date(moment), order.amazon_order_ref)
            other_day += invoice.invoice_date != moment.date()
            self.assert_paid_by_amazon(invoice, invoice.invoice_date)
            self.assertEqual(order.invoice_status, "invoiced")
            amazon = by_ref[order.amazon_order_ref]
            currency = amazon["proceeds"]["grandTotal"]["currencyCode"]
            self.assertEqual(invoice.currency_id.name, currency)
            invoiced_totals[currency] += Decimal(str(invoice.amount_total))
            amazon_totals[currency] += self.grand_total(amazon)
        self.assertTrue(other_day, "the company's day, not UTC's, is the invoice date")
        self.assertEqual(set(invoiced_totals), {"EUR", "GBP"})
        self.assertEqual(
            {c: t.quantize(Decimal("0.01")) for c, t in invoiced_totals.items()},
            {c: t.quantize(Decimal("0.01")) for c, t in amazon_totals.items()},
        )
        self.assertFalse(waiting.invoice_ids, "not delivered, not invoiced")

        self.assertIsNone(self.invoice(), "nothing left to invoice")
        self.assertEqual(len(self.imported().invoice_ids), len(delivered))

    def test_cancellation_on_amazon_after_invoicing_leaves_one_credit_note(self):
        order, amazon = self.delivered_and_invoiced(seed=45)
        invoice = order.invoice_ids
        cancelled_at = self.cancel_on_amazon(amazon["orderId"], minutes_ago=5)
        log = self.import_orders()
        self.assertEqual(log.state, "done", log.line_ids.mapped("message"))
        self.assertEqual(order.amazon_status, "CANCELLED")
        credit_note = self.posted(order.invoice_ids, "out_refund")
        self.assertEqual(len(credit_note), 1)
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.amount_total, invoice.amount_total)
        self.assertEqual(credit_note.invoice_date, self.local_date(cancelled_at))
        self.assert_paid_by_amazon(credit_note, credit_note.invoice_date)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"), "Amazon's payment stays")
        self.assertTrue(
            order.message_ids.filtered(lambda m: credit_note.name in (m.body or "")),
            "the order's chatter names the credit note",
        )
        # Goods had left: a person still checks the return.
        self.assertIn("Cancelled on Amazon after shipping", order.activity_ids.mapped("summary"))

        # Amazon changes the cancelled order again, and the run goes twice: nothing more.
        self.cancel_on_amazon(amazon["orderId"], minutes_ago=3)
        self.assertEqual(self.import_orders().count_updated, 1)
        self.import_orders(rescan=True)
        self.assertEqual(order.invoice_ids, invoice | credit_note)
        self.assertIsNone(self.invoice(), "a credited order is not invoiced again")

    def test_unpaid_invoice_is_settled_by_its_credit_note_without_a_refund(self):
        """An invoice made by hand and never paid: the cancellation credits it, and no money
        goes back to anyone."""
        self.invoice_on()
        orders, amazon = self.import_unshipped(seed=55, where=paid)
        orders._amazon_deliver_all()
        invoice = orders._create_invoices()
        invoice.action_post()
        self.assertEqual(invoice.journal_id, self.sales_journal, "by hand too")
        self.cancel_on_amazon(amazon[0]["orderId"], minutes_ago=5)
        self.import_orders()
        credit_note = self.posted(orders.invoice_ids, "out_refund")
        self.assertEqual(len(credit_note), 1)
        self.assertEqual(credit_note.amount_total, invoice.amount_total)
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertTrue(credit_note.currency_id.is_zero(credit_note.amount_residual))
        self.assertFalse(
            self.env["account.payment"].search([("journal_id", "=", self.payment_journal.id)])
        )

    def test_cancelling_an_invoiced_order_in_odoo_credits_it(self):
        order, _amazon = self.delivered_and_invoiced(seed=47)
        invoice = order.invoice_ids
        order.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(order.state, "cancel")
        credit_note = self.posted(order.invoice_ids, "out_refund")
        self.assertEqual(len(credit_note), 1)
        self.assertEqual(credit_note.amount_total, invoice.amount_total)
        self.assertEqual(credit_note.invoice_date, self.local_date(datetime.now(UTC)))
        self.assert_paid_by_amazon(credit_note, credit_note.invoice_date)

    def test_order_that_cannot_be_invoiced_is_logged_and_the_others_are_invoiced(self):
        self.invoice_on()
        orders = self.seed_orders(40, seed=49, fba_share=1.0)
        fba = self.with_status(orders, "SHIPPED", "AMAZON")
        sku = fba[0]["orderItems"][0]["product"]["sellerSku"]
        closed = self.env["account.account"].create(
            {"name": "Closed sales", "code": "709999", "account_type": "income", "deprecated": True}
        )
        product = self.env["product.product"].create(
            {"name": "Sold on a closed account", "property_account_income_id": closed.id}
        )
        self.env["amazon.listing"].create(
            {
                "channel_id": self.channel.id,
                "marketplace_id": self.channel.marketplace_ids[:1].id,
                "sku": sku,
                "product_id": product.id,
            }
        )
        self.import_orders()
        blocked = self.imported().filtered(lambda o: product in o.order_line.product_id)
        others = self.imported().filtered(lambda o: o.state == "sale") - blocked
        self.assertTrue(blocked and others)

        log = self.invoice()
        self.assertEqual(log.state, "partial")
        self.assertEqual(log.count_failed, len(blocked), log.line_ids.mapped("message"))
        self.assertEqual(log.count_new, len(others))
        self.assertEqual(
            set(log.line_ids.mapped("amazon_ref")), set(blocked.mapped("amazon_order_ref"))
        )
        for line in log.line_ids:
            self.assertIn(line.amazon_ref, line.message)
            self.assertIn("deprecated", line.message)
        self.assertFalse(blocked.invoice_ids, "nothing half-done is left behind")
        self.assertEqual(len(self.posted(others.invoice_ids, "out_invoice")), len(others))

    def test_delivery_done_in_odoo_wakes_the_invoicing(self):
        self.invoice_on()
        orders, _amazon = self.import_unshipped(seed=51)
        cron = self.channel.sudo().cron_id
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        picking = orders.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking._action_done()
        self.assertTrue(self.channel._sync_schedule("invoicing").requested)
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers
        )
        self.env["amazon.order.invoicer"].with_context(amazon_commit=False)._cron()
        self.assertEqual(len(self.posted(orders.invoice_ids, "out_invoice")), 1)
        self.assertFalse(self.channel._sync_schedule("invoicing").requested)

    def test_import_wakes_the_invoicing_of_a_channel_that_invoices(self):
        self.invoice_on()
        self.seed_orders(20, seed=53, fba_share=1.0)
        self.import_orders()
        self.assertTrue(self.channel._sync_schedule("invoicing").requested)
        self.assertEqual(self.channel.state, "connected")
        self.channel.state = "error"  # invoicing needs no Amazon, and says nothing about it
        self.env["amazon.order.invoicer"].with_context(amazon_commit=False)._cron()
        self.assertTrue(self.imported().filtered(lambda o: o.state == "sale").invoice_ids)
        self.assertEqual(self.channel.state, "error")
