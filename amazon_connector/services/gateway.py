"""The one door to SP-API: python-amazon-sp-api clients built for a channel, paced and retried.

Every model goes through :class:`SpApiGateway`. It builds the library's clients for the
channel's region (or the configured base URL of an emulator or sandbox), exchanges the refresh
token at LWA with our own expiry-aware token cache, paces calls with :mod:`.rate_limiter`,
retries throttled and transient failures with back-off, and turns every failure into one of
the typed errors of :mod:`.errors`. It never logs a secret or a token.

Two quirks of python-amazon-sp-api 2.1.35 are handled here: it builds the ``host`` header as
if every URL were https (``endpoint[8:]``), and it raises nothing for an error answer whose
body is not JSON. Both are fixed in :class:`_GatewayClientMixin`.
"""

import gzip
import hashlib
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from urllib.parse import urlsplit

import httpx
from sp_api.api import Notifications, Sellers
from sp_api.api.feeds.feeds_2021_06_30 import FeedsV20210630
from sp_api.api.inventories.inventories import Inventories
from sp_api.api.listings_items.listings_items_2021_08_01 import ListingsItemsV20210801
from sp_api.api.orders.orders_2026_01_01 import OrdersV20260101
from sp_api.api.orders.orders_v0 import OrdersV0
from sp_api.auth import AccessTokenClient, AccessTokenResponse
from sp_api.base import fill_query_params, sp_endpoint
from sp_api.base._transport_httpx import HttpxTransport
from sp_api.base.credential_provider import CredentialProvider, FromCodeCredentialProvider

from . import errors
from .rate_limiter import RateLimiter

_logger = logging.getLogger(__name__)

REGION_ENDPOINTS = {
    "na": "https://sellingpartnerapi-na.amazon.com",
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}
LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
# Refresh an access token this long before Amazon says it expires.
TOKEN_EXPIRY_MARGIN = 60


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str
    refresh_token: str

    def __repr__(self):  # never print secrets, even in a traceback's locals
        return f"Credentials(client_id={self.client_id!r}, client_secret=***, refresh_token=***)"

    def as_library_dict(self):
        return {
            "lwa_app_id": self.client_id,
            "lwa_client_secret": self.client_secret,
            "refresh_token": self.refresh_token,
        }


@dataclass(frozen=True)
class _Marketplace:
    """Duck-typed stand-in for ``sp_api.base.Marketplaces`` carrying our own endpoint."""

    endpoint: str
    marketplace_id: str
    region: str


class _TokenCache:
    """Access tokens per (LWA URL, client id, refresh token digest), honouring ``expires_in``.

    The library's own cache ignores ``expires_in`` and is keyed by the refresh token alone;
    ours expires tokens on time and can be invalidated when SP-API calls one expired.
    """

    def __init__(self):
        self._tokens = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(token_url, credentials):
        digest = hashlib.sha256(credentials.refresh_token.encode()).hexdigest()
        return (token_url, credentials.client_id, digest)

    def get(self, key):
        with self._lock:
            token, expires_at = self._tokens.get(key, (None, 0))
            return token if token and expires_at > time.monotonic() else None

    def put(self, key, token, expires_in):
        lifetime = max(float(expires_in or 3600) - TOKEN_EXPIRY_MARGIN, 1.0)
        with self._lock:
            self._tokens[key] = (token, time.monotonic() + lifetime)

    def invalidate(self, key):
        with self._lock:
            self._tokens.pop(key, None)


TOKEN_CACHE = _TokenCache()


