# Bases that other models inherit: registered before them.
from . import amazon_channel_record, amazon_sync_mixin, amazon_sync_runner

# isort: split
from . import (
    account_tax,
    amazon_cancellation_exporter,
    amazon_carrier_mapping,
    amazon_channel,
    amazon_connection_check,
    amazon_error,
    amazon_feed,
    amazon_listing,
    amazon_marketplace,
    amazon_order_builder,
    amazon_order_importer,
    amazon_order_invoicer,
    amazon_package,
    amazon_shipment_exporter,
    amazon_shipping_mapping,
    amazon_status_mapping,
    amazon_sync_log,
    amazon_sync_log_line,
    amazon_sync_schedule,
    res_partner,
    sale_order,
    sale_order_line,
    stock_move,
    stock_picking,
)
