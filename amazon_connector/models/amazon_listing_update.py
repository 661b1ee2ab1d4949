from odoo import fields, models


class AmazonListingUpdate(models.Model):
    """One update of a listing sent to Amazon (in a feed or directly) and Amazon's answer:
    the listing's history of what was sent."""

    _name = "amazon.listing.update"
    _inherit = "amazon.sync.mixin"
    _description = "Amazon Listing Update"
    _order = "id desc"

    listing_id = fields.Many2one("amazon.listing", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="listing_id.company_id", store=True)
    currency_id = fields.Many2one(related="listing_id.currency_id")
    feed_id = fields.Many2one("amazon.feed", ondelete="set null", index=True, readonly=True)
    message_ref = fields.Integer(string="Feed Message", readonly=True)
    via = fields.Selection(
        [("feed", "Listings feed"), ("patch", "Direct update")],
        required=True,
        readonly=True,
        help="Direct updates (patchListingsItem) carry urgent changes, such as a product that "
        "just sold out; the rest goes in one feed per run.",
    )
    send_quantity = fields.Boolean(readonly=True)
    quantity = fields.Integer(readonly=True)
    price = fields.Monetary(readonly=True)
    business_price = fields.Monetary(readonly=True)
    refusal = fields.Text(
        string="Not Sent", readonly=True, help="A price the connector refused to send, and why."
    )
    amazon_sync_state = fields.Selection(required=True, default="sending")

    def _amazon_settle(self, accepted, message=False):
        """Record Amazon's answer on the updates and what it means for their listings."""
        now = fields.Datetime.now()
        self._amazon_sync_set("accepted" if accepted else "rejected", message)
        for update in self:
            listing = update.listing_id
            values = {}
            if accepted and update.send_quantity:
                values.update(quantity_sent=update.quantity, quantity_date=now)
            if accepted and (update.price or update.business_price):
                values["price_date"] = now
                if update.price:
                    values["price_sent"] = update.price
                if update.business_price:
                    values["business_price_sent"] = update.business_price
            latest = listing.update_ids[:1] == update
            if latest and listing.amazon_sync_state in ("sending", "waiting"):
                values.update(
                    listing._amazon_sync_values(
                        "accepted" if accepted and not update.refusal else "rejected",
                        message if not accepted else update.refusal or False,
                    )
                )
            if values:
                listing.write(values)