class _LwaClient(AccessTokenClient):
    """LWA exchange through the library's client, with typed errors and our token cache."""

    token_url = LWA_TOKEN_URL
    timeout = 30.0

    def __init__(self, refresh_token=None, credentials=None, proxies=None, verify=True):
        super().__init__(refresh_token, credentials, proxies, verify)
        self._transport = HttpxTransport(timeout=self.timeout, proxies=proxies, verify=verify)

    def _cache_key(self):
        return _TokenCache.key(
            self.token_url,
            Credentials(self.cred.client_id, self.cred.client_secret, self.cred.refresh_token),
        )

    def get_auth(self):
        key = self._cache_key()
        token = TOKEN_CACHE.get(key)
        if token is None:
            answer = self._request(self.token_url, self.data, self.headers)
            token = answer.get("access_token")
            if not token:
                raise errors.TransientError("login_without_token")
            TOKEN_CACHE.put(key, token, answer.get("expires_in"))
        return AccessTokenResponse(access_token=token, token_type="bearer")

    def get_grantless_auth(self, scope="sellingpartnerapi::notifications"):
        """A grantless access token (LWA ``client_credentials``): the application's own, for
        operations that belong to no seller, such as Notifications' destinations."""
        key = (self.token_url, self.cred.client_id, "grantless", scope)
        token = TOKEN_CACHE.get(key)
        if token is None:
            answer = self._request(self.token_url, self.grantless_data(scope), self.headers)
            token = answer.get("access_token")
            if not token:
                raise errors.TransientError("login_without_token")
            TOKEN_CACHE.put(key, token, answer.get("expires_in"))
        return AccessTokenResponse(access_token=token, token_type="bearer")

    def _request(self, url, data, headers):
        try:
            response = self._transport.request("POST", url, data=data, headers=headers)
        except httpx.TimeoutException as exc:
            raise errors.TransientError("login_timeout") from exc
        except httpx.TransportError as exc:
            raise errors.NetworkError("unreachable", host=_host(url)) from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code == 200 and isinstance(body, dict):
            return body
        return _raise_lwa_error(response, body if isinstance(body, dict) else {})


def _raise_lwa_error(response, body):
    status = response.status_code
    facts = {
        "status": status,
        "amazon_code": body.get("error"),
        "details": body.get("error_description") or None,
    }
    if facts["amazon_code"] == "invalid_grant":
        raise errors.AuthorizationRevoked("authorization_revoked", **facts)
    if facts["amazon_code"] in ("invalid_client", "unauthorized_client"):
        raise errors.CredentialsRejected("credentials_rejected", **facts)
    if status == 429 or facts["amazon_code"] == "slow_down":
        # LWA sends no rate header; a Retry-After, if any, is honoured, else the back-off.
        raise errors.LoginThrottled(
            "login_throttled", retry_after=_retry_after(response, 0.0), **facts
        )
    if status >= 500 or not facts["amazon_code"]:
        raise errors.TransientError("login_failed", **facts)
    raise errors.BadRequest("login_refused", **facts)


def _host(url):
    return urlsplit(url).netloc or url


def _retry_after(response, default):
    for header in ("retry-after", "x-amzn-ratelimit-limit"):
        value = response.headers.get(header)
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if number > 0:
            return number if header == "retry-after" else 1.0 / number
    return default


def _error_from_response(response):
    """Map an SP-API error answer (JSON or not) to a typed error."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    first = {}
    if isinstance(body, dict) and body.get("errors"):
        first = body["errors"][0] or {}
    facts = {
        "status": status,
        "amazon_code": first.get("code"),
        "amazon_message": first.get("message") or None,
        "details": first.get("details") or None,
    }
    if status == 429:
        return errors.Throttled("throttled", retry_after=_retry_after(response, 2.0), **facts)
    if status in (401, 403):
        if "expired" in f"{facts['amazon_message']} {facts['details']}".lower():
            return errors.AccessTokenExpired("access_token_expired", **facts)
        return errors.AccessDenied("access_denied", **facts)
    if status == 404:
        return errors.NotFound("not_found", **facts)
    if status >= 500 or body is None:
        return errors.TransientError("server_error", **facts)
    return errors.BadRequest("refused", **facts)


class _GatewayClientMixin:
    """Fixes the library's host header and makes every error answer raise."""

    @property
    def headers(self):
        headers = super().headers
        headers["host"] = urlsplit(self.endpoint).netloc
        return headers

    def _check_response(self, res, *args, **kwargs):
        if res.status_code >= 400:
            raise _error_from_response(res)
        return super()._check_response(res, *args, **kwargs)


