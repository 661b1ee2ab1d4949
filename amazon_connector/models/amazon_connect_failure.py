from datetime import timedelta

from odoo import api, fields, models

# Refused callbacks allowed from one address within the window before it is turned away.
MAX_FAILURES = 10
WINDOW = timedelta(minutes=15)


class AmazonConnectFailure(models.Model):
    """A refused answer to the OAuth callback (forged, replayed or expired state, another
    user's, denied consent, refused code...): logged for the managers and counted per address,
    so that someone guessing states is turned away."""

    _name = "amazon.connect.failure"
    _description = "Amazon Connect Failure"
    _order = "id desc"

    remote_addr = fields.Char(string="From Address", index=True)
    reason = fields.Char(required=True)
    message = fields.Text()
    request_id = fields.Many2one("amazon.connect.request", ondelete="set null")
    channel_id = fields.Many2one(related="request_id.channel_id", store=True)

    @api.model
    def _too_many(self, remote_addr):
        since = fields.Datetime.now() - WINDOW
        return (
            self.sudo().search_count(
                [("remote_addr", "=", remote_addr), ("create_date", ">=", since)]
            )
            >= MAX_FAILURES
        )

    @api.autovacuum
    def _gc_failures(self):
        self.sudo().search(
            [("create_date", "<", fields.Datetime.now() - timedelta(days=30))]
        ).unlink()
