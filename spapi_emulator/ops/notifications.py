"""Notifications API v1: destinations (grantless) and subscriptions, enough to subscribe.

Destinations belong to the LWA application (grantless token's client id); subscriptions to a
(seller, application, notification type). ORDER_CHANGE is delivered to SQS destinations on
the SQS-compatible server the emulator is given (spapi_emulator.notifier); nothing reaches an
EventBridge bus (docs/emulator.md).
"""

import re

from ..routing import ApiError, route

NOTIFICATION_TYPES = (
    "ORDER_CHANGE",
    "FEED_PROCESSING_FINISHED",
    "REPORT_PROCESSING_FINISHED",
    "LISTINGS_ITEM_MFN_QUANTITY_CHANGE",
    "LISTINGS_ITEM_STATUS_CHANGE",
    "ANY_OFFER_CHANGED",
    "FBA_INVENTORY_AVAILABILITY_CHANGES",
)
SQS_ARN = re.compile(r"^arn:aws:sqs:\S+:\S+:\S+")


def invalid(message):
    return ApiError(400, "InvalidInput", message)


def app_of(emu, req) -> str:
    return emu.token_for(req).client_id


def notification_type(req) -> str:
    value = req.path_params["notificationType"]
    if value not in NOTIFICATION_TYPES:
        raise invalid(f"Invalid notificationType: {value}.")
    return value


def json_object(req) -> dict:
    body = req.json()
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    return body


def public_destination(destination) -> dict:
    return {key: destination[key] for key in ("destinationId", "name", "resource")}


def public_subscription(subscription) -> dict:
    keys = ("subscriptionId", "payloadVersion", "destinationId", "processingDirective")
    return {key: subscription[key] for key in keys if key in subscription}


def destination_resource(spec) -> dict:
    """The Destination ``resource`` for a ``resourceSpecification``, validated like Amazon."""
    if not isinstance(spec, dict) or len(spec) != 1 or not set(spec) <= {"sqs", "eventBridge"}:
        raise invalid("resourceSpecification must hold exactly one of sqs or eventBridge.")
    if "sqs" in spec:
        arn = (spec["sqs"] or {}).get("arn", "")
        if not isinstance(arn, str) or not SQS_ARN.match(arn) or len(arn) > 1000:
            raise invalid(f"Invalid SQS ARN: {arn!r}.")
        return {"sqs": {"arn": arn}}
    bridge = spec["eventBridge"] or {}
    if not bridge.get("region") or not bridge.get("accountId"):
        raise invalid("eventBridge needs region and accountId.")
    return {
        "eventBridge": {
            "name": f"aws.partner/sellingpartnerapi.amazon/{bridge['accountId']}",
            "region": bridge["region"],
            "accountId": bridge["accountId"],
        }
    }


@route("POST", "/notifications/v1/destinations", "createDestination", auth="grantless")
def create_destination(emu, req):
    body = json_object(req)
    name = body.get("name")
    if not isinstance(name, str) or not name or len(name) > 256:
        raise invalid("name is required (at most 256 characters).")
    resource = destination_resource(body.get("resourceSpecification"))
    client_id = app_of(emu, req)
    for destination in emu.destinations.values():
        if destination["client_id"] == client_id and destination["resource"] == resource:
            raise ApiError(409, "Conflict", "A destination with this resource already exists.")
    destination_id = emu.new_id("dest-")
    emu.destinations[destination_id] = {
        "destinationId": destination_id,
        "name": name,
        "resource": resource,
        "client_id": client_id,
    }
    return {"payload": public_destination(emu.destinations[destination_id])}


@route("GET", "/notifications/v1/destinations", "getDestinations", auth="grantless")
def get_destinations(emu, req):
    client_id = app_of(emu, req)
    return {
        "payload": [
            public_destination(d) for d in emu.destinations.values() if d["client_id"] == client_id
        ]
    }


def find_destination(emu, req) -> dict:
    destination = emu.destinations.get(req.path_params["destinationId"])
    if destination is None or destination["client_id"] != app_of(emu, req):
        raise ApiError(404, "NotFound", "The destination was not found.")
    return destination


@route(
    "GET",
    "/notifications/v1/destinations/{destinationId}",
    "getDestination",
    auth="grantless",
)
def get_destination(emu, req):
    return {"payload": public_destination(find_destination(emu, req))}


@route(
    "DELETE",
    "/notifications/v1/destinations/{destinationId}",
    "deleteDestination",
    auth="grantless",
)
def delete_destination(emu, req):
    destination = find_destination(emu, req)
    del emu.destinations[destination["destinationId"]]
    return {}


@route("POST", "/notifications/v1/subscriptions/{notificationType}", "createSubscription")
def create_subscription(emu, req):
    kind = notification_type(req)
    body = json_object(req)
    for name in ("destinationId", "payloadVersion"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise invalid(f"{name} is required.")
    client_id = app_of(emu, req)
    destination = emu.destinations.get(body["destinationId"])
    if destination is None or destination["client_id"] != client_id:
        raise invalid(f"Destination {body['destinationId']} does not exist.")
    for subscription in emu.subscriptions.values():
        if (
            subscription["seller_id"],
            subscription["client_id"],
            subscription["type"],
        ) == (
            req.seller_id,
            client_id,
            kind,
        ):
            raise ApiError(409, "Conflict", f"A subscription for {kind} already exists.")
    subscription_id = emu.new_id("sub-")
    subscription = {
        "subscriptionId": subscription_id,
        "payloadVersion": body["payloadVersion"],
        "destinationId": body["destinationId"],
        "seller_id": req.seller_id,
        "client_id": client_id,
        "type": kind,
    }
    if isinstance(body.get("processingDirective"), dict):
        subscription["processingDirective"] = body["processingDirective"]
    emu.subscriptions[subscription_id] = subscription
    return {"payload": public_subscription(subscription)}


@route("GET", "/notifications/v1/subscriptions/{notificationType}", "getSubscription")
def get_subscription(emu, req):
    kind = notification_type(req)
    client_id = app_of(emu, req)
    for subscription in emu.subscriptions.values():
        if (
            subscription["seller_id"],
            subscription["client_id"],
            subscription["type"],
        ) == (
            req.seller_id,
            client_id,
            kind,
        ):
            return {"payload": public_subscription(subscription)}
    raise ApiError(404, "NotFound", f"No subscription for {kind}.")


def find_subscription(emu, req) -> dict:
    kind = notification_type(req)
    subscription = emu.subscriptions.get(req.path_params["subscriptionId"])
    if (
        subscription is None
        or subscription["type"] != kind
        or subscription["client_id"] != app_of(emu, req)
    ):
        raise ApiError(404, "NotFound", "The subscription was not found.")
    return subscription


@route(
    "GET",
    "/notifications/v1/subscriptions/{notificationType}/{subscriptionId}",
    "getSubscriptionById",
    auth="grantless",
)
def get_subscription_by_id(emu, req):
    return {"payload": public_subscription(find_subscription(emu, req))}


@route(
    "DELETE",
    "/notifications/v1/subscriptions/{notificationType}/{subscriptionId}",
    "deleteSubscriptionById",
    auth="grantless",
)
def delete_subscription_by_id(emu, req):
    del emu.subscriptions[find_subscription(emu, req)["subscriptionId"]]
    return {}