class _FeedsClient(FeedsV20210630):
    """The library downloads documents itself, with no error handling; we only want the URL."""

    @sp_endpoint("/feeds/2021-06-30/documents/{}", method="GET")
    def feed_document_location(self, document_id, **kwargs):
        return self._request(
            fill_query_params(kwargs.pop("path"), document_id),
            params=kwargs,
            add_marketplace=False,
        )


class _NotificationsClient(Notifications):
    """The library builds the grantless calls' headers itself, with the https-only host."""

    def _request_grantless_operation(self, path, *, data=None, params=None):
        headers = {
            "host": urlsplit(self.endpoint).netloc,
            "user-agent": self.user_agent,
            "x-amz-access-token": self.grantless_auth.access_token,
            "x-amz-date": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
            "content-type": "application/json",
        }
        return self._request(path, data=data, params=params, headers=headers)


@cache
def _client_class(api_class):
    return type(f"Gateway{api_class.__name__}", (_GatewayClientMixin, api_class), {})


@lru_cache(maxsize=64)
def _lwa_class(token_url, timeout):
    return type("GatewayLwaClient", (_LwaClient,), {"token_url": token_url, "timeout": timeout})


def exchange_authorization_code(code, credentials, lwa_url=None, timeout=30.0):
    """The refresh token Amazon grants for the ``spapi_oauth_code`` of a seller's consent
    (website authorization workflow: LWA ``authorization_code`` grant, within five minutes,
    once). A code refused as invalid, expired or already used raises
    ``BadRequest("authorization_code_refused")``."""
    library_credentials = CredentialProvider(
        credentials=credentials.as_library_dict(),
        credential_providers=(FromCodeCredentialProvider,),
    ).credentials
    client = _lwa_class(lwa_url or LWA_TOKEN_URL, timeout)(credentials=library_credentials)
    try:
        answer = client._request(
            client.token_url, data=client._auth_code_request_body(code), headers=client.headers
        )
    except errors.AuthorizationRevoked as exc:
        raise errors.BadRequest("authorization_code_refused", **exc.data) from exc
    refresh_token = answer.get("refresh_token")
    if not refresh_token:
        raise errors.TransientError("login_without_token")
    return refresh_token


class _RedactAccessTokens(logging.Filter):
    """python-amazon-sp-api logs request headers at debug level; hide the token in them."""

    def filter(self, record):
        if isinstance(record.args, tuple) and any(
            isinstance(arg, dict) and "x-amz-access-token" in arg for arg in record.args
        ):
            record.args = tuple(
                dict(arg, **{"x-amz-access-token": "***"})
                if isinstance(arg, dict) and "x-amz-access-token" in arg
                else arg
                for arg in record.args
            )
        return True


for _name in ("sp_api.base.client", "sp_api.auth.access_token_client"):
    logging.getLogger(_name).addFilter(_RedactAccessTokens())


