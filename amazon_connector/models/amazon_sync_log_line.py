from odoo import fields, models


class AmazonSyncLogLine(models.Model):
    """One message of a sync run, typically a record that failed and why."""

    _name = "amazon.sync.log.line"
    _description = "Amazon Sync Log Message"
    _order = "id"

    log_id = fields.Many2one("amazon.sync.log", required=True, ondelete="cascade", index=True)
    level = fields.Selection(
        [("info", "Info"), ("warning", "Warning"), ("error", "Error")],
        required=True,
        default="info",
    )
    amazon_ref = fields.Char(string="Amazon Reference", help="Amazon order id, SKU or feed id.")
    message = fields.Text(required=True)
