from . import amazon_marketplace
from . import amazon_channel
from . import amazon_sync_log
from . import amazon_sync_log_line
