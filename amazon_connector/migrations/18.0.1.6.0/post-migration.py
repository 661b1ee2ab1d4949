"""18.0.1.6.0: each channel gets a scheduled action of its own, which replaces the scheduled
actions that served every channel in turn (``noupdate`` records: the upgrade would keep them)."""

from odoo import SUPERUSER_ID, api

REPLACED = (
    "ir_cron_amazon_import_orders",
    "ir_cron_amazon_rescan_orders",
    "ir_cron_amazon_confirm_shipments",
    "ir_cron_amazon_send_cancellations",
    "ir_cron_amazon_invoice_orders",
    "ir_cron_amazon_export_listings",
    "ir_cron_amazon_import_listings",
    "ir_cron_amazon_import_fba_inventory",
)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
    for xmlid in REPLACED:
        cron = env.ref(f"amazon_connector.{xmlid}", raise_if_not_found=False)
        if cron:
            cron.unlink()
    env["amazon.channel"].search([])._ensure_cron()
