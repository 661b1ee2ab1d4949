from . import amazon_order_cancel
