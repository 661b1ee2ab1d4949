"""Listings Items API 2021-08-01: getListingsItem, searchListingsItems and patchListingsItem.

A listing lives in ``emu.listings[(seller_id, sku)]`` as::

    {"sku", "sellerId", "productType", "asin" (or None), "marketplaceIds": [...],
     "attributes": {attribute name: [values...]},   # Amazon's attribute JSON, as sent
     "issues": [Listings Issue dicts], "createdDate", "lastUpdatedDate"}

Quantity is read from ``attributes.fulfillment_availability`` and price from
``attributes.purchasable_offer`` exactly where Amazon keeps them, so a value written by
patchListingsItem or by a JSON_LISTINGS_FEED comes back from getListingsItem. The helpers
below are shared with the feed processor in ``ops/feeds.py``.
"""

import re
import uuid
from decimal import Decimal

from ..clock import isoformat, parse_datetime
from ..routing import ApiError, route
from .page_tokens import encode_token, signed_state

GET_INCLUDED_DATA = (
    "summaries",
    "attributes",
    "issues",
    "offers",
    "fulfillmentAvailability",
    "procurement",
    "relationships",
    "productTypes",
)
PATCH_INCLUDED_DATA = ("identifiers", "issues")
PATCH_OPS = ("add", "replace", "merge", "delete")
CONDITION_TYPES = frozenset(
    {
        "new_new",
        "new_open_box",
        "new_oem",
        "refurbished_refurbished",
        "used_like_new",
        "used_very_good",
        "used_good",
        "used_acceptable",
        "collectible_like_new",
        "collectible_very_good",
        "collectible_good",
        "collectible_acceptable",
        "club_club",
    }
)
ATTRIBUTE_PATH = re.compile(r"^/attributes/([a-z0-9_]+)$")
# Issue code Amazon uses for attribute values it rejects (the model's VALIDATION_INVALID example).
INVALID_ATTRIBUTE_CODE = "90000900"
# Issue code of the processing-report example for a required value that is missing.
MISSING_VALUE_CODE = "99022"
# Emulator's own code: Amazon documents no numeric code for "this SKU has no listing".
SKU_NOT_FOUND_CODE = "SKU_NOT_FOUND"


def make_listing(emu, seller_id, sku, product_type, attributes, marketplace_ids=None, asin=None):
    """Create (or replace) a listing in the emulator state; what a test or a seed uses."""
    now = isoformat(emu.clock.now())
    listing = {
        "sku": sku,
        "sellerId": seller_id,
        "productType": product_type,
        "asin": asin,
        "marketplaceIds": list(marketplace_ids or emu.sellers[seller_id].marketplace_ids),
        "attributes": dict(attributes),
        "issues": [],
        "createdDate": now,
        "lastUpdatedDate": now,
    }
    with emu.lock:
        emu.listings[(seller_id, sku)] = listing
    return listing


def issue(message, code=INVALID_ATTRIBUTE_CODE, attribute=None, category="INVALID_ATTRIBUTE"):
    """A Listings API ``Issue`` with severity ERROR."""
    found = {"code": code, "message": message, "severity": "ERROR", "categories": [category]}
    if attribute:
        found["attributeNames"] = [attribute]
    return found


def is_integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_fulfillment_availability(values):
    problems = []
    for index, entry in enumerate(values):
        code = entry.get("fulfillment_channel_code")
        if not isinstance(code, str) or not code:
            problems.append(
                issue(
                    f"fulfillment_availability[{index}].fulfillment_channel_code is required.",
                    MISSING_VALUE_CODE,
                    "fulfillment_availability",
                    "MISSING_ATTRIBUTE",
                )
            )
            continue
        quantity = entry.get("quantity")
        if quantity is None and code == "DEFAULT":
            problems.append(
                issue(
                    f"fulfillment_availability[{index}].quantity is required for the DEFAULT "
                    "(merchant) fulfillment channel.",
                    MISSING_VALUE_CODE,
                    "fulfillment_availability",
                    "MISSING_ATTRIBUTE",
                )
            )
        elif quantity is not None and (not is_integer(quantity) or quantity < 0):
            problems.append(
                issue(
                    f"The value '{quantity}' for fulfillment_availability[{index}].quantity is "
                    "invalid: it must be an integer of 0 or more.",
                    attribute="fulfillment_availability",
                )
            )
    return problems


