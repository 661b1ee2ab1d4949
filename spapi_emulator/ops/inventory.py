"""FBA Inventory API v1: getInventorySummaries (``models/fba-inventory-api-model``).

FBA stock lives in ``emu.fba_inventory[(seller_id, sku, channel)]`` (``channel`` =
``AMAZON_EU``, ``AMAZON_NA``, ``AMAZON_JP``)::

    {"sellerSku", "channel", "asin", "fnSku", "condition", "productName",
     "marketplaceIds": [...], "details": InventoryDetails, "lastUpdatedTime"}

``Emulator.seed_listings`` creates the records of Amazon-fulfilled listings and
``Emulator.set_fba_inventory`` changes them. With ``granularityType=Marketplace`` a record
counts for every marketplace of its list (one stock pool per fulfilment network, as Pan-EU).
"""

import json
from datetime import timedelta

from ..clock import parse_datetime
from ..listing_generator import total_quantity
from ..routing import ApiError, route
from .page_tokens import encode_token, signed_state

# Choice: Amazon documents no page size; it answers 50 summaries a page.
PAGE_SIZE = 50
MAX_SELLER_SKUS = 50
NEXT_TOKEN_TTL = 30  # "The string token will expire 30 seconds after being created."
START_LIMIT = timedelta(days=548)  # startDateTime no earlier than 18 months before the call


def invalid(message):
    return ApiError(400, "InvalidInput", message)


def decode_token(emu, token, seller_id, query, now) -> dict:
    state = signed_state(emu, token)
    if state is None or state["seller"] != seller_id:
        raise invalid("The nextToken is invalid.")
    if now - state["issued"] > NEXT_TOKEN_TTL:
        raise invalid("The nextToken has expired (it is valid 30 seconds). Search again.")
    if state["query"] != query:
        raise invalid(
            "The nextToken belongs to a request with other parameters: send the same "
            "granularity, marketplaceIds, startDateTime and SKUs with it."
        )
    return state


def read_query(emu, req) -> dict:
    granularity_type = req.arg("granularityType")
    granularity_id = req.arg("granularityId")
    marketplace_ids = req.arg_list("marketplaceIds")
    if not granularity_type:
        raise invalid("Missing required parameter: granularityType.")
    if granularity_type != "Marketplace":
        raise invalid(f"Invalid granularityType '{granularity_type}'; allowed: Marketplace.")
    if not granularity_id:
        raise invalid("Missing required parameter: granularityId.")
    if not marketplace_ids:
        raise invalid("Missing required parameter: marketplaceIds.")
    if len(marketplace_ids) > 1:
        raise invalid("marketplaceIds accepts exactly one marketplace id.")
    if granularity_id != marketplace_ids[0]:
        raise invalid("granularityId must be the marketplace id given in marketplaceIds.")
    if granularity_id not in emu.sellers[req.seller_id].marketplace_ids:
        raise invalid(f"The seller does not participate in marketplace {granularity_id}.")
    details = req.arg("details", "false").lower()
    if details not in ("true", "false"):
        raise invalid("details must be true or false.")
    query = {"marketplaceId": granularity_id}
    start = req.arg("startDateTime")
    if start:
        try:
            moment = parse_datetime(start)
        except ValueError:
            raise invalid(f"startDateTime is not a valid ISO 8601 date-time: {start!r}.") from None
        if moment < emu.clock.now() - START_LIMIT:
            raise invalid("startDateTime must be no earlier than 18 months before now.")
        query["startDateTime"] = moment.isoformat()
        return query, details == "true"  # sellerSkus and sellerSku are then ignored
    skus = req.arg_list("sellerSkus")
    if len(skus) > MAX_SELLER_SKUS:
        raise invalid(f"At most {MAX_SELLER_SKUS} sellerSkus are allowed.")
    if skus:
        query["sellerSkus"] = sorted(set(skus))
    elif req.arg("sellerSku"):
        query["sellerSkus"] = [req.arg("sellerSku")]
    return query, details == "true"


def matches(record, query) -> bool:
    if query["marketplaceId"] not in record["marketplaceIds"]:
        return False
    if "sellerSkus" in query and record["sellerSku"] not in query["sellerSkus"]:
        return False
    return not (
        "startDateTime" in query
        and parse_datetime(record["lastUpdatedTime"]) < parse_datetime(query["startDateTime"])
    )


def summary(record, details) -> dict:
    found = {
        "asin": record["asin"],
        "fnSku": record["fnSku"],
        "sellerSku": record["sellerSku"],
        "condition": record["condition"],
        "lastUpdatedTime": record["lastUpdatedTime"],
        "productName": record["productName"],
        "totalQuantity": total_quantity(record["details"]),
    }
    if details:
        found["inventoryDetails"] = json.loads(json.dumps(record["details"]))
    return found


@route("GET", "/fba/inventory/v1/summaries", "getInventorySummaries")
def get_inventory_summaries(emu, req):
    """Summaries sorted by seller SKU, 50 a page; ``nextToken`` is a keyset (the last SKU
    served), valid 30 emulated seconds, and must come with the same parameters."""
    query, details = read_query(emu, req)
    now = emu.clock.timestamp()
    after = None
    token = req.arg("nextToken")
    if token:
        after = decode_token(emu, token, req.seller_id, query, now)["after"]
    with emu.lock:
        records = sorted(
            (
                record
                for (seller, sku, _channel), record in emu.fba_inventory.items()
                if seller == req.seller_id
                and matches(record, query)
                and (after is None or sku > after)
            ),
            key=lambda record: record["sellerSku"],
        )
        page = records[:PAGE_SIZE]
        answer = {
            "payload": {
                "granularity": {
                    "granularityType": "Marketplace",
                    "granularityId": query["marketplaceId"],
                },
                "inventorySummaries": [summary(record, details) for record in page],
            }
        }
        if len(records) > PAGE_SIZE:
            answer["pagination"] = {
                "nextToken": encode_token(
                    emu,
                    {
                        "seller": req.seller_id,
                        "query": query,
                        "after": page[-1]["sellerSku"],
                        "issued": now,
                    },
                )
            }
        return answer
