from odoo import models


class AmazonConnectionCheck(models.AbstractModel):
    """Test connection: exchange the refresh token at LWA now and read the seller's
    marketplace participations, through the same run template as every sync."""

    _name = "amazon.connection.check"
    _inherit = "amazon.sync.runner"
    _description = "Amazon Connection Test"
    _sync_kind = "connection"
    _scheduled = False

    def _gateway_options(self):
        # Someone is waiting for the answer: report the first failure instead of retrying.
        return {"max_retries": 0}

    def _pending(self, channel, **options):
        return True

    def _process(self, run, work):
        participations = run.gateway.check_connection()
        run.options["marketplaces"] = run.channel._apply_participations(participations)

    def _summary(self, run):
        marketplaces = run.options["marketplaces"]
        return self.env._(
            "Connected. Amazon lists %(count)s marketplace(s): %(names)s.",
            count=len(marketplaces),
            names=", ".join(marketplaces.mapped("name")) or "-",
        )

    def _stopped_summary(self, run, message, retry_at):
        return message
