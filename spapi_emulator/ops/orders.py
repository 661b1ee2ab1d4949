"""Orders API v2026-01-01: searchOrders and getOrder, over ``emu.orders``.

Rules taken from ``models/orders-api-model/orders_2026-01-01.json``:

* exactly one kind of window, ``createdAfter`` or ``lastUpdatedAfter``; the matching
  ``...Before`` is optional, must not precede the ``...After`` and must be at least two minutes
  before the request;
* ``maxResultsPerPage`` 1..100 (default 100); ``paginationToken`` continues a search, all other
  parameters the same except ``maxResultsPerPage`` and ``includedData``; tokens expire after 24 h;
* without ``includedData`` an order carries only its basic information and items (Amazon's
  "Get order information" guide); each dataset adds its properties. ``BUYER`` and
  ``RECIPIENT`` are PII: they need the app's restricted role too (``Seller.granted_data``).

Choices where Amazon is silent (see docs/emulator.md): the first page freezes the window's end
(the ``...Before`` given, else "now") and echoes it, to the second, as ``createdBefore`` /
``lastUpdatedBefore``; pages continue after the last (time, orderId) returned (keyset), so an
order changing during paging is never skipped (it leaves the frozen window and is found by
the next search from the echoed end); ``RECIPIENT`` without the role returns the address's
non-PII parts (city, district, state, municipality, postal code, country).
"""

import base64
import copy
import hashlib
import hmac
import json
from datetime import timedelta

from ..clock import isoformat, parse_datetime
from ..faults import EXPIRED_PAGINATION_TOKEN
from ..routing import ApiError, route
from .sellers import MARKETPLACES

# includedData value -> properties it adds to the Order and to each OrderItem.
ORDER_DATASETS = {
    "BUYER": ("buyer",),
    "RECIPIENT": ("recipient",),
    "PROCEEDS": ("proceeds",),
    "EXPENSE": (),
    "PROMOTION": (),
    "CANCELLATION": (),
    "FULFILLMENT": ("fulfillment",),
    "PACKAGES": ("packages",),
    "TAX": ("tax",),
    "PAYMENT": ("payment",),
    "FULFILLMENT_ORDERS": ("fulfillmentOrders",),
}
ITEM_DATASETS = {
    "PROCEEDS": ("proceeds",),
    "EXPENSE": ("expense",),
    "PROMOTION": ("promotion",),
    "CANCELLATION": ("cancellation",),
    "FULFILLMENT": ("fulfillment",),
    "TAX": ("tax",),
}
HIDDEN_ORDER = {prop for props in ORDER_DATASETS.values() for prop in props}
HIDDEN_ITEM = {prop for props in ITEM_DATASETS.values() for prop in props}
NON_PII_ADDRESS_FIELDS = (
    "city",
    "districtOrCounty",
    "stateOrRegion",
    "municipality",
    "postalCode",
    "countryCode",
)
FULFILLMENT_STATUSES = (
    "PENDING_AVAILABILITY",
    "PENDING",
    "UNSHIPPED",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "CANCELLED",
    "UNFULFILLABLE",
)
FULFILLED_BY = ("MERCHANT", "AMAZON")
WINDOW_PARAMETERS = (
    "createdAfter",
    "createdBefore",
    "lastUpdatedAfter",
    "lastUpdatedBefore",
)
MAX_MARKETPLACE_IDS = 50
MIN_BEFORE_AGE = timedelta(minutes=2)
PAGINATION_TOKEN_TTL = 24 * 3600


def invalid(message):
    return ApiError(400, "InvalidInput", message)


def read_included_data(req) -> set:
    values = req.arg_list("includedData")
    unknown = [value for value in values if value not in ORDER_DATASETS]
    if unknown:
        raise invalid(
            f"Invalid includedData value(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(ORDER_DATASETS)}."
        )
    return set(values)


def read_page_size(req) -> int:
    raw = req.arg("maxResultsPerPage")
    if raw is None:
        return 100
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= 100:
        raise invalid("maxResultsPerPage must be an integer between 1 and 100.")
    return size


def read_query(req) -> dict:
    """The search criteria present in the request, normalised so equal values compare equal."""
    query = {}
    for name in WINDOW_PARAMETERS:
        raw = req.arg(name)
        if raw:
            try:
                query[name] = parse_datetime(raw).isoformat()
            except ValueError:
                raise invalid(f"{name} is not a valid ISO 8601 date-time: {raw!r}.") from None
    enums = {
        "fulfillmentStatuses": FULFILLMENT_STATUSES,
        "fulfilledBy": FULFILLED_BY,
        "marketplaceIds": MARKETPLACES,
    }
    for name, allowed in enums.items():
        values = req.arg_list(name)
        unknown = [value for value in values if value not in allowed]
        if unknown:
            raise invalid(f"Invalid {name} value(s): {', '.join(unknown)}.")
        if values:
            query[name] = sorted(set(values))
    if len(query.get("marketplaceIds", ())) > MAX_MARKETPLACE_IDS:
        raise invalid(f"At most {MAX_MARKETPLACE_IDS} marketplaceIds are allowed.")
    return query


def window_end(query, now) -> str:
    """Check the window rules of a first page; return its end (the Before bound or now)."""
    created = "createdAfter" in query or "createdBefore" in query
    updated = "lastUpdatedAfter" in query or "lastUpdatedBefore" in query
    if created and updated:
        raise invalid(
            "createdAfter/createdBefore cannot be combined with "
            "lastUpdatedAfter/lastUpdatedBefore: use one kind of window."
        )
    after, before = window_names(query)
    if after not in query:
        raise invalid("Exactly one of createdAfter and lastUpdatedAfter must be provided.")
    if before not in query:
        return now.isoformat()
    end = parse_datetime(query[before])
    if end < parse_datetime(query[after]):
        raise invalid(f"{before} must be equal to or after {after}.")
    if end > now - MIN_BEFORE_AGE:
        raise invalid(f"{before} must be at least two minutes before the time of the request.")
    return end.isoformat()


