from . import amazon_connector_key