class SpApiGateway:
    """SP-API calls for one seller account in one region.

    ``seller_key`` identifies the seller for rate limiting (several gateways of the same
    seller share the buckets of the ``limiter`` they are given: in Odoo, one
    :class:`~.rate_limiter.SharedRateBudget` for every process of the database).
    """

    def __init__(
        self,
        *,
        seller_key,
        credentials,
        region,
        default_marketplace_id,
        base_url=None,
        lwa_url=None,
        timeout=30.0,
        max_retries=6,
        retry_delay=2.0,
        max_wait=120.0,
        limiter=None,
        sleep=time.sleep,
    ):
        region = (region or "").lower()
        if not base_url and region not in REGION_ENDPOINTS:
            raise errors.BadRequest("unknown_region", region=region)
        self.seller_key = seller_key
        self.credentials = credentials
        self.region = region
        self.default_marketplace_id = default_marketplace_id
        self.base_url = (base_url or REGION_ENDPOINTS[region]).rstrip("/")
        self.lwa_url = lwa_url or LWA_TOKEN_URL
        self.timeout = timeout
        self.max_retries = max_retries
        self.retry_delay = retry_delay
        self.max_wait = max_wait
        self.limiter = limiter or RateLimiter()
        self.sleep = sleep
        self.call_counts = Counter()

    # -- plumbing ---------------------------------------------------------------------------

    def _client(self, api_class, marketplace_id=None):
        marketplace = _Marketplace(
            self.base_url, marketplace_id or self.default_marketplace_id, self.region
        )
        return _client_class(api_class)(
            marketplace,
            credentials=self.credentials.as_library_dict(),
            timeout=self.timeout,
            auth_token_client_class=_lwa_class(self.lwa_url, self.timeout),
        )

    def _invalidate_token(self):
        TOKEN_CACHE.invalidate(_TokenCache.key(self.lwa_url, self.credentials))

    def call(self, operation, api_class, method, *args, marketplace_id=None, **kw):
        """Run one SP-API operation with pacing, retries and typed errors.

        Throttling and transient failures are retried up to ``max_retries`` times with
        back-off (never waiting more than ``max_wait`` at once); an access token reported
        expired is refreshed once. Anything else is raised to the caller at once.
        """
        attempt = 0
        token_refreshed = False
        while True:
            self._wait_for_budget(operation)
            self.call_counts[operation] += 1
            try:
                response = self._send(api_class, method, args, kw, marketplace_id)
            except errors.AccessTokenExpired:
                if token_refreshed:
                    raise
                token_refreshed = True
                self._invalidate_token()
                continue
            except errors.LoginThrottled as exc:
                attempt += 1
                if attempt > self.max_retries:
                    raise
                # Amazon's login service, not this operation, asked to slow down.
                _logger.info("LWA asked to slow down, retrying in %.1fs", exc.retry_after)
                self.sleep_for(max(exc.retry_after, self.retry_delay * 2 ** (attempt - 1)))
                continue
            except errors.Throttled as exc:
                attempt += 1
                if attempt > self.max_retries:
                    raise
                # The bucket is empty: adopt the rate Amazon reported and let the limiter
                # make the next attempt wait for one token (the single place that waits).
                self.limiter.update_rate(self.seller_key, operation, 1.0 / exc.retry_after)
                self.limiter.drain(self.seller_key, operation)
                _logger.info("SP-API %s throttled, retrying in %.1fs", operation, exc.retry_after)
                continue
            except errors.TransientError as exc:
                attempt += 1
                if attempt > self.max_retries:
                    raise
                delay = min(self.retry_delay * 2 ** (attempt - 1), self.max_wait)
                _logger.info("SP-API %s failed (%s), retrying in %.0fs", operation, exc, delay)
                self.sleep_for(delay)
                continue
            self._learn_rate(operation, response)
            return response

    def _wait_for_budget(self, operation):
        """Take a token of the seller's budget for ``operation`` and wait for it; when that
        would take longer than ``max_wait``, give it back and raise BudgetExhausted instead
        (the run pauses rather than holding a worker, or calling into a certain 429)."""
        wait = self.limiter.reserve(self.seller_key, operation)
        if wait > self.max_wait:
            self.limiter.refund(self.seller_key, operation)
            raise errors.BudgetExhausted("budget_exhausted", retry_after=wait, operation=operation)
        self.sleep_for(wait)

    def sleep_for(self, seconds):
        if seconds > 0:
            self.sleep(min(seconds, self.max_wait))

    def _send(self, api_class, method, args, kwargs, marketplace_id):
        try:
            with self._client(api_class, marketplace_id) as client:
                return getattr(client, method)(*args, **kwargs)
        except httpx.TimeoutException as exc:
            raise errors.TransientError("timeout") from exc
        except httpx.ConnectError as exc:
            raise errors.NetworkError("unreachable", host=_host(self.base_url)) from exc
        except httpx.TransportError as exc:
            raise errors.TransientError("connection_broken") from exc

    def _learn_rate(self, operation, response):
        try:
            rate = float(response.rate_limit)
        except (TypeError, ValueError):
            return
        self.limiter.update_rate(self.seller_key, operation, rate)

    # -- operations ---------------------------------------------------------------------------

    def check_connection(self):
        """Exchange the refresh token now (not from cache) and list the seller's marketplaces."""
        self._invalidate_token()
        return self.marketplace_participations()

    def marketplace_participations(self):
        response = self.call(
            "getMarketplaceParticipations", Sellers, "get_marketplace_participation"
        )
        return response.payload if isinstance(response.payload, list) else []

    def search_orders(self, **params):
        """One searchOrders page (Orders v2026-01-01); returns (orders, next_token)."""
        response = self.call("searchOrders", OrdersV20260101, "search_orders", **params)
        return response.payload.get("orders", []), response.next_token

    def get_order(self, order_id, included_data=()):
        params = {"includedData": list(included_data)} if included_data else {}
        response = self.call("getOrder", OrdersV20260101, "get_order", order_id, **params)
        return response.payload.get("order", response.payload)

    # -- notifications ------------------------------------------------------------------------

    def sqs_destination(self, name, queue_arn):
        """The id of the application's destination for an SQS queue: created (grantless), or
        the existing one when Amazon answers that this queue is already a destination."""
        try:
            response = self.call(
                "createDestination", _NotificationsClient, "create_destination", name, queue_arn
            )
            return response.payload["destinationId"]
        except errors.BadRequest as error:
            if error.data.get("status") != 409:
                raise
        destinations = self.call(
            "getDestinations", _NotificationsClient, "get_destinations"
        ).payload
        for destination in destinations or []:
            if (destination.get("resource") or {}).get("sqs", {}).get("arn") == queue_arn:
                return destination["destinationId"]
        raise errors.BadRequest("destination_not_found", queue_arn=queue_arn)

    def subscribe(self, notification_type, destination_id):
        """The seller's subscription id for ``notification_type`` to ``destination_id``:
        created, or the existing one (Amazon answers 409 to a second subscription). A
        subscription of this application to another destination (the channel's former queue)
        is moved: deleted, then created for ``destination_id``."""
        for _attempt in range(2):
            try:
                response = self.call(
                    "createSubscription",
                    _NotificationsClient,
                    "create_subscription",
                    notification_type,
                    destination_id,
                )
                return response.payload["subscriptionId"]
            except errors.BadRequest as error:
                if error.data.get("status") != 409:
                    raise
            subscription = self.call(
                "getSubscription", _NotificationsClient, "get_subscription", notification_type
            ).payload
            if subscription.get("destinationId") == destination_id:
                return subscription["subscriptionId"]
            self.call(
                "deleteSubscriptionById",
                _NotificationsClient,
                "delete_notification_subscription",
                notification_type,
                subscription["subscriptionId"],
            )
        raise errors.BadRequest(
            "subscribed_elsewhere",
            notification_type=notification_type,
            destination_id=subscription.get("destinationId"),
        )

    # -- listings and FBA inventory ------------------------------------------------------------

    def search_listings_items(
        self, seller_id, marketplace_ids, included_data, page_token=None, **criteria
    ):
        """One searchListingsItems page; returns (items, next page token, numberOfResults)."""
        params = {
            "marketplaceIds": ",".join(marketplace_ids),
            "includedData": ",".join(included_data),
            "pageSize": 20,
            **criteria,
        }
        if page_token:
            params["pageToken"] = page_token
        response = self.call(
            "searchListingsItems",
            ListingsItemsV20210801,
            "search_listings_items",
            seller_id,
            **params,
        )
        payload = response.payload or {}
        return (
            payload.get("items") or [],
            response.next_token,
            payload.get("numberOfResults") or 0,
        )

    def get_listings_item(self, seller_id, sku, marketplace_ids, included_data):
        return self.call(
            "getListingsItem",
            ListingsItemsV20210801,
            "get_listings_item",
            seller_id,
            sku,
            marketplaceIds=",".join(marketplace_ids),
            includedData=",".join(included_data),
        ).payload

    def patch_listings_item(self, seller_id, sku, marketplace_ids, product_type, patches):
        """patchListingsItem; Amazon answers 200 with ACCEPTED or INVALID and its issues."""
        return self.call(
            "patchListingsItem",
            ListingsItemsV20210801,
            "patch_listings_item",
            seller_id,
            sku,
            marketplaceIds=",".join(marketplace_ids),
            body={"productType": product_type, "patches": patches},
        ).payload

    def inventory_summaries(self, marketplace_id, next_token=None):
        """One getInventorySummaries page (with details) for a marketplace's FBA network;
        returns (summaries, next token)."""
        params = {"marketplaceIds": marketplace_id, "details": "true"}
        if next_token:
            params["nextToken"] = next_token
        response = self.call(
            "getInventorySummaries",
            Inventories,
            "get_inventory_summary_marketplace",
            marketplace_id=marketplace_id,
            **params,
        )
        return (response.payload or {}).get("inventorySummaries") or [], response.next_token

    # -- shipments and feeds ------------------------------------------------------------------

    def confirm_shipment(self, order_id, marketplace_id, package_detail):
        """Orders v0 confirmShipment of one package (204 on success)."""
        self.call(
            "confirmShipment",
            OrdersV0,
            "confirm_shipment",
            order_id,
            marketplaceId=marketplace_id,
            packageDetail=package_detail,
        )

    def upload_feed_document(self, content, content_type):
        """createFeedDocument, then PUT the bytes to its presigned URL; returns the id."""
        response = self.call(
            "createFeedDocument", _FeedsClient, "create_feed_document", None, content_type
        )
        document_id = response.payload["feedDocumentId"]
        self._transfer("PUT", response.payload["url"], content, {"Content-Type": content_type})
        return document_id

    def create_feed(self, feed_type, document_id, marketplace_ids):
        response = self.call(
            "createFeed",
            _FeedsClient,
            "create_feed",
            feed_type,
            document_id,
            marketplaceIds=list(marketplace_ids),
        )
        return response.payload["feedId"]

    def get_feed(self, feed_id):
        return self.call("getFeed", _FeedsClient, "get_feed", feed_id).payload

    def download_feed_document(self, document_id):
        """The bytes of a (result) feed document, gunzipped when Amazon compressed it."""
        payload = self.call(
            "getFeedDocument", _FeedsClient, "feed_document_location", document_id
        ).payload
        content = self._transfer("GET", payload["url"])
        if payload.get("compressionAlgorithm") == "GZIP":
            content = gzip.decompress(content)
        return content

    def _transfer(self, method, url, content=None, headers=None):
        """Presigned-URL traffic (S3 in production): no token, same typed errors and retries."""
        attempt = 0
        while True:
            try:
                response = httpx.request(
                    method, url, content=content, headers=headers, timeout=self.timeout
                )
            except httpx.TransportError as exc:
                error = errors.TransientError("document_transfer_broken")
                error.__cause__ = exc
            else:
                if response.status_code < 300:
                    return response.content
                if response.status_code < 500:
                    raise errors.BadRequest(
                        "document_refused", method=method, status=response.status_code
                    )
                error = errors.TransientError(
                    "document_storage_failed", status=response.status_code
                )
            attempt += 1
            if attempt > self.max_retries:
                raise error
            self.sleep_for(min(self.retry_delay * 2 ** (attempt - 1), self.max_wait))