def window_names(query):
    if "createdAfter" in query or "createdBefore" in query:
        return "createdAfter", "createdBefore"
    return "lastUpdatedAfter", "lastUpdatedBefore"


def sign(emu, data: bytes) -> str:
    return hmac.new(emu.secret, data, hashlib.sha256).hexdigest()[:32]


def encode_token(emu, state: dict) -> str:
    data = base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode())
    return f"{data.decode()}.{sign(emu, data)}"


def decode_token(emu, token, seller_id, now) -> dict:
    data, _, signature = token.partition(".")
    state = None
    if hmac.compare_digest(signature, sign(emu, data.encode())):
        state = json.loads(base64.urlsafe_b64decode(data))
    if state is None or state["seller"] != seller_id:
        raise invalid("The paginationToken is invalid.")
    if now.timestamp() - state["issued"] > PAGINATION_TOKEN_TTL:
        raise invalid(EXPIRED_PAGINATION_TOKEN)
    return state


def present(order, included, granted) -> dict:
    """The order as the caller may see it: basic data plus the datasets asked for and allowed."""
    shown_order = {p for name in included for p in ORDER_DATASETS[name]}
    shown_item = {p for name in included & set(ITEM_DATASETS) for p in ITEM_DATASETS[name]}
    result = {}
    for key, value in order.items():
        if key == "orderItems":
            result[key] = [
                {
                    k: copy.deepcopy(v)
                    for k, v in item.items()
                    if k in shown_item or k not in HIDDEN_ITEM
                }
                for item in value
            ]
        elif key == "buyer":
            if "BUYER" in included and "BUYER" in granted:
                result[key] = copy.deepcopy(value)
        elif key == "recipient":
            if "RECIPIENT" in included:
                recipient = value if "RECIPIENT" in granted else public_recipient(value)
                if recipient:
                    result[key] = copy.deepcopy(recipient)
        elif key in shown_order or key not in HIDDEN_ORDER:
            result[key] = copy.deepcopy(value)
    return result


def public_recipient(recipient) -> dict:
    """What RECIPIENT gives without the restricted role: the address's non-PII parts only."""
    address = recipient.get("deliveryAddress") or {}
    public = {key: address[key] for key in NON_PII_ADDRESS_FIELDS if key in address}
    return {"deliveryAddress": public} if public else {}


def matches(order, statuses, marketplaces, fulfilled_by) -> bool:
    fulfillment = order.get("fulfillment") or {}
    if statuses and fulfillment.get("fulfillmentStatus") not in statuses:
        return False
    if marketplaces and order["salesChannel"].get("marketplaceId") not in marketplaces:
        return False
    return not fulfilled_by or fulfillment.get("fulfilledBy") in fulfilled_by


@route("GET", "/orders/2026-01-01/orders", "searchOrders")
def search_orders(emu, req):
    now = emu.clock.now()
    page_size = read_page_size(req)
    included = read_included_data(req)
    query = read_query(req)
    token = req.arg("paginationToken")
    if token:
        state = decode_token(emu, token, req.seller_id, now)
        for name, value in query.items():
            if state["query"].get(name) != value:
                raise invalid(
                    f"{name} differs from the search that issued the paginationToken; "
                    "all parameters but maxResultsPerPage and includedData must be the same."
                )
        query, end, position = state["query"], state["end"], tuple(state["after"])
    else:
        end, position = window_end(query, now), None

    after_name, before_name = window_names(query)
    time_field = "createdTime" if after_name == "createdAfter" else "lastUpdatedTime"
    start = parse_datetime(query[after_name]).timestamp()
    stop = parse_datetime(end).timestamp()
    statuses, marketplaces, fulfilled_by = (
        set(query.get(name, ()))
        for name in ("fulfillmentStatuses", "marketplaceIds", "fulfilledBy")
    )
    found = []
    for order_id, order in emu.orders.items():
        if emu.order_seller[order_id] != req.seller_id:
            continue
        moment = parse_datetime(order[time_field]).timestamp()
        if start <= moment <= stop and matches(order, statuses, marketplaces, fulfilled_by):
            key = (moment, order_id)
            if position is None or key > position:
                found.append((key, order))
    found.sort(key=lambda pair: pair[0])

    granted = emu.sellers[req.seller_id].granted_data
    page = found[:page_size]
    body = {"orders": [present(order, included, granted) for _, order in page]}
    if len(found) > page_size:
        state = {
            "seller": req.seller_id,
            "query": query,
            "end": end,
            "after": list(page[-1][0]),
            "issued": now.timestamp(),
        }
        body["pagination"] = {"nextToken": encode_token(emu, state)}
    body[before_name] = isoformat(parse_datetime(end))
    return body


@route("GET", "/orders/2026-01-01/orders/{orderId}", "getOrder")
def get_order(emu, req):
    included = read_included_data(req)
    order_id = req.path_params["orderId"]
    order = emu.orders.get(order_id)
    if order is None or emu.order_seller[order_id] != req.seller_id:
        raise ApiError(404, "NotFound", f"Order {order_id} was not found.")
    granted = emu.sellers[req.seller_id].granted_data
    return {"order": present(order, included, granted)}
