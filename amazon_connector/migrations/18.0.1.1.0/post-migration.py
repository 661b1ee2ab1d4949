"""18.0.1.1.0: the scheduled actions point at the capability models (they are ``noupdate``
records, so the upgrade would otherwise keep the old ones, whose methods are gone)."""

from odoo import SUPERUSER_ID, api

MOVED = {
    "ir_cron_amazon_import_orders": ("amazon.order.importer", "model._cron()", 1, "minutes"),
    "ir_cron_amazon_rescan_orders": ("amazon.order.importer", "model._cron_rescan()", 1, "days"),
}


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid, (model, code, number, unit) in MOVED.items():
        cron = env.ref(f"amazon_connector.{xmlid}", raise_if_not_found=False)
        if cron:
            cron.write(
                {
                    "model_id": env["ir.model"]._get_id(model),
                    "code": code,
                    "interval_number": number,
                    "interval_type": unit,
                }
            )
    # Shipments and cancellations now have a scheduled action each (created by the upgrade).
    old = env.ref("amazon_connector.ir_cron_amazon_export", raise_if_not_found=False)
    if old:
        old.unlink()
