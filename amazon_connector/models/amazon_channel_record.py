from odoo import api, models


class AmazonChannelRecord(models.AbstractModel):
    """A record that belongs to one channel (its ``channel_id``), and so to its company.

    Odoo checks record rules before a write, not after it: without this check a user could
    move a record of their own company onto another company's channel.
    """

    _name = "amazon.channel.record"
    _description = "Amazon Channel Record"

    @api.constrains("channel_id")
    def _check_channel_access(self):
        self.channel_id.check_access("read")
