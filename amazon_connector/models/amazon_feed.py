from odoo import api, fields, models

from ..services.listings_feed import LISTINGS_FEED
from ..services.order_feed import ACKNOWLEDGEMENT_FEED

FEED_TYPES = [
    (ACKNOWLEDGEMENT_FEED, "Order cancellations"),
    (LISTINGS_FEED, "Stock and prices"),
]


class AmazonFeed(models.Model):
    """A feed document sent to Amazon and what Amazon's processing report said about it.

    The record exists from the moment the document is uploaded (state *sending*: createFeed's
    outcome is not known yet); a run that finds it so submits it again, which is harmless for
    the orders it carries (see the cancellation exporter). Submitted, it is *waiting* for
    Amazon's processing report, then *accepted* or *rejected*; *cancelled* when Amazon dropped
    it unprocessed (its orders go in the next feed).
    """

    _name = "amazon.feed"
    _inherit = ["amazon.sync.mixin", "amazon.channel.record"]
    _description = "Amazon Feed"
    _order = "create_date desc, id desc"

    channel_id = fields.Many2one("amazon.channel", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="channel_id.company_id", store=True)
    feed_type = fields.Selection(FEED_TYPES, string="Content", required=True, readonly=True)
    document_ref = fields.Char(string="Feed Document ID", readonly=True, required=True)
    feed_ref = fields.Char(string="Feed ID", readonly=True, index=True)
    amazon_sync_state = fields.Selection(required=True, default="sending")
    processing_status = fields.Char(readonly=True, help="Amazon's processingStatus.")
    submitted_date = fields.Datetime(readonly=True)
    order_ids = fields.One2many("sale.order", "amazon_cancel_feed_id", string="Orders")
    listing_update_ids = fields.One2many("amazon.listing.update", "feed_id", string="Listings")

    @api.depends("feed_type", "feed_ref", "create_date")
    def _compute_display_name(self):
        for feed in self:
            kind = dict(feed._fields["feed_type"]._description_selection(self.env)).get(
                feed.feed_type, feed.feed_type
            )
            feed.display_name = self.env._(
                "%(kind)s feed %(ref)s",
                kind=kind,
                ref=feed.feed_ref or self.env._("(not submitted yet)"),
            )
