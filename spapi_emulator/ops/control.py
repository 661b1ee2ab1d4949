"""Control API under ``/_emulator/``: drive and inspect the emulator over HTTP (no auth).

It mirrors the Python API of :class:`spapi_emulator.server.Emulator` for tests and demos that
run the emulator in another process. Bad input answers 400 ``{"errors": [...]}``. These calls
are not recorded and not metered.
"""

import functools
from dataclasses import asdict

from ..clock import isoformat
from ..routing import ApiError, route


def body_of(req) -> dict:
    body = req.json()
    if not isinstance(body, dict):
        raise ApiError(400, "InvalidInput", "The request body must be a JSON object.")
    return body


def control(method, path, name):
    """Register a control handler; bad arguments (ValueError, KeyError, TypeError) give 400."""

    def decorator(func):
        @functools.wraps(func)
        def handler(emu, req):
            try:
                return func(emu, req)
            except (ValueError, KeyError, TypeError) as exc:
                raise ApiError(400, "InvalidInput", f"{type(exc).__name__}: {exc}") from exc

        return route(method, path, f"_emulator.{name}", auth="none")(handler)

    return decorator


def seller_view(seller) -> dict:
    view = asdict(seller)
    view["granted_data"] = sorted(seller.granted_data)
    return view


@control("GET", "/_emulator/calls", "calls")
def get_calls(emu, req):
    return {"calls": emu.recorder.counts(), "total": emu.calls()}


@control("GET", "/_emulator/requests", "requests")
def get_requests(emu, req):
    return {"requests": emu.requests(req.arg("operation"))}


@control("POST", "/_emulator/reset-calls", "reset_calls")
def reset_calls(emu, req):
    emu.reset_calls()
    return {}


@control("GET", "/_emulator/faults", "faults")
def get_faults(emu, req):
    return emu.faults.state()


@control("POST", "/_emulator/faults", "set_faults")
def set_faults(emu, req):
    """``{"operation", "script": [kinds], "replace"}``, ``{"operation", "kind", "probability"}``,
    ``{"clear": true, "operation"?}`` and/or ``{"timeout_delay": seconds}``."""
    body = body_of(req)
    operation = body.get("operation")
    if body.get("clear"):
        emu.faults.clear(operation)
    if "timeout_delay" in body:
        emu.faults.timeout_delay = float(body["timeout_delay"])
    if "script" in body or "probability" in body:
        if not operation:
            raise ApiError(400, "InvalidInput", "operation is required.")
        if "script" in body:
            emu.faults.script(operation, body["script"], replace=bool(body.get("replace")))
        if "probability" in body:
            emu.faults.probability(operation, body.get("kind"), body["probability"])
    return emu.faults.state()


@control("GET", "/_emulator/clock", "clock")
def get_clock(emu, req):
    return {"now": isoformat(emu.clock.now()), "speed": emu.clock.speed}


@control("POST", "/_emulator/clock", "set_clock")
def set_clock(emu, req):
    """``{"advance": seconds}`` and/or ``{"speed": factor}``."""
    body = body_of(req)
    if "speed" in body:
        emu.clock.set_speed(float(body["speed"]))
    if "advance" in body:
        emu.clock.advance(float(body["advance"]))
    return get_clock(emu, req)


@control("POST", "/_emulator/sellers", "add_seller")
def add_seller(emu, req):
    """Arguments of ``Emulator.add_seller`` by name; answers the seller and its credentials."""
    seller = emu.add_seller(**body_of(req))
    view = seller_view(seller)
    view["client_secret"] = emu.apps[seller.client_id]
    return view


@control("GET", "/_emulator/sellers", "sellers")
def get_sellers(emu, req):
    return {"sellers": [seller_view(s) for s in emu.sellers.values()]}


@control("POST", "/_emulator/authorization-codes", "add_code")
def add_authorization_code(emu, req):
    """``{"code", "seller_id", "client_id"?}`` for the ``authorization_code`` grant."""
    emu.add_authorization_code(**body_of(req))
    return {}


