import re

from odoo import api, fields, models

MESSAGE_LENGTH = 4000
REFERENCE_LENGTH = 100
# What PostgreSQL refuses in text (NUL) or cannot encode (lone UTF-16 surrogates), with the
# other control characters but line breaks and tabs: a message quoting Amazon's data must not
# make its own write fail, nor hide text from the reader.
UNSHOWABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
LINE_BREAKS = re.compile(r"[\t\n\r]+")


def _storable(value, limit, one_line=False):
    """``value`` as text PostgreSQL stores and a reader can read, at most ``limit`` long."""
    text = UNSHOWABLE.sub("", str(value)[: limit * 2])
    if one_line:
        text = LINE_BREAKS.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


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

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("message"):
                vals["message"] = _storable(vals["message"], MESSAGE_LENGTH)
            if vals.get("amazon_ref"):
                vals["amazon_ref"] = _storable(vals["amazon_ref"], REFERENCE_LENGTH, True)
        return super().create(vals_list)