def check_purchasable_offer(values, marketplace_ids):
    problems = []
    for index, entry in enumerate(values):
        where = f"purchasable_offer[{index}]"
        currency = entry.get("currency")
        if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
            problems.append(
                issue(
                    f"{where}.currency must be an ISO 4217 currency code.",
                    attribute="purchasable_offer",
                )
            )
        marketplace_id = entry.get("marketplace_id")
        if marketplace_id is not None and marketplace_id not in marketplace_ids:
            problems.append(
                issue(
                    f"{where}.marketplace_id '{marketplace_id}' is not one of the requested "
                    "marketplaces.",
                    attribute="purchasable_offer",
                )
            )
        prices = entry.get("our_price")
        if not isinstance(prices, list) or not prices:
            problems.append(
                issue(
                    "The field 'prices' for the attribute 'purchasable_offer.our_price' does not "
                    "have enough values. The required minimum is '1' value(s).",
                    MISSING_VALUE_CODE,
                    "purchasable_offer.our_price",
                    "MISSING_ATTRIBUTE",
                )
            )
            continue
        for price in prices:
            schedule = price.get("schedule") if isinstance(price, dict) else None
            if not isinstance(schedule, list) or not schedule:
                problems.append(
                    issue(
                        f"{where}.our_price needs a schedule.",
                        MISSING_VALUE_CODE,
                        "purchasable_offer.our_price",
                        "MISSING_ATTRIBUTE",
                    )
                )
                continue
            for step in schedule:
                value = step.get("value_with_tax") if isinstance(step, dict) else None
                if not is_number(value) or value <= 0:
                    problems.append(
                        issue(
                            f"The value '{value}' for {where}.our_price value_with_tax is invalid: "
                            "it must be a number greater than 0.",
                            attribute="purchasable_offer.our_price",
                        )
                    )
    return problems


def check_attribute(name, values, marketplace_ids):
    """Issues for one attribute's value list (an Amazon attribute is a list of objects)."""
    if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
        return [issue(f"The attribute '{name}' must be a list of objects.", attribute=name)]
    if name == "fulfillment_availability":
        return check_fulfillment_availability(values)
    if name == "purchasable_offer":
        return check_purchasable_offer(values, marketplace_ids)
    if name == "condition_type":
        bad = [v.get("value") for v in values if v.get("value") not in CONDITION_TYPES]
        if bad:
            return [
                issue(
                    f"The value '{bad[0]}' for condition_type is not valid.",
                    attribute="condition_type",
                )
            ]
    return []


def check_attributes(attributes, marketplace_ids):
    problems = []
    for name, values in attributes.items():
        problems.extend(check_attribute(name, values, marketplace_ids))
    return problems


def check_patches(patches, marketplace_ids):
    """Issues for a JSON Patch list limited to ``/attributes/<name>`` paths."""
    problems = []
    for index, patch in enumerate(patches):
        if not isinstance(patch, dict):
            problems.append(issue(f"patches[{index}] must be an object."))
            continue
        op, path = patch.get("op"), patch.get("path")
        if op not in PATCH_OPS:
            problems.append(
                issue(f"patches[{index}].op '{op}' is not one of {', '.join(PATCH_OPS)}.")
            )
            continue
        match = ATTRIBUTE_PATH.match(path) if isinstance(path, str) else None
        if not match:
            problems.append(
                issue(
                    f"patches[{index}].path '{path}' is not an attribute path "
                    "such as /attributes/fulfillment_availability."
                )
            )
            continue
        if op == "delete":
            continue
        if "value" not in patch:
            problems.append(
                issue(
                    f"patches[{index}] ({op}) needs a value.",
                    MISSING_VALUE_CODE,
                    match.group(1),
                    "MISSING_ATTRIBUTE",
                )
            )
            continue
        problems.extend(check_attribute(match.group(1), patch["value"], marketplace_ids))
    return problems


