"""The emulator: state, LWA tokens, and a real HTTP server that dispatches to ``ops`` handlers.

Every request goes through the same pipeline, in Amazon's order: route match (the Host header
is ignored, python-amazon-sp-api sends a wrong one to plain-http hosts), access-token check,
rate limit, scripted fault, handler. Every SP-API and LWA request is recorded; the control API
(``/_emulator/...``) is not, so counts only show what the system under test did.
"""

import contextlib
import importlib
import itertools
import json
import logging
import random
import secrets
import socket
import struct
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .clock import Clock, isoformat
from .faults import EXPIRED_PAGINATION_TOKEN, Faults
from .notifier import Notifier
from .ratelimit import RateLimiter
from .recorder import Recorder, decode_body
from .routing import ApiError, Request, Response, match

_logger = logging.getLogger(__name__)

CORE_OPERATION_MODULES = ("lwa", "consent", "sellers", "orders", "notifications", "control")
OPTIONAL_OPERATION_MODULES = ("shipments", "feeds", "listings", "inventory")
CONTROL_PREFIX = "_emulator"

DEFAULT_CLIENT_ID = "amzn1.application-oa2-client.emulator"
DEFAULT_CLIENT_SECRET = "emulator-client-secret"
AUTHORIZATION_CODE_TTL = 300  # Amazon's authorization codes are valid for 5 minutes

# Grantless tokens carry a scope; the path prefix decides which scope an operation needs.
GRANTLESS_SCOPES = {"/notifications/": "sellingpartnerapi::notifications"}
# Operations the model marks grantless that Amazon also serves with a seller token
# (python-amazon-sp-api 2.1.35 calls them with the seller's token).
SELLER_TOKEN_ALSO_ACCEPTED = {"getSubscriptionById", "deleteSubscriptionById"}

ACCESS_DENIED = "Access to requested resource is denied."
THROTTLED = "You exceeded your quota for the requested resource."
HTML_ERROR_PAGE = (
    "<html><head><title>502 Bad Gateway</title></head><body>"
    "<center><h1>502 Bad Gateway</h1></center></body></html>"
)


@dataclass
class Seller:
    seller_id: str
    name: str
    marketplace_ids: list
    granted_data: set = field(default_factory=set)  # includedData values the app may get
    client_id: str = DEFAULT_CLIENT_ID
    refresh_token: str = ""  # the first one registered; more can come from auth codes


@dataclass
class RefreshGrant:
    token: str
    seller_id: str
    client_id: str
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    client_id: str
    expires_at: float  # emulated POSIX seconds
    seller_id: str | None = None  # None for a grantless token
    scope: str | None = None


@dataclass
class Application:
    """An SP-API application as registered in the Developer Console: its LWA client and the
    OAuth redirect URIs Amazon may send a consenting seller back to."""

    application_id: str
    name: str
    client_id: str
    redirect_uris: list
    draft: bool = True


@dataclass
class AuthorizationCode:
    code: str
    seller_id: str
    client_id: str
    expires_at: float
    used: bool = False


def load_operations():
    """Import the ``ops`` modules so their routes register; tolerate only absent optional ones."""
    for name in CORE_OPERATION_MODULES:
        importlib.import_module(f"spapi_emulator.ops.{name}")
    for name in OPTIONAL_OPERATION_MODULES:
        module = f"spapi_emulator.ops.{name}"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def sp_error(status, code, message, details=""):
    return ApiError(status, code, message, details).to_response()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like Amazon's endpoints
    server_version = "spapi-emulator"
    timeout = 120  # seconds an idle keep-alive connection may wait for its next request

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle + delayed ACK
        # add ~40 ms to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.emulator._connections.add(self.connection)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.emulator._connections.discard(self.connection)

    def _serve(self):
        self.server.emulator._serve(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format, *args):
        _logger.debug("%s %s", self.address_string(), format % args)


