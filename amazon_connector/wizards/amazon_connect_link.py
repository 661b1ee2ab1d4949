from odoo import fields, models


class AmazonConnectLink(models.TransientModel):
    """Shows a connect link to copy: a seller without an Odoo login opens it to authorise the
    app for the channel (it works once and expires after seven days)."""

    _name = "amazon.connect.link"
    _description = "Amazon Connect Link"

    channel_id = fields.Many2one("amazon.channel", required=True, ondelete="cascade")
    link = fields.Char(readonly=True)
