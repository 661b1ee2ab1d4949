from . import (
    account_tax,
    amazon_channel,
    amazon_listing,
    amazon_marketplace,
    amazon_order_importer,
    amazon_shipping_mapping,
    amazon_status_mapping,
    amazon_sync_log,
    amazon_sync_log_line,
    res_partner,
    sale_order,
    sale_order_line,
)
