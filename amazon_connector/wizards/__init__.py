from . import amazon_connect_link, amazon_order_cancel