def selector(name, value):
    """What identifies one entry of an attribute when JSON Patch ``merge`` combines lists."""
    if name == "fulfillment_availability":
        return value.get("fulfillment_channel_code")
    if name == "purchasable_offer":
        return value.get("marketplace_id"), value.get("audience", "ALL")
    return value.get("marketplace_id"), value.get("language_tag")


def apply_patches(listing, patches):
    """Apply already-validated patches to ``listing['attributes']``."""
    attributes = listing["attributes"]
    for patch in patches:
        name = ATTRIBUTE_PATH.match(patch["path"]).group(1)
        op = patch["op"]
        if op == "delete":
            attributes.pop(name, None)
        elif op == "merge" and name in attributes:
            merged = [dict(entry) for entry in attributes[name]]
            for value in patch["value"]:
                key = selector(name, value)
                same = next((entry for entry in merged if selector(name, entry) == key), None)
                if same is None:
                    merged.append(dict(value))
                else:
                    same.update(value)
            attributes[name] = merged
        else:
            attributes[name] = [dict(entry) for entry in patch["value"]]


def touch_listing(emu, listing, marketplace_ids=()):
    listing["lastUpdatedDate"] = isoformat(emu.clock.now())
    for marketplace_id in marketplace_ids:
        if marketplace_id not in listing["marketplaceIds"]:
            listing["marketplaceIds"].append(marketplace_id)


def quantity_of(listing, channel="DEFAULT"):
    """The quantity in ``fulfillment_availability`` for a channel, or None."""
    for entry in listing["attributes"].get("fulfillment_availability", []):
        if entry.get("fulfillment_channel_code") == channel:
            return entry.get("quantity")
    return None


def offer_entries(listing, marketplace_id):
    """purchasable_offer entries that apply to a marketplace (untagged ones apply to all)."""
    return [
        entry
        for entry in listing["attributes"].get("purchasable_offer", [])
        if entry.get("marketplace_id") in (None, marketplace_id)
    ]


def price_of(listing, marketplace_id):
    """(amount Decimal, currency) of the first scheduled price, or None."""
    for entry in offer_entries(listing, marketplace_id):
        for price in entry.get("our_price", []):
            for step in price.get("schedule", []):
                if "value_with_tax" in step:
                    return Decimal(str(step["value_with_tax"])), entry.get("currency")
    return None


def first_value(listing, name, marketplace_id):
    for entry in listing["attributes"].get(name, []):
        if entry.get("marketplace_id") in (None, marketplace_id) and "value" in entry:
            return entry["value"]
    return None


def summary(listing, marketplace_id):
    buyable = (quantity_of(listing) or 0) > 0 and price_of(listing, marketplace_id) is not None
    found = {
        "marketplaceId": marketplace_id,
        "productType": listing["productType"],
        "status": ["BUYABLE", "DISCOVERABLE"] if buyable else ["DISCOVERABLE"],
        "createdDate": listing["createdDate"],
        "lastUpdatedDate": listing["lastUpdatedDate"],
    }
    if listing.get("asin"):
        found["asin"] = listing["asin"]
    condition = first_value(listing, "condition_type", marketplace_id)
    if condition in CONDITION_TYPES:
        found["conditionType"] = condition
    name = first_value(listing, "item_name", marketplace_id)
    if isinstance(name, str):
        found["itemName"] = name
    return found


