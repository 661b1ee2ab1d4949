# The addon's Odoo tests: Odoo's runner (--test-enable --test-tags /amazon_connector) and
# pytest-odoo (scripts/test) both find them here. They talk over HTTP to the SP-API emulator
# (the ``spapi_emulator`` package of this repository, installed with ``pip install -e .``).
from . import (
    test_bad_input,
    test_cancellation,
    test_channel,
    test_connect,
    test_credentials,
    test_invoicing,
    test_large_sellers,
    test_listings,
    test_migration,
    test_multi_company,
    test_notifications,
    test_order_customers,
    test_order_import,
    test_redaction,
    test_screens,
    test_shipment,
    test_sync_engine,
    test_taxes,
    test_tours,
    test_translations,
)
