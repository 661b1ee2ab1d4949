import json

from odoo import api, fields, models

SYNC_KINDS = [
    ("connection", "Connection test"),
    ("order_import", "Order import"),
    ("notifications", "Order notifications"),
    ("shipment", "Shipment confirmation"),
    ("cancellation", "Cancellation"),
    ("invoicing", "Invoicing"),
    ("listing_import", "Listing import"),
    ("listing_export", "Stock and price export"),
    ("fba_inventory", "FBA stock import"),
    ("redaction", "Personal data redaction"),
]
# Invoicing and redaction stay inside Odoo: neither from nor to Amazon.
KIND_DIRECTION = {
    "connection": "import",
    "order_import": "import",
    "notifications": "import",
    "invoicing": False,
    "listing_import": "import",
    "fba_inventory": "import",
    "redaction": False,
}


class AmazonSyncLog(models.Model):
    """One sync run in one direction: what was done, what failed and how many calls it cost."""

    _name = "amazon.sync.log"
    _description = "Amazon Sync Log"
    _order = "started desc, id desc"
    _rec_name = "display_name"

    channel_id = fields.Many2one("amazon.channel", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="channel_id.company_id", store=True, index=True)
    kind = fields.Selection(SYNC_KINDS, required=True)
    direction = fields.Selection(
        [("import", "From Amazon"), ("export", "To Amazon")],
        compute="_compute_direction",
        store=True,
    )
    started = fields.Datetime(required=True, default=fields.Datetime.now)
    ended = fields.Datetime()
    duration = fields.Float(string="Duration (s)", compute="_compute_duration", store=True)
    state = fields.Selection(
        [
            ("running", "Running"),
            ("done", "Done"),
            ("paused", "Paused"),
            ("partial", "Done with errors"),
            ("failed", "Failed"),
            ("interrupted", "Interrupted"),
        ],
        required=True,
        default="running",
    )
    count_new = fields.Integer(string="New")
    count_updated = fields.Integer(string="Updated")
    count_cancelled = fields.Integer(string="Cancelled")
    count_skipped = fields.Integer(string="Skipped")
    count_failed = fields.Integer(string="Failed")
    count_difference = fields.Integer(
        string="Differences",
        help="Orders whose total Odoo's taxes could not give to the cent: the difference is "
        "booked on a line of its own.",
    )
    count_sent = fields.Integer(string="Sent", help="Deliveries or cancellations Amazon accepted.")
    count_redacted_orders = fields.Integer(
        string="Orders Redacted", help="Orders whose buyer's personal data was redacted."
    )
    count_redacted_partners = fields.Integer(
        string="Contacts Redacted",
        help="Buyers and delivery addresses whose personal data was redacted.",
    )
    count_redacted_messages = fields.Integer(
        string="Messages Redacted",
        help="Chatter messages, their tracked values and e-mails cleared of the redacted data.",
    )
    api_calls = fields.Text(
        string="API Calls (JSON)", help="Technical: calls made per SP-API operation, as JSON."
    )
    api_calls_summary = fields.Text(
        string="API Calls",
        compute="_compute_api_calls_summary",
        help="Calls made to Amazon, per SP-API operation.",
    )
    line_ids = fields.One2many("amazon.sync.log.line", "log_id", string="Messages")
    summary = fields.Text(help="What happened, in a sentence or two.")

    @api.depends("api_calls")
    def _compute_api_calls_summary(self):
        for log in self:
            try:
                calls = json.loads(log.api_calls or "{}")
            except ValueError:
                calls = {}
            log.api_calls_summary = "\n".join(
                f"{operation}: {count}" for operation, count in calls.items()
            ) or self.env._("No call to Amazon.")

    @api.depends("kind")
    def _compute_direction(self):
        for log in self:
            log.direction = KIND_DIRECTION.get(log.kind, "export")

    @api.depends("started", "ended")
    def _compute_duration(self):
        for log in self:
            ended = log.ended or log.started
            log.duration = (ended - log.started).total_seconds() if log.started else 0.0

    @api.depends("channel_id", "kind", "started")
    def _compute_display_name(self):
        labels = dict(SYNC_KINDS)
        for log in self:
            log.display_name = f"{log.channel_id.name} / {labels.get(log.kind, '')} / {log.started}"

    def add_message(self, message, level="error", amazon_ref=None):
        self.ensure_one()
        self.env["amazon.sync.log.line"].create(
            {"log_id": self.id, "message": message, "level": level, "amazon_ref": amazon_ref}
        )

    def finish(self, state=None, summary=None, call_counts=None, **counters):
        """Close the run; the state defaults to partial when something failed. Counters the
        log has no field for (a run's own, such as notifications read) are told in its summary."""
        self.ensure_one()
        values = {
            f"count_{name}": value
            for name, value in counters.items()
            if f"count_{name}" in self._fields
        }
        failed = values.get("count_failed", self.count_failed)
        values.update(
            ended=fields.Datetime.now(),
            state=state or ("partial" if failed else "done"),
        )
        if summary is not None:
            values["summary"] = summary
        if call_counts is not None:
            values["api_calls"] = json.dumps(dict(sorted(call_counts.items())), indent=1)
        self.write(values)