def offers(listing, marketplace_ids):
    found = []
    for marketplace_id in marketplace_ids:
        for entry in offer_entries(listing, marketplace_id):
            priced = price_of({"attributes": {"purchasable_offer": [entry]}}, marketplace_id)
            if priced is None or not entry.get("currency"):
                continue
            audience = entry.get("audience", "ALL")
            found.append(
                {
                    "marketplaceId": marketplace_id,
                    "offerType": "B2B" if audience == "B2B" else "B2C",
                    "price": {"currencyCode": entry["currency"], "amount": str(priced[0])},
                    "audience": {
                        "value": audience,
                        "displayName": "Amazon Business" if audience == "B2B" else "Sell on Amazon",
                    },
                }
            )
    return found


def listing_view(listing, marketplace_ids, included):
    """The Listings ``Item`` for getListingsItem and the feed report's ``items``."""
    item = {"sku": listing["sku"]}
    marketplaces = [m for m in marketplace_ids if m in listing["marketplaceIds"]]
    if "summaries" in included:
        item["summaries"] = [summary(listing, m) for m in marketplaces]
    if "attributes" in included:
        item["attributes"] = listing["attributes"]
    if "issues" in included:
        item["issues"] = listing.get("issues", [])
    if "offers" in included:
        item["offers"] = offers(listing, marketplaces)
    if "fulfillmentAvailability" in included:
        item["fulfillmentAvailability"] = [
            {
                "fulfillmentChannelCode": entry["fulfillment_channel_code"],
                **({"quantity": entry["quantity"]} if "quantity" in entry else {}),
            }
            for entry in listing["attributes"].get("fulfillment_availability", [])
        ]
    if "procurement" in included:
        item["procurement"] = []
    if "relationships" in included:
        item["relationships"] = [{"marketplaceId": m, "relationships": []} for m in marketplaces]
    if "productTypes" in included:
        item["productTypes"] = [
            {"marketplaceId": m, "productType": listing["productType"]} for m in marketplaces
        ]
    return item


def submission_id(emu):
    """A UUID drawn from the emulator's seeded generator, so runs are reproducible."""
    return str(uuid.UUID(int=emu.rng.getrandbits(128), version=4))


def bad_request(message):
    return ApiError(400, "InvalidInput", message)


def caller_marketplaces(emu, req):
    """Check the path's sellerId and the required ``marketplaceIds`` query parameter."""
    if req.path_params["sellerId"] != req.seller_id:
        raise ApiError(
            403,
            "Unauthorized",
            "Access to requested resource is denied.",
            "The sellerId in the path is not the seller of the access token.",
        )
    marketplace_ids = req.arg_list("marketplaceIds")
    if not marketplace_ids:
        raise bad_request("Missing required parameter: marketplaceIds.")
    allowed = emu.sellers[req.seller_id].marketplace_ids
    unknown = [m for m in marketplace_ids if m not in allowed]
    if unknown:
        raise bad_request(
            f"The seller does not participate in marketplace(s) {', '.join(unknown)}."
        )
    return marketplace_ids


def included_data(req, allowed, default):
    values = req.arg_list("includedData") or list(default)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise bad_request(f"Invalid includedData value(s): {', '.join(bad)}.")
    return values


@route("GET", "/listings/2021-08-01/items/{sellerId}/{sku}", "getListingsItem")
def get_listings_item(emu, req):
    marketplace_ids = caller_marketplaces(emu, req)
    included = included_data(req, GET_INCLUDED_DATA, ["summaries"])
    sku = req.path_params["sku"]  # the server already URL-decoded it
    with emu.lock:
        listing = emu.listings.get((req.seller_id, sku))
        if listing is None or not set(marketplace_ids) & set(listing["marketplaceIds"]):
            raise ApiError(
                404,
                "NOT_FOUND",
                f"SKU '{sku}' not found in marketplace(s) {', '.join(marketplace_ids)}.",
            )
        return listing_view(listing, marketplace_ids, included)