@control("POST", "/_emulator/applications", "register_application")
def register_application(emu, req):
    """``{"application_id", "redirect_uris", "client_id"?, "client_secret"?, "name"?,
    "draft"?}``: an app sellers can authorise on the consent page."""
    application = emu.register_application(**body_of(req))
    return {"application_id": application.application_id, "draft": application.draft}


@control("POST", "/_emulator/tokens/revoke", "revoke")
def revoke_refresh_token(emu, req):
    """``{"refresh_token"}``."""
    body = body_of(req)
    emu.revoke_refresh_token(body.get("refresh_token"))
    return {}


@control("POST", "/_emulator/orders", "load_orders")
def load_orders(emu, req):
    """``{"seller_id", "orders": [v2026 Order, ...]}``."""
    body = body_of(req)
    ids = emu.load_orders(body.get("seller_id"), body.get("orders") or [])
    return {"orderIds": ids}


@control("POST", "/_emulator/orders/seed", "seed_orders")
def seed_orders(emu, req):
    """Arguments of ``Emulator.seed_orders`` by name (``seller_id``, ``seed``, ``count``, ...)."""
    return {"orderIds": emu.seed_orders(**body_of(req))}


@control("POST", "/_emulator/orders/malformed", "seed_malformed_orders")
def seed_malformed_orders(emu, req):
    """``{"seller_id", "seed", "count", "marketplace_ids"?}``: generated orders, each with one
    thing wrong (spapi_emulator/fuzz.py); answers ``{"orders": [{"orderId", "mutation"}]}``."""
    return {"orders": emu.seed_malformed_orders(**body_of(req))}


@control("POST", "/_emulator/orders/evolve", "evolve_orders")
def evolve_orders(emu, req):
    """``{"seed", "count", "seller_id"?}``; answers the ids of the orders that changed."""
    return {"changed": emu.evolve_orders(**body_of(req))}


@control("POST", "/_emulator/orders/{orderId}/ship", "ship_order")
def ship_order(emu, req):
    """``{"items"?: {orderItemId: units}, "trackingNumber"?, "carrier"?}``: the seller ships
    from Seller Central (``Emulator.ship_order``); answers the package."""
    body = body_of(req)
    return emu.ship_order(
        req.path_params["orderId"],
        body.get("items"),
        body.get("trackingNumber"),
        body.get("carrier"),
    )


@control("GET", "/_emulator/orders/{orderId}", "order")
def get_raw_order(emu, req):
    """The stored order, PII included, with its seller: for tests and demos only."""
    order_id = req.path_params["orderId"]
    if order_id not in emu.orders:
        raise ApiError(404, "NotFound", f"Order {order_id} was not found.")
    return {"sellerId": emu.order_seller[order_id], "order": emu.orders[order_id]}


@control("POST", "/_emulator/rate-limits", "set_rate_limit")
def set_rate_limit(emu, req):
    """``{"operation", "rate", "burst"}``, or ``{"refill": true}`` to fill every bucket."""
    body = body_of(req)
    if body.get("refill"):
        emu.refill_buckets()
    if "operation" in body:
        emu.set_rate_limit(body["operation"], body.get("rate"), body.get("burst"))
    return {"limits": {op: list(plan) for op, plan in emu.rate_limiter.limits.items()}}


@control("POST", "/_emulator/listings", "seed_listings")
def seed_listings(emu, req):
    """Arguments of ``Emulator.seed_listings`` by name (``seller_id``, ``seed``, ``count``,
    ``marketplace_ids``?, ``fba_share``?, ``dual_share``?, ``offset``?); answers the SKUs and
    which of them are Amazon-fulfilled."""
    body = body_of(req)
    skus = emu.seed_listings(**body)
    seller_id = body["seller_id"]
    fba = sorted({key[1] for key in emu.fba_inventory if key[0] == seller_id and key[1] in skus})
    return {"skus": skus, "amazonFulfilled": fba}


@control("POST", "/_emulator/fba-inventory", "set_fba_inventory")
def set_fba_inventory(emu, req):
    """Arguments of ``Emulator.set_fba_inventory`` by name (``seller_id``, ``sku``,
    ``fulfillable``?, ``channel``?, InventoryDetails quantities?); answers the stock record."""
    return emu.set_fba_inventory(**body_of(req))
