from odoo import fields, models

# One vocabulary for every record that crosses the wire to Amazon (deliveries, packages,
# cancellations, feeds, and later listings):
#   to_send -> sending (a call whose outcome is not known yet) -> waiting (Amazon has it and
#   has not answered yet) -> accepted | rejected; cancelled: Amazon dropped it unprocessed (what
#   it carried goes again); not_applicable: nothing to send.
SYNC_STATES = [
    ("to_send", "To send"),
    ("sending", "Sending"),
    ("waiting", "Waiting for Amazon"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled by Amazon"),
    ("not_applicable", "Nothing to send"),
]


class AmazonSyncMixin(models.AbstractModel):
    """Where a record stands with Amazon: its state, Amazon's answer and when it came."""

    _name = "amazon.sync.mixin"
    _description = "Amazon Sync State"

    amazon_sync_state = fields.Selection(
        SYNC_STATES, string="On Amazon", readonly=True, copy=False, index=True
    )
    amazon_sync_message = fields.Text(string="Amazon's Answer", readonly=True, copy=False)
    amazon_sync_date = fields.Datetime(string="Amazon Answered On", readonly=True, copy=False)

    def _amazon_sync_set(self, state, message=False):
        self.write(self._amazon_sync_values(state, message))

    def _amazon_sync_values(self, state, message):
        """What a new state writes; a model adds what the change resets along with it."""
        return {
            "amazon_sync_state": state,
            "amazon_sync_message": message,
            "amazon_sync_date": fields.Datetime.now(),
        }
