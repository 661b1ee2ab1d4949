from odoo import fields, models

FEED_STATES = [
    ("prepared", "Uploaded"),
    ("submitted", "Submitted"),
    ("done", "Processed"),
    ("fatal", "Refused"),
]


class AmazonFeed(models.Model):
    """A feed document sent to Amazon and what Amazon's processing report said about it.

    The record exists from the moment the document is uploaded (state *prepared*): a run that
    dies before saving createFeed's answer looks the feed up by its document id instead of
    submitting the same orders twice.
    """

    _name = "amazon.feed"
    _description = "Amazon Feed"
    _order = "create_date desc, id desc"

    channel_id = fields.Many2one("amazon.channel", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="channel_id.company_id", store=True)
    feed_type = fields.Char(required=True, readonly=True)
    document_ref = fields.Char(string="Feed Document ID", readonly=True, required=True)
    feed_ref = fields.Char(string="Feed ID", readonly=True, index=True)
    state = fields.Selection(FEED_STATES, required=True, default="prepared", readonly=True)
    processing_status = fields.Char(readonly=True, help="Amazon's processingStatus.")
    submitted_date = fields.Datetime(readonly=True)
    processed_date = fields.Datetime(readonly=True)
    result_summary = fields.Text(readonly=True)
    order_ids = fields.One2many("sale.order", "amazon_cancel_feed_id", string="Orders")