@route("PATCH", "/listings/2021-08-01/items/{sellerId}/{sku}", "patchListingsItem")
def patch_listings_item(emu, req):
    """Validate, then apply (or only validate with ``mode=VALIDATION_PREVIEW``).

    Problems in the patches are answered like Amazon: 200 with status INVALID and issues. A
    PATCH for a SKU the seller has no listing for is INVALID too (code SKU_NOT_FOUND).
    """
    marketplace_ids = caller_marketplaces(emu, req)
    included = included_data(req, PATCH_INCLUDED_DATA, ["issues"])
    mode = req.arg("mode")
    if mode not in (None, "VALIDATION_PREVIEW"):
        raise bad_request(f"Invalid mode '{mode}'.")
    body = req.json()
    if not isinstance(body, dict) or not isinstance(body.get("productType"), str):
        raise bad_request("The request body needs productType (string) and patches (array).")
    patches = body.get("patches")
    if not isinstance(patches, list) or not patches:
        raise bad_request("The request body needs at least one patch in patches.")
    sku = req.path_params["sku"]  # the server already URL-decoded it
    with emu.lock:
        listing = emu.listings.get((req.seller_id, sku))
        if listing is None:
            problems = [
                issue(
                    f"SKU '{sku}' has no listing; a PATCH can only change an existing listing.",
                    SKU_NOT_FOUND_CODE,
                    category="INVALID_ATTRIBUTE",
                )
            ]
        else:
            problems = check_patches(patches, marketplace_ids)
            if body["productType"] != listing["productType"]:
                problems.append(
                    issue(
                        f"productType '{body['productType']}' does not match the listing's "
                        f"product type '{listing['productType']}'.",
                        attribute="product_type",
                    )
                )
        if problems:
            status = "INVALID"
        elif mode == "VALIDATION_PREVIEW":
            status = "VALID"
        else:
            apply_patches(listing, patches)
            touch_listing(emu, listing, marketplace_ids)
            status = "ACCEPTED"
        answer = {"sku": sku, "status": status, "submissionId": submission_id(emu)}
        if "issues" in included:
            answer["issues"] = problems
        if "identifiers" in included:
            answer["identifiers"] = [
                {"marketplaceId": m, "asin": listing["asin"]}
                for m in marketplace_ids
                if listing and listing.get("asin")
            ]
        return answer


# --------------------------------------------------------------------------- searchListingsItems
IDENTIFIER_TYPES = ("ASIN", "EAN", "FNSKU", "GTIN", "ISBN", "JAN", "MINSAN", "SKU", "UPC")
MAX_IDENTIFIERS = 20
MAX_PAGE_SIZE = 20
DEFAULT_PAGE_SIZE = 10
# ItemSearchResults.numberOfResults: "The maximum number of items (SKUs) that can be returned
# and paged through is 1000."
MAX_PAGED_RESULTS = 1000
SORT_FIELDS = {"sku": "sku", "createdDate": "createdDate", "lastUpdatedDate": "lastUpdatedDate"}
SORT_ORDERS = ("ASC", "DESC")
STATUSES = ("BUYABLE", "DISCOVERABLE")
SEVERITIES = ("WARNING", "ERROR")
DATE_FILTERS = ("createdAfter", "createdBefore", "lastUpdatedAfter", "lastUpdatedBefore")
# Choice (Amazon documents no lifetime): a pageToken is valid 24 emulated hours.
PAGE_TOKEN_TTL = 24 * 3600
MAX_SEARCHES_KEPT = 2000


def read_enum_list(req, name, allowed):
    values = req.arg_list(name)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise bad_request(f"Invalid {name} value(s): {', '.join(bad)}.")
    return sorted(set(values))


