"""Orders API v2026-01-01: searchOrders and getOrder, over ``emu.orders``.

Rules taken from ``models/orders-api-model/orders_2026-01-01.json``:

* exactly one kind of window, ``createdAfter`` or ``lastUpdatedAfter``; the matching
  ``...Before`` is optional, must not precede the ``...After`` and must be at least two minutes
  before the request;
* ``maxResultsPerPage`` 1..100 (default 100); ``paginationToken`` continues a search, all other
  parameters the same except ``maxResultsPerPage`` and ``includedData``; tokens expire after 24 h;
* without ``includedData`` an order carries only its basic information and items (Amazon's
  "Get order information" guide); each dataset adds its properties.

Personal data is what Amazon's "Access Orders PII" page lists for v2026-01-01 (``BUYER_PII``,
``RECIPIENT_PII``, ``ITEM_PII``); the app sees it only with the seller's grant
(``Seller.granted_data``, standing for the restricted roles). Without it the PII fields are
left out and everything else is served: ``BUYER`` still gives ``buyerCompanyName`` and
``buyerPurchaseOrderNumber``, ``RECIPIENT`` the address's city, district, state,
municipality, country, company and address type and the delivery preferences; an object left
empty is omitted.

Choices where Amazon is silent (see docs/emulator.md): the first page freezes the window's end
(the ``...Before`` given, else "now") and echoes it, to the second, as ``createdBefore`` /
``lastUpdatedBefore``; pages continue after the last (time, orderId) returned (keyset), so an
order changing during paging is never skipped (it leaves the frozen window and is found by
the next search from the echoed end); gift messages and customized URLs, PII whose role the
page's copy consulted did not show, need either grant.
Stored orders are served as stored, junk included (tests load malformed orders on purpose):
a value of the wrong type is never walked into, and an order whose orderId or window time is
unusable is left out of searches instead of failing them.
"""

import copy
from datetime import timedelta

from ..clock import isoformat, parse_datetime
from ..faults import EXPIRED_PAGINATION_TOKEN
from ..routing import ApiError, route
from .page_tokens import encode_token, signed_state
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
# Customer PII, as Amazon's "Access Orders PII" page lists it for Orders API v2026-01-01: paths
# inside the order (BUYER_PII, RECIPIENT_PII) and inside each order item (ITEM_PII).
BUYER_PII = (("buyer", "buyerEmail"), ("buyer", "buyerName"))
RECIPIENT_PII = tuple(
    ("recipient", "deliveryAddress", field)
    for field in (
        "name",
        "addressLine1",
        "addressLine2",
        "addressLine3",
        "postalCode",
        "phone",
        "extendedFields",
    )
)
ITEM_PII = (
    ("fulfillment", "packing", "giftOption", "giftMessage"),
    ("product", "customization", "customizedUrl"),
)
# The grants that reveal ITEM_PII: either restricted role (see docs/emulator.md).
ITEM_PII_GRANTS = frozenset({"BUYER", "RECIPIENT"})
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


def decode_token(emu, token, seller_id, now) -> dict:
    state = signed_state(emu, token)
    if state is None or state["seller"] != seller_id:
        raise invalid("The paginationToken is invalid.")
    if now.timestamp() - state["issued"] > PAGINATION_TOKEN_TTL:
        raise invalid(EXPIRED_PAGINATION_TOKEN)
    return state


def present(order, included, granted) -> dict:
    """The order as the caller may see it: basic data plus the datasets asked for, without the
    PII the seller's grants don't cover. Works on copies: the stored order never changes."""
    shown_order = {p for name in included for p in ORDER_DATASETS[name]}
    shown_item = {p for name in included & set(ITEM_DATASETS) for p in ITEM_DATASETS[name]}
    result = {
        key: copy.deepcopy(value)
        for key, value in order.items()
        if key in shown_order or key not in HIDDEN_ORDER
    }
    for grant, paths in (("BUYER", BUYER_PII), ("RECIPIENT", RECIPIENT_PII)):
        if grant not in granted:
            for path in paths:
                remove_field(result, path)
    items = result.get("orderItems")
    if isinstance(items, list):
        item_pii_granted = bool(ITEM_PII_GRANTS & granted)
        result["orderItems"] = [present_item(item, shown_item, item_pii_granted) for item in items]
    return result


def present_item(item, shown, pii_granted):
    """An order item (a copy) with the datasets in ``shown``; stored junk served as stored."""
    if not isinstance(item, dict):
        return item
    result = {key: value for key, value in item.items() if key in shown or key not in HIDDEN_ITEM}
    if not pii_granted:
        for path in ITEM_PII:
            remove_field(result, path)
    return result


def remove_field(container: dict, path: tuple) -> bool:
    """Delete the field at ``path`` and the objects its removal leaves empty; True if deleted.

    Only objects are walked: a stored value of another type on the way has no such field.
    """
    key, rest = path[0], path[1:]
    if key not in container:
        return False
    if rest:
        child = container[key]
        if not isinstance(child, dict) or not remove_field(child, rest):
            return False
        if child:
            return True
    del container[key]
    return True


def as_object(value) -> dict:
    """A stored value where the model has an object; junk of another type counts as empty."""
    return value if isinstance(value, dict) else {}


def matches(order, statuses, marketplaces, fulfilled_by) -> bool:
    """The search filters; a stored value of the wrong type matches no filter."""
    fulfillment = as_object(order.get("fulfillment"))
    checks = (
        (statuses, fulfillment.get("fulfillmentStatus")),
        (marketplaces, as_object(order.get("salesChannel")).get("marketplaceId")),
        (fulfilled_by, fulfillment.get("fulfilledBy")),
    )
    return all(
        not allowed or (isinstance(value, str) and value in allowed) for allowed, value in checks
    )


def search_time(order, field):
    """The order's ``createdTime`` or ``lastUpdatedTime`` in POSIX seconds; None if unusable."""
    try:
        return parse_datetime(order[field]).timestamp()
    except (KeyError, TypeError, AttributeError, ValueError, OverflowError):
        return None


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
        if emu.order_seller[order_id] != req.seller_id or not isinstance(order_id, str):
            continue
        moment = search_time(order, time_field)
        if moment is None:
            continue
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
