import logging
import re
from collections import Counter
from datetime import timedelta

from markupsafe import Markup, escape
from odoo import fields, models
from odoo.osv import expression
from odoo.tools import split_every

from .amazon_sync_runner import CONCURRENCY_ERRORS

_logger = logging.getLogger(__name__)

# What every redacted value becomes.
REDACTED = "REDACTED (Amazon)"
# The buyer's personal data on a contact: what the mapper drops without personal data access
# (names, e-mail, address lines, postcode, phone), as Odoo stores it.
PERSONAL_FIELDS = ("name", "street", "street2", "zip", "phone", "mobile", "email")
# A business keeps its name (and VAT number): they are not personal data. Its address is a
# recipient's, which Odoo copies onto a company from its first delivery contact.
BUSINESS_FIELDS = ("street", "street2", "zip", "phone", "mobile", "email")
# A posted invoice's customer keeps the invoice's legal fields (name and address) and loses
# only these.
CONTACT_FIELDS = ("phone", "mobile", "email")
# Contacts made from a buyer's personal data, which no later import may find again.
PERSONAL_KEY_PREFIXES = ("buyer:", "delivery:")
# Business customers, found again by their VAT number or name; the marketplace's placeholder
# customer never holds any buyer's data.
BUSINESS_KEY_PREFIX = "business:"
# A redacted contact's key: no later import finds it again.
REDACTED_KEY_PREFIX = "redacted:"
# Orders redacted between two commits in scheduled runs.
BATCH_SIZE = 100
# Shorter values are not looked for in messages: on their own they name nobody, and replacing
# them would garble the text around them.
MIN_SCRUBBED_LENGTH = 3
# Where redacted data may have been written down, besides the contacts themselves.
MESSAGE_FIELDS = ("body", "subject", "record_name", "email_from", "reply_to")
TRACKING_FIELDS = ("old_value_char", "new_value_char", "old_value_text", "new_value_text")
MAIL_FIELDS = ("body_html", "email_to", "email_cc")