def read_search(req, marketplace_ids) -> dict:
    """The search criteria of searchListingsItems, normalised (what a pageToken is bound to)."""
    query = {"marketplaceIds": sorted(set(marketplace_ids))}
    identifiers = req.arg_list("identifiers")
    identifiers_type = req.arg("identifiersType")
    if identifiers_type is not None and identifiers_type not in IDENTIFIER_TYPES:
        raise bad_request(f"Invalid identifiersType '{identifiers_type}'.")
    if bool(identifiers) != bool(identifiers_type):
        raise bad_request("identifiers and identifiersType must be provided together.")
    if len(identifiers) > MAX_IDENTIFIERS:
        raise bad_request(f"At most {MAX_IDENTIFIERS} identifiers are allowed.")
    exclusive = [
        name
        for name, present in (
            ("identifiers", bool(identifiers)),
            ("variationParentSku", req.arg("variationParentSku") is not None),
            ("packageHierarchySku", req.arg("packageHierarchySku") is not None),
        )
        if present
    ]
    if len(exclusive) > 1:
        raise bad_request(f"{' and '.join(exclusive)} cannot be used together.")
    if identifiers:
        query["identifiers"] = identifiers
        query["identifiersType"] = identifiers_type
    for name in ("variationParentSku", "packageHierarchySku"):
        if req.arg(name) is not None:
            query[name] = req.arg(name)
    for name in DATE_FILTERS:
        raw = req.arg(name)
        if raw:
            try:
                query[name] = parse_datetime(raw).isoformat()
            except ValueError:
                raise bad_request(f"{name} is not a valid ISO 8601 date-time: {raw!r}.") from None
    for name, allowed in (
        ("withIssueSeverity", SEVERITIES),
        ("withStatus", STATUSES),
        ("withoutStatus", STATUSES),
    ):
        values = read_enum_list(req, name, allowed)
        if values:
            query[name] = values
    sort_by = req.arg("sortBy", "lastUpdatedDate")
    if sort_by not in SORT_FIELDS:
        raise bad_request(f"Invalid sortBy '{sort_by}'; allowed: {', '.join(SORT_FIELDS)}.")
    sort_order = req.arg("sortOrder", "DESC")
    if sort_order not in SORT_ORDERS:
        raise bad_request(f"Invalid sortOrder '{sort_order}'; allowed: ASC, DESC.")
    query["sortBy"], query["sortOrder"] = sort_by, sort_order
    return query


def read_page_size(req) -> int:
    raw = req.arg("pageSize")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise bad_request(f"pageSize must be an integer between 1 and {MAX_PAGE_SIZE}.")
    return size


def identifier_values(emu, listing, identifiers_type, marketplace_ids):
    """The listing's identifiers of a type (EAN, GTIN, UPC... from
    ``externally_assigned_product_identifier``; FNSKU from its FBA stock)."""
    if identifiers_type == "SKU":
        return {listing["sku"]}
    if identifiers_type == "ASIN":
        return {listing["asin"]} if listing.get("asin") else set()
    if identifiers_type == "FNSKU":
        return {
            record["fnSku"]
            for key, record in emu.fba_inventory.items()
            if key[:2] == (listing["sellerId"], listing["sku"])
        }
    wanted = {"GTIN": {"ean", "upc", "gtin", "isbn", "jan"}}.get(
        identifiers_type, {identifiers_type.lower()}
    )
    return {
        str(entry.get("value"))
        for entry in listing["attributes"].get("externally_assigned_product_identifier", [])
        if str(entry.get("type", "")).lower() in wanted
        and entry.get("marketplace_id") in (None, *marketplace_ids)
    }


def search_matches(emu, listing, query) -> bool:
    marketplaces = [m for m in query["marketplaceIds"] if m in listing["marketplaceIds"]]
    if not marketplaces:
        return False
    if "identifiers" in query:
        found = identifier_values(emu, listing, query["identifiersType"], marketplaces)
        if not found & set(query["identifiers"]):
            return False
    if "variationParentSku" in query:
        parents = {
            entry.get("parent_sku")
            for entry in listing["attributes"].get("child_parent_sku_relationship", [])
        }
        if query["variationParentSku"] not in parents:
            return False
    if "packageHierarchySku" in query:
        return False  # the emulator holds no package hierarchies
    created = parse_datetime(listing["createdDate"])
    updated = parse_datetime(listing["lastUpdatedDate"])
    for name, moment in (
        ("createdAfter", created),
        ("createdBefore", created),
        ("lastUpdatedAfter", updated),
        ("lastUpdatedBefore", updated),
    ):
        if name in query:
            bound = parse_datetime(query[name])
            if (moment < bound) if name.endswith("After") else (moment > bound):
                return False
    if "withIssueSeverity" in query:
        severities = {found.get("severity") for found in listing.get("issues", [])}
        if not severities & set(query["withIssueSeverity"]):
            return False
    statuses = {status for m in marketplaces for status in summary(listing, m)["status"]}
    if "withStatus" in query and not statuses & set(query["withStatus"]):
        return False
    return not ("withoutStatus" in query and statuses & set(query["withoutStatus"]))


