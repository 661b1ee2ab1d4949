from odoo import api, fields, models

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

    # Fields whose change shows by itself on the screens that show the record (Odoo's bus,
    # static/src/js/amazon_live_refresh.js), for the records people keep open while a run
    # changes them in the background.
    _amazon_live_fields = ()

    def write(self, vals):
        result = super().write(vals)
        if self and not set(vals).isdisjoint(self._amazon_live_fields):
            self._amazon_announce_change()
        return result

    def _amazon_announce_change(self):
        """Tell the browsers of the connector's users that these records changed: once per
        transaction and model (a run's page of orders is one message per user, not one per
        order), when the transaction commits."""
        pending = self.env.cr.precommit.data.setdefault("amazon_connector.changed", {})
        if not pending:
            self.env.cr.precommit.add(self.env["amazon.sync.mixin"]._amazon_send_announcements)
        pending.setdefault(self._name, set()).update(self.ids)

    @api.model
    def _amazon_send_announcements(self):
        pending = self.env.cr.precommit.data.pop("amazon_connector.changed", {})
        group = self.env.ref("amazon_connector.group_amazon_user", raise_if_not_found=False)
        if not group or not pending:
            return
        partners = group.sudo().users.partner_id
        for model, ids in pending.items():
            payload = {"model": model, "ids": sorted(ids)}
            for partner in partners:
                self.env["bus.bus"]._sendone(partner, "amazon_connector.changed", payload)

    def _amazon_sync_set(self, state, message=False):
        self.write(self._amazon_sync_values(state, message))

    def _amazon_sync_values(self, state, message):
        """What a new state writes; a model adds what the change resets along with it."""
        return {
            "amazon_sync_state": state,
            "amazon_sync_message": message,
            "amazon_sync_date": fields.Datetime.now(),
        }