class Emulator:
    """A local SP-API. Use as a context manager or call ``start()`` / ``stop()``."""

    def __init__(
        self,
        seed=0,
        speed=1.0,
        token_ttl=3600,
        fault_timeout=10.0,
        start_time=None,
        max_recorded=50_000,
        rate_limits=None,
        sqs_endpoint=None,
    ):
        load_operations()
        self.seed = seed
        self.clock = Clock(speed, start_time)
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self.token_ttl = token_ttl
        self.secret = secrets.token_bytes(16)  # signs pagination tokens
        # Amazon-side state; handlers read and change it under ``self.lock``.
        self.sellers = {}
        self.orders = {}
        self.order_seller = {}
        self.listings = {}
        self.listing_searches = {}  # searchListingsItems cursor id -> frozen result (ops/listings)
        self.fba_inventory = {}  # (seller_id, sku, channel) -> FBA stock record (ops/inventory)
        self.feeds = {}
        self.documents = {}
        self.destinations = {}
        self.subscriptions = {}
        # LWA state.
        self.apps = {}  # client_id -> client_secret
        self.applications = {}  # application_id -> Application (website authorization)
        self.refresh_tokens = {}  # token -> RefreshGrant
        self.access_tokens = {}  # token -> AccessToken (expired ones kept a day, to say so)
        self.authorization_codes = {}  # code -> AuthorizationCode
        self.rate_limiter = RateLimiter(self.clock, rate_limits)
        self.faults = Faults(seed, fault_timeout)
        self.recorder = Recorder(max_recorded)
        self.notifier = Notifier(self)
        self.notifier.set_endpoint(sqs_endpoint)
        self.base_url = None
        self._ids = itertools.count(1)
        self._server = None
        self._thread = None
        self._connections = set()
        self._stopping = threading.Event()

    # ------------------------------------------------------------------ lifecycle
    def start(self, port=0) -> str:
        """Serve on 127.0.0.1:port (0 = a free port) in a background thread; return the URL."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self._stopping.clear()
        server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        server.daemon_threads = True
        server.emulator = self
        self._server = server
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and drop open connections (held ``timeout`` faults end at once)."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        for connection in list(self._connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self):
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def port(self):
        return self._server.server_address[1] if self._server else None

    # ------------------------------------------------------------------ helpers for handlers
    def new_id(self, prefix="") -> str:
        """A unique, deterministic id: ``prefix`` + a zero-padded counter."""
        return f"{prefix}{next(self._ids):06d}"

    def touch(self, order_id) -> None:
        """Mark an order as changed now, so ``lastUpdatedAfter`` searches see it, and notify
        its seller's ORDER_CHANGE subscriptions."""
        with self.lock:
            self.orders[order_id]["lastUpdatedTime"] = isoformat(self.clock.now())
            self.notifier.order_changed(order_id)

    # ------------------------------------------------------------------ notifications
    def set_sqs_endpoint(self, endpoint) -> None:
        """Deliver ORDER_CHANGE notifications to SQS queues on this SQS-compatible server
        (None: deliver nothing). See spapi_emulator.notifier."""
        self.notifier.set_endpoint(endpoint)

    def sent_notifications(self, order_id) -> list:
        """The bodies of the notifications delivered for an order, oldest first."""
        with self.lock:
            return [body for _url, body in self.notifier.sent.get(order_id, [])]

    def resend_notifications(self, order_id) -> None:
        """Deliver an order's last notification again, as SQS may (at least once)."""
        with self.lock:
            self.notifier.resend(order_id)

    def notification_counts(self) -> dict:
        """{"sent": n, "undeliverable": n} since the emulator started."""
        with self.lock:
            return {"sent": 0, "undeliverable": 0, **self.notifier.counts}

    def token_for(self, req: Request):
        """The AccessToken a request was authenticated with (None on ``auth="none"`` routes)."""
        return self.access_tokens.get(req.headers.get("x-amz-access-token", ""))

    # ------------------------------------------------------------------ sellers and LWA
    def add_seller(
        self,
        seller_id,
        name=None,
        marketplace_ids=("ATVPDKIKX0DER",),
        granted_data=(),
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        refresh_token=None,
    ) -> Seller:
        """Register a seller who authorised the LWA app ``client_id``; returns the Seller.

        ``granted_data`` lists the restricted ``includedData`` sets (``BUYER``, ``RECIPIENT``)
        the app's roles allow for this seller. Without ``refresh_token`` one is generated.
        """
        from .ops.sellers import MARKETPLACES

        unknown = [m for m in marketplace_ids if m not in MARKETPLACES]
        if not marketplace_ids or unknown:
            raise ValueError(f"unknown or no marketplace ids: {unknown or marketplace_ids}")
        with self.lock:
            if self.apps.get(client_id, client_secret) != client_secret:
                raise ValueError(f"app {client_id} is registered with another secret")
            token = refresh_token or self.new_id("Atzr|emulator-")
            grant = self.refresh_tokens.get(token)
            if grant and grant.seller_id != seller_id:
                raise ValueError("that refresh token belongs to another seller")
            self.apps[client_id] = client_secret
            self.refresh_tokens[token] = RefreshGrant(token, seller_id, client_id)
            seller = Seller(
                seller_id=seller_id,
                name=name or f"Seller {seller_id}",
                marketplace_ids=list(marketplace_ids),
                granted_data={value.upper() for value in granted_data},
                client_id=client_id,
                refresh_token=token,
            )
            self.sellers[seller_id] = seller
            return seller

    def register_application(
        self,
        application_id,
        redirect_uris,
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        name=None,
        draft=True,
    ) -> Application:
        """Register an app for the website authorization workflow (ops/consent.py): sellers
        consent on ``/apps/authorize/consent`` and are sent back to one of ``redirect_uris``."""
        if not redirect_uris:
            raise ValueError("an application needs at least one redirect URI")
        with self.lock:
            if self.apps.get(client_id, client_secret) != client_secret:
                raise ValueError(f"app {client_id} is registered with another secret")
            self.apps[client_id] = client_secret
            application = Application(
                application_id,
                name or f"Application {application_id}",
                client_id,
                list(redirect_uris),
                draft,
            )
            self.applications[application_id] = application
            return application

    def add_authorization_code(self, code, seller_id, client_id=DEFAULT_CLIENT_ID) -> None:
        """Register an OAuth code (as after a seller consents) for the ``authorization_code``
        grant; it is valid 5 emulated minutes and once."""
        with self.lock:
            if seller_id not in self.sellers or client_id not in self.apps:
                raise ValueError("add the seller and its app first")
            expires = self.clock.timestamp() + AUTHORIZATION_CODE_TTL
            self.authorization_codes[code] = AuthorizationCode(code, seller_id, client_id, expires)

    def grant_refresh_token(self, seller_id, client_id=DEFAULT_CLIENT_ID) -> str:
        """A new refresh token for a seller's consent to an app (authorization_code grant)."""
        with self.lock:
            token = self.new_id("Atzr|emulator-")
            self.refresh_tokens[token] = RefreshGrant(token, seller_id, client_id)
            return token

    def revoke_refresh_token(self, token) -> None:
        """The seller withdrew consent: the refresh token now gets ``invalid_grant``.

        Access tokens already issued stay valid until they expire.
        """
        with self.lock:
            self.refresh_tokens[token].revoked = True

    def issue_access_token(self, client_id, seller_id=None, scope=None) -> AccessToken:
        """A new access token valid ``token_ttl`` emulated seconds (seller or grantless)."""
        now = self.clock.timestamp()
        prefix = "Atza|" if seller_id else "Atc|"
        token = AccessToken(
            token=prefix + secrets.token_urlsafe(32),
            client_id=client_id,
            expires_at=now + self.token_ttl,
            seller_id=seller_id,
            scope=scope,
        )
        with self.lock:
            for stale in [t for t, a in self.access_tokens.items() if a.expires_at < now - 86400]:
                del self.access_tokens[stale]
            self.access_tokens[token.token] = token
        return token

    # ------------------------------------------------------------------ orders
    def load_orders(self, seller_id, orders) -> list:
        """Store v2026-01-01 Order dicts as ``seller_id``'s; returns their ids.

        Each is stored as a JSON copy, as loaded, however malformed (tests check that clients
        refuse bad orders); only a value JSON can't hold is refused (TypeError).
        """
        with self.lock:
            if seller_id not in self.sellers:
                raise ValueError(f"unknown seller {seller_id}")
            ids = []
            for order in orders:
                order_id = order["orderId"]
                owner = self.order_seller.get(order_id, seller_id)
                if owner != seller_id:
                    raise ValueError(f"order {order_id} belongs to seller {owner}")
                self.orders[order_id] = json.loads(json.dumps(order))
                self.order_seller[order_id] = seller_id
                ids.append(order_id)
            for order_id in ids:
                self.notifier.order_changed(order_id, reason="Order loaded")
            return ids

    def seed_orders(self, seller_id, seed, count, marketplace_ids=None, **kwargs) -> list:
        """Generate ``count`` deterministic orders (spapi_emulator.generator) for a seller."""
        with self.lock:
            return self.load_orders(
                seller_id, self._generate(seller_id, seed, count, marketplace_ids, **kwargs)
            )

    def _generate(self, seller_id, seed, count, marketplace_ids=None, **kwargs) -> list:
        from . import generator

        return generator.generate_orders(
            seed=seed,
            count=count,
            seller_id=seller_id,
            marketplace_ids=list(marketplace_ids or self.sellers[seller_id].marketplace_ids),
            now=self.clock.now(),
            **kwargs,
        )

    def seed_malformed_orders(self, seller_id, seed, count, marketplace_ids=None) -> list:
        """``count`` generated orders of a seller, each spoilt by one mutation of
        ``spapi_emulator.fuzz`` that a careful importer must refuse (the mutations taken in
        turn) while searchOrders still serves the order; returns [{"orderId", "mutation"}]."""
        from . import fuzz

        labels = [
            label
            for label, mutation in fuzz.MUTATIONS.items()
            if mutation.outcome == "refused" and mutation.servable
        ]
        rng = random.Random(seed)
        with self.lock:
            spoilt = []
            for index, order in enumerate(self._generate(seller_id, seed, count, marketplace_ids)):
                turn = labels[index % len(labels) :] + labels[: index % len(labels)]
                label = next(
                    (label for label in turn if fuzz.MUTATIONS[label].applies(order)), None
                )
                if label:
                    payload = fuzz.mutate(order, label, rng)
                    self.load_orders(seller_id, [payload])
                    spoilt.append({"orderId": payload["orderId"], "mutation": label})
            return spoilt

    def ship_order(self, order_id, items=None, tracking_number=None, carrier=None) -> dict:
        """Ship units as the seller does from Seller Central (no SP-API call); returns the
        package. ``items``: {orderItemId: units}, default every unit still unshipped.

        Refusals raise ``ApiError`` with confirmShipment's answers (404, 400 InvalidInput).
        """
        from .ops import shipments

        with self.lock:
            return shipments.ship_in_seller_central(self, order_id, items, tracking_number, carrier)

    def evolve_orders(self, seed, count, seller_id=None) -> list:
        """Let time act on up to ``count`` orders (ship, cancel...); returns the changed ids."""
        from . import generator

        with self.lock:
            orders = [
                order
                for order_id, order in self.orders.items()
                if seller_id in (None, self.order_seller[order_id])
            ]
            changed = list(
                generator.evolve_orders(orders, random.Random(seed), self.clock.now(), count)
            )
            for order_id in changed:
                self.touch(order_id)
            return changed

    # ------------------------------------------------------------------ listings and FBA stock
    def seed_listings(
        self,
        seller_id,
        seed,
        count,
        marketplace_ids=None,
        fba_share=0.3,
        dual_share=0.0,
        offset=0,
    ) -> list:
        """Generate ``count`` deterministic listings for a seller (spapi_emulator.
        listing_generator), replacing listings with the same SKUs; returns their SKUs.

        ``fba_share`` of them are Amazon-fulfilled (``AMAZON_EU``/``AMAZON_NA``/``AMAZON_JP``
        per the marketplaces' region) with FBA stock for getInventorySummaries; ``dual_share``
        of those also keep a merchant (``DEFAULT``) record. ``offset`` skips that many products
        of the generator's sequence, so several calls can add different listings.
        """
        from . import listing_generator

        with self.lock:
            if seller_id not in self.sellers:
                raise ValueError(f"unknown seller {seller_id}")
            selling = self.sellers[seller_id].marketplace_ids
            marketplace_ids = list(marketplace_ids or selling)
            foreign = [m for m in marketplace_ids if m not in selling]
            if foreign:
                raise ValueError(f"seller {seller_id} does not sell in {', '.join(foreign)}")
            listings, records = listing_generator.generate_listings(
                seed,
                int(count),
                seller_id,
                marketplace_ids,
                self.clock.now(),
                fba_share=float(fba_share),
                dual_share=float(dual_share),
                offset=int(offset),
            )
            skus = {listing["sku"] for listing in listings}
            stale = [key for key in self.fba_inventory if key[0] == seller_id and key[1] in skus]
            for key in stale:
                del self.fba_inventory[key]
            for listing in listings:
                self.listings[(seller_id, listing["sku"])] = listing
            self.fba_inventory.update(records)
            return [listing["sku"] for listing in listings]

    def set_fba_inventory(self, seller_id, sku, fulfillable=None, channel=None, **details) -> dict:
        """Change a seller's FBA stock of a SKU as Amazon's fulfilment centres would (receipts,
        sales, damage): ``fulfillable`` and any ``InventoryDetails`` top-level quantity by its
        model name (``inboundShippedQuantity``...). Its ``lastUpdatedTime`` becomes now and the
        listing's Amazon ``fulfillment_availability`` quantity follows. ``channel`` is needed only
        when the SKU has stock in several regions. Returns the record."""
        with self.lock:
            keys = [
                key
                for key in self.fba_inventory
                if key[:2] == (seller_id, sku) and channel in (None, key[2])
            ]
            if len(keys) != 1:
                raise ValueError(
                    f"{len(keys)} FBA stock records for {seller_id}/{sku}"
                    + ("; give channel" if keys else "")
                )
            record = self.fba_inventory[keys[0]]
            changes = dict(details)
            if fulfillable is not None:
                changes["fulfillableQuantity"] = fulfillable
            for name, value in changes.items():
                current = record["details"].get(name)
                if not isinstance(current, int) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"{name} is not a settable quantity or {value!r} is not >= 0")
                record["details"][name] = value
            record["lastUpdatedTime"] = isoformat(self.clock.now())
            listing = self.listings.get((seller_id, sku))
            for entry in (listing or {}).get("attributes", {}).get("fulfillment_availability", []):
                if entry.get("fulfillment_channel_code") == record["channel"]:
                    entry["quantity"] = record["details"]["fulfillableQuantity"]
            return record

    # ------------------------------------------------------------------ observation and tuning
    def calls(self, operation=None) -> int:
        return self.recorder.calls(operation)

    def requests(self, operation=None) -> list:
        return self.recorder.requests(operation)

    def reset_calls(self) -> None:
        self.recorder.reset()

    def set_rate_limit(self, operation, rate, burst) -> None:
        self.rate_limiter.set_limit(operation, rate, burst)

    def refill_buckets(self) -> None:
        self.rate_limiter.refill()

    # ------------------------------------------------------------------ request pipeline
    def _serve(self, handler):
        received = self.clock.now()
        split = urlsplit(handler.path)
        headers = {name.lower(): value for name, value in handler.headers.items()}
        body = self._read_body(handler, headers)
        route, params = match(handler.command, split.path)
        req = Request(
            method=handler.command,
            path=unquote(split.path),
            path_params={k: unquote(v) for k, v in (params or {}).items()} if route else {},
            query=parse_qs(split.query, keep_blank_values=True),
            headers=headers,
            body=body,
            operation=route.operation if route else "unknown",
        )
        is_control = req.operation.startswith(CONTROL_PREFIX)
        fault = None
        try:
            if route is None:
                response = sp_error(404, "NotFound", "Resource not found.")
                if params == "method":
                    response = sp_error(405, "MethodNotAllowed", "Method not allowed.")
            else:
                response, fault = self._dispatch(route, req, is_control)
        except ApiError as exc:
            response = exc.to_response()
        except Exception:
            _logger.exception("handler of %s failed", req.operation)
            response = sp_error(500, "InternalFailure", "We encountered an internal error.")

        broken = fault in ("timeout", "reset", "lost_answer")
        if not is_control:
            if not broken:
                response.headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))
                rate = self.rate_limiter.header_value(req.operation)
                if rate is not None:
                    response.headers.setdefault("x-amzn-RateLimit-Limit", rate)
            # Recorded before answering, so a client that got its answer finds it journaled.
            self._record(received, req, response, fault)
        if broken:
            self._break_connection(handler, fault)
        else:
            self._send(handler, response)

    @staticmethod
    def _read_body(handler, headers) -> bytes:
        """The request body, sized by Content-Length or sent chunked."""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            chunks = []
            while True:
                size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailer fields
                    return b"".join(chunks)
                chunks.append(handler.rfile.read(size))
                handler.rfile.readline()  # the CRLF closing the chunk
        length = int(headers.get("content-length") or 0)
        return handler.rfile.read(length) if length > 0 else b""

    def _dispatch(self, route, req, is_control):
        """Auth, rate limit, fault, handler. Returns (response, fault kind or None)."""
        caller = "anonymous"
        if route.auth != "none":
            token = self._authenticate(route, req)
            req.seller_id = token.seller_id
            caller = f"{token.seller_id or ''}|{token.client_id}"
        if not self.rate_limiter.take(caller, route.operation):
            return sp_error(429, "QuotaExceeded", THROTTLED), None
        fault = None if is_control else self.faults.next(route.operation)
        if fault in ("timeout", "reset"):
            return None, fault
        if fault and fault != "lost_answer":
            return self._fault_response(fault, route.operation), fault
        try:
            with self.lock:
                result = route.handler(self, req)
        except ApiError as exc:
            if fault:  # lost_answer: even a refusal never reaches the client
                return exc.to_response(), fault
            raise
        if not isinstance(result, Response):
            result = Response(200, result)
        return result, fault

    def _authenticate(self, route, req) -> AccessToken:
        value = req.headers.get("x-amz-access-token", "")
        token = self.access_tokens.get(value)
        if token is None:
            details = "The access token you provided is revoked, malformed or invalid."
            raise ApiError(403, "Unauthorized", ACCESS_DENIED, details if value else "")
        if token.expires_at <= self.clock.timestamp():
            raise ApiError(
                403,
                "Unauthorized",
                ACCESS_DENIED,
                "The access token you provided has expired.",
            )
        if route.auth == "lwa" and token.seller_id is None:
            raise ApiError(
                403,
                "Unauthorized",
                ACCESS_DENIED,
                "This operation needs a seller's access token.",
            )
        if route.auth == "grantless":
            if token.seller_id is not None:
                if route.operation not in SELLER_TOKEN_ALSO_ACCEPTED:
                    raise ApiError(
                        403,
                        "Unauthorized",
                        ACCESS_DENIED,
                        "This operation is grantless: use a client_credentials token.",
                    )
            else:
                for prefix, scope in GRANTLESS_SCOPES.items():
                    if req.path.startswith(prefix) and token.scope != scope:
                        raise ApiError(
                            403,
                            "Unauthorized",
                            ACCESS_DENIED,
                            f"The access token you provided lacks the scope {scope}.",
                        )
        return token

    def _fault_response(self, kind, operation) -> Response:
        """The answer of a fault that still answers (all but ``timeout`` and ``reset``)."""
        if kind == "not_json":
            return Response(502, HTML_ERROR_PAGE, content_type="text/html")
        if operation == "lwa":  # LWA speaks OAuth errors, not SP-API's {"errors": [...]}
            status = {"429": 429, "500": 500, "503": 503}.get(kind, 400)
            error = {
                429: "slow_down",
                500: "server_error",
                503: "temporarily_unavailable",
            }
            return Response(
                status,
                {
                    "error": error.get(status, "invalid_grant"),
                    "error_description": "Injected fault: " + kind,
                },
            )
        if kind == "429":
            return sp_error(429, "QuotaExceeded", THROTTLED)
        if kind == "500":
            return sp_error(500, "InternalFailure", "We encountered an internal error.")
        if kind == "503":
            return sp_error(503, "ServiceUnavailable", "Service temporarily unavailable.")
        if kind == "expired_token":
            return sp_error(
                403,
                "Unauthorized",
                ACCESS_DENIED,
                "The access token you provided has expired.",
            )
        return sp_error(400, "InvalidInput", EXPIRED_PAGINATION_TOKEN)

    def _break_connection(self, handler, kind):
        """``timeout``: hold the request, then close silently. ``reset`` and ``lost_answer``
        (after the handler ran): TCP RST now."""
        handler.close_connection = True
        if kind == "timeout":
            self._stopping.wait(self.faults.timeout_delay)
            return
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.rfile.close()  # the buffered reader holds a reference that delays close()
        handler.connection.close()

    def _send(self, handler, response: Response):
        body = response.body
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = bytes(body or b"")
        handler.send_response(response.status)
        header_names = {name.lower() for name in response.headers}
        if data and "content-type" not in header_names:
            handler.send_header("Content-Type", response.content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in response.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        if data:
            handler.wfile.write(data)

    def _record(self, received, req, response, fault):
        broken = fault in ("timeout", "reset")
        body = None if broken else response.body
        if isinstance(body, (bytes, bytearray)):
            body = decode_body(bytes(body), response.content_type)
        self.recorder.record(
            {
                "time": received.isoformat(),
                "operation": req.operation,
                "method": req.method,
                "path": req.path,
                "query": req.query,
                "body": decode_body(req.body, req.headers.get("content-type", "")),
                "status": None if broken else response.status,
                "response": body,
                "seller_id": req.seller_id,
                "fault": fault,
            }
        )