def decode_page_token(emu, token, seller_id, query) -> dict:
    state = signed_state(emu, token)
    search = emu.listing_searches.get(state["search"]) if state else None
    if search is None or search["seller"] != seller_id:
        raise bad_request("The pageToken is invalid or has expired.")
    if search["query"] != query:
        raise bad_request("The pageToken belongs to a search with other parameters.")
    return state


def new_search(emu, seller_id, query) -> str:
    """Run a search and freeze its SKU order (at most MAX_PAGED_RESULTS); returns its id."""
    now = emu.clock.timestamp()
    for stale in [k for k, v in emu.listing_searches.items() if now - v["issued"] > PAGE_TOKEN_TTL]:
        del emu.listing_searches[stale]
    while len(emu.listing_searches) >= MAX_SEARCHES_KEPT:
        del emu.listing_searches[next(iter(emu.listing_searches))]
    found = [
        listing
        for (seller, _sku), listing in emu.listings.items()
        if seller == seller_id and search_matches(emu, listing, query)
    ]
    field = SORT_FIELDS[query["sortBy"]]
    if field == "sku":
        found.sort(key=lambda listing: listing["sku"], reverse=query["sortOrder"] == "DESC")
    else:
        found.sort(
            key=lambda listing: (parse_datetime(listing[field]), listing["sku"]),
            reverse=query["sortOrder"] == "DESC",
        )
    search_id = emu.new_id("search-")
    emu.listing_searches[search_id] = {
        "seller": seller_id,
        "query": query,
        "skus": [listing["sku"] for listing in found[:MAX_PAGED_RESULTS]],
        "total": len(found),
        "issued": now,
    }
    return search_id


@route("GET", "/listings/2021-08-01/items/{sellerId}", "searchListingsItems")
def search_listings_items(emu, req):
    """Search the seller's listings; pages of ``pageSize`` (max 20) through ``pageToken``.

    The first page freezes the matching SKUs in their sort order (up to 1,000, Amazon's limit),
    so every SKU comes exactly once even when listings change while paging; items are shown as
    they are when their page is read (a listing deleted meanwhile is left out).
    """
    marketplace_ids = caller_marketplaces(emu, req)
    included = included_data(req, GET_INCLUDED_DATA, ["summaries"])
    query = read_search(req, marketplace_ids)
    page_size = read_page_size(req)
    token = req.arg("pageToken")
    with emu.lock:
        if token:
            state = decode_page_token(emu, token, req.seller_id, query)
            search_id, start = state["search"], state["offset"]
        else:
            search_id, start = new_search(emu, req.seller_id, query), 0
        search = emu.listing_searches[search_id]
        skus = search["skus"][start : start + page_size]
        items = [
            listing_view(emu.listings[(req.seller_id, sku)], marketplace_ids, included)
            for sku in skus
            if (req.seller_id, sku) in emu.listings
        ]
        pagination = {}
        if start + page_size < len(search["skus"]):
            pagination["nextToken"] = encode_token(
                emu, {"search": search_id, "offset": start + page_size}
            )
        if start > 0:
            pagination["previousToken"] = encode_token(
                emu, {"search": search_id, "offset": max(0, start - page_size)}
            )
        answer = {"numberOfResults": search["total"], "items": items}
        if pagination:
            answer["pagination"] = pagination
        return answer