class AmazonPiiRedactor(models.AbstractModel):
    """Redacts buyers' personal data once Amazon's Data Protection Policy no longer lets the
    seller keep it.

    Amazon lets a seller keep a buyer's personal data no longer than 30 days after delivery.
    Every day, for each channel, the orders held long enough (:meth:`_pending`: the channel's
    days after the goods left, or after the import for orders that never shipped; every order
    once the channel keeps no personal data) lose it: the names, streets, postcodes, phones,
    e-mails and gift messages become ``REDACTED`` on the contacts only Amazon orders use, on
    the order, and in the chatter and e-mails of the order, its deliveries, its invoices and
    those contacts. City, region, country, the order ids and every amount stay. A posted
    invoice's customer keeps the invoice's legal name and address. No Amazon call.

    Why it is idempotent and restartable: a redacted order is marked (``amazon_pii_redacted``)
    in the same transaction as its contacts and messages, and scheduled runs commit every
    :data:`BATCH_SIZE` orders; an interrupted run leaves the rest pending for the next one.
    """

    _name = "amazon.pii.redactor"
    _inherit = "amazon.sync.runner"
    _description = "Amazon Personal Data Redaction"
    _sync_kind = "redaction"
    _calls_amazon = False

    # -- scheduling -----------------------------------------------------------------------------

    def _interval(self, channel):
        """Under a day: each run of the daily scheduled action serves every channel, and a
        purge asked for in between does not run the other channels again."""
        return 12 * 60

    def _serve_domain(self):
        """Every channel, archived or not connected too: what a channel holds must go whether
        or not it still talks to Amazon."""
        return [("active", "in", (True, False))]

    # -- the run --------------------------------------------------------------------------------

    def _pending(self, channel):
        """The channel's orders not redacted yet whose personal data has been held long
        enough; all of them once the channel keeps no personal data."""
        domain = [("amazon_channel_id", "=", channel.id), ("amazon_pii_redacted", "=", False)]
        Order = self.env["sale.order"].with_context(active_test=False)
        if not channel.personal_data_access:
            return Order.search(domain, order="id")
        now = fields.Datetime.now()
        delivered_before = now - timedelta(days=channel.redact_after_delivery_days)
        imported_before = now - timedelta(days=channel.redact_after_import_days)
        # Goods leave after the import: an order imported within the shorter delay is not due.
        domain.append(("create_date", "<", max(delivered_before, imported_before)))
        return Order.search(domain, order="id").filtered(
            lambda order: self._held_long_enough(order, delivered_before, imported_before)
        )

    def _held_long_enough(self, order, delivered_before, imported_before):
        """Whether the order's goods left before ``delivered_before`` (its last delivery done,
        or Amazon's word for goods shipped outside Odoo), or, for an order that never shipped,
        it was imported before ``imported_before``. A delivery still to ship needs the
        address: never before it is done."""
        deliveries = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        if any(p.state not in ("done", "cancel") for p in deliveries):
            return False
        done = deliveries.filtered(lambda p: p.state == "done")
        if done:
            return max(done.mapped("date_done")) < delivered_before
        if order.amazon_status == "SHIPPED" or any(
            order.order_line.mapped("amazon_qty_shipped_elsewhere")
        ):
            return (order.amazon_last_update or order.create_date) < delivered_before
        return order.create_date < imported_before

    def _process(self, run, orders):
        for batch in split_every(BATCH_SIZE, orders.ids, orders.browse):
            for order in batch:
                self._redact_order(run, order)
            self._commit()

    def _summary(self, run):
        return self.env._(
            "Personal data redacted on %(orders)s order(s), %(partners)s contact(s) and "
            "%(messages)s message(s); %(failed)s order(s) could not be redacted.",
            orders=run.counts["redacted_orders"],
            partners=run.counts["redacted_partners"],
            messages=run.counts["redacted_messages"],
            failed=run.counts["failed"],
        )

    # -- one order ------------------------------------------------------------------------------

    def _redact_order(self, run, order):
        """Redact one order in a savepoint; a failure is logged and the next run tries again."""
        try:
            with self.env.cr.savepoint():
                run.counts.update(self._redact(order))
        except Exception as error:
            if isinstance(error, CONCURRENCY_ERRORS) and self._starts_again():
                raise  # not this unit's fault: the run starts again from its last commit
            _logger.exception("Amazon order %s could not be redacted", order.amazon_order_ref)
            run.counts["failed"] += 1
            run.log.add_message(
                self.env._(
                    "The personal data of order %(order)s (%(sale)s) was not redacted: %(error)s",
                    order=order.amazon_order_ref,
                    sale=order.name,
                    error=error,
                ),
                amazon_ref=order.amazon_order_ref,
            )

    def _redact(self, order):
        """Redact the order, the contacts that only Amazon orders use, and what their chatter
        and e-mails hold of them; returns the counts."""
        # Redaction sees everything: a contact shared with a record the run's user can't read
        # must not be mistaken for one only Amazon uses.
        order = order.sudo().with_context(active_test=False, tracking_disable=True)
        contacts = self._amazon_contacts(order).filtered(lambda p: self._amazon_only(p, order))
        redacted_fields = {partner: self._redacted_fields(partner) for partner in contacts}
        texts = self._texts(redacted_fields)
        if order.amazon_gift_message:
            texts |= self._split_texts(order.amazon_gift_message)
        # The chatter of every order of these contacts names them, not only this order's.
        orders = order
        if contacts:
            orders |= order.search(self._using_domain(contacts))
        redacted_contacts = self._redact_contacts(redacted_fields)
        order.write(
            {
                "amazon_gift_message": order.amazon_gift_message and REDACTED,
                "amazon_pii_redacted": True,
                "amazon_pii_redacted_date": fields.Datetime.now(),
            }
        )
        messages = self._scrub_messages(
            {
                "sale.order": orders,
                "stock.picking": orders.picking_ids,
                "account.move": orders.invoice_ids,
                "res.partner": contacts,
            },
            texts,
        )
        return Counter(
            redacted_orders=1, redacted_partners=redacted_contacts, redacted_messages=messages
        )

    def _amazon_contacts(self, order):
        """The order's contacts made from Amazon's data, but the placeholder customers."""
        partners = (
            order.partner_id
            | order.partner_invoice_id
            | order.partner_shipping_id
            | order.picking_ids.partner_id
        )
        return partners.filtered(
            lambda p: (
                p.amazon_customer
                and (p.amazon_address_key or "").startswith(
                    (*PERSONAL_KEY_PREFIXES, BUSINESS_KEY_PREFIX)
                )
            )
        )

    def _amazon_only(self, partner, order):
        """Whether only Amazon orders use ``partner`` and every one besides ``order`` is
        redacted already: no other sale order, delivery, invoice, user or company."""
        env = order.env  # superuser, archived records included
        orders = env["sale.order"].search(self._using_domain(partner))
        if (orders - order).filtered(lambda o: not (o.amazon_channel_id and o.amazon_pii_redacted)):
            return False
        pickings = env["stock.picking"].search([("partner_id", "=", partner.id)])
        if pickings.filtered(lambda p: not p.sale_id.amazon_channel_id):
            return False
        # Invoices and credit notes; Amazon's payments of them are entries linked to no order.
        moves = env["account.move"].search(
            [
                ("move_type", "!=", "entry"),
                "|",
                "|",
                ("partner_id", "=", partner.id),
                ("commercial_partner_id", "=", partner.id),
                ("partner_shipping_id", "=", partner.id),
            ]
        )
        if moves.filtered(lambda m: not m.line_ids.sale_line_ids.order_id.amazon_channel_id):
            return False
        return not (
            env["res.users"].search_count([("partner_id", "=", partner.id)], limit=1)
            or env["res.company"].search_count([("partner_id", "=", partner.id)], limit=1)
        )

    def _using_domain(self, partners):
        return [
            "|",
            "|",
            ("partner_id", "in", partners.ids),
            ("partner_invoice_id", "in", partners.ids),
            ("partner_shipping_id", "in", partners.ids),
        ]

    def _redacted_fields(self, partner):
        """The fields of ``partner`` that lose their value."""
        if self._on_posted_invoice(partner):
            return CONTACT_FIELDS
        if partner.amazon_address_key.startswith(BUSINESS_KEY_PREFIX):
            return BUSINESS_FIELDS
        return PERSONAL_FIELDS

    def _on_posted_invoice(self, partner):
        return bool(
            self.env["account.move"]
            .sudo()
            .search_count(
                [
                    ("partner_id", "=", partner.id),
                    ("state", "=", "posted"),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                ],
                limit=1,
            )
        )

    def _redact_contacts(self, redacted_fields):
        """Redact each contact's fields ({contact: field names}); returns how many changed."""
        changed = 0
        for partner, names in redacted_fields.items():
            values = {name: REDACTED for name in names if partner[name] not in (False, REDACTED)}
            if partner.amazon_address_key.startswith(PERSONAL_KEY_PREFIXES):
                values["amazon_address_key"] = f"{REDACTED_KEY_PREFIX}{partner.id}"
            if values:
                partner.write(values)
                changed += 1
        return changed

    # -- what the chatter holds -----------------------------------------------------------------

    def _texts(self, redacted_fields):
        """What the contacts' redacted fields hold ({contact: field names})."""
        texts = set()
        for partner, names in redacted_fields.items():
            for name in names:
                texts |= self._split_texts(partner[name])
        return texts

    def _split_texts(self, value):
        """A value and each of its lines, as written in plain text and in HTML."""
        if not value or value == REDACTED:
            return set()
        parts = {value, *value.splitlines()}
        parts |= {str(escape(part)) for part in parts}
        return {part.strip() for part in parts if len(part.strip()) >= MIN_SCRUBBED_LENGTH}

    def _scrub_messages(self, records, texts):
        """Replace ``texts`` in the messages of ``records`` ({model: records}), their tracked
        values and their e-mails; returns how many messages changed."""
        if not texts:
            return 0
        pattern = re.compile(
            "|".join(
                rf"(?<!\w){re.escape(text)}(?!\w)" for text in sorted(texts, key=len, reverse=True)
            )
        )
        domain = expression.OR(
            [
                [("model", "=", model), ("res_id", "in", ids.ids)]
                for model, ids in records.items()
                if ids
            ]
        )
        messages = self.env["mail.message"].sudo().search(domain)
        mails = (
            self.env["mail.mail"].sudo().search([("mail_message_id", "in", messages.ids)])
            if messages
            else self.env["mail.mail"]
        )
        changed = self.env["mail.message"]
        for message in messages:
            if self._scrub(message, MESSAGE_FIELDS, pattern):
                changed |= message
            for tracking in message.tracking_value_ids:
                if self._scrub(tracking, TRACKING_FIELDS, pattern):
                    changed |= message
        for mail in mails:
            if self._scrub(mail, MAIL_FIELDS, pattern):
                changed |= mail.mail_message_id
        return len(changed)

    def _scrub(self, record, names, pattern):
        """Replace what ``pattern`` finds in the ``names`` fields of ``record``; True when
        something changed."""
        values = {}
        for name in names:
            value = record[name]
            if not value:
                continue
            scrubbed = pattern.sub(REDACTED, str(value))
            if scrubbed != str(value):
                values[name] = Markup(scrubbed) if isinstance(value, Markup) else scrubbed
        if values:
            record.write(values)
        return bool(values)
