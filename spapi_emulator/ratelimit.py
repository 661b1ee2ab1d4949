"""Token buckets per (caller, operation), refilled in emulated time.

SP-API meters each operation with a token bucket per selling partner and application:
``burst`` tokens at most, ``rate`` tokens added per second; a call with no token left gets
HTTP 429 ``QuotaExceeded``. Because refill uses the emulated clock, ``clock.advance()``
refills buckets instantly and ``speed=60`` refills them sixty times faster than real time.
"""

import threading

# Default usage plans (rate in requests/second, burst). Source: /work/shared/spapi/rate-limits.md,
# which copies the "Usage Plan" tables of Amazon's models (amzn/selling-partner-api-models
# @ 34dc93fe45f37c9a0b2e56823c808f68b4f81754); cancelFeed, putListingsItem and
# deleteListingsItem are read from the same vendored models. LWA is not metered.
DEFAULT_LIMITS = {
    # Orders v2026-01-01
    "searchOrders": (0.0056, 20),
    "getOrder": (0.5, 30),
    # Orders v0
    "getOrders": (0.0167, 20),
    "getOrderItems": (0.5, 30),
    "getOrderAddress": (0.5, 30),
    "getOrderBuyerInfo": (0.5, 30),
    "getOrderItemsBuyerInfo": (0.5, 30),
    "confirmShipment": (2, 10),
    "updateShipmentStatus": (5, 15),
    # Feeds 2021-06-30
    "createFeedDocument": (0.5, 15),
    "createFeed": (0.0083, 15),
    "getFeed": (2, 15),
    "getFeeds": (0.0222, 10),
    "cancelFeed": (2, 15),
    "getFeedDocument": (0.0222, 10),
    # Reports 2021-06-30
    "createReport": (0.0167, 15),
    "getReport": (2, 15),
    "getReports": (0.0222, 10),
    "getReportDocument": (0.0167, 15),
    # Tokens 2021-03-01
    "createRestrictedDataToken": (1, 10),
    # Listings Items 2021-08-01
    "patchListingsItem": (5, 5),
    "getListingsItem": (5, 10),
    "searchListingsItems": (5, 5),
    "putListingsItem": (5, 10),
    "deleteListingsItem": (5, 5),
    # Sellers v1
    "getMarketplaceParticipations": (0.016, 15),
    "getAccount": (0.016, 15),
    # FBA Inventory v1
    "getInventorySummaries": (2, 2),
    # Notifications v1
    "getSubscription": (1, 5),
    "createSubscription": (1, 5),
    "getSubscriptionById": (1, 5),
    "deleteSubscriptionById": (1, 5),
    "getDestinations": (1, 5),
    "createDestination": (1, 5),
    "getDestination": (1, 5),
    "deleteDestination": (1, 5),
}


class RateLimiter:
    """Lazy token buckets: a bucket is created full and refilled when it is next used."""

    def __init__(self, clock, limits=None):
        self.clock = clock
        self.limits = dict(DEFAULT_LIMITS if limits is None else limits)
        self._buckets = {}  # (caller, operation) -> [tokens, emulated timestamp of last refill]
        self._lock = threading.Lock()

    def limit(self, operation):
        """(rate, burst) of an operation, or None if it is not metered."""
        return self.limits.get(operation)

    def set_limit(self, operation, rate, burst):
        """Change an operation's plan; its buckets start over full."""
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        with self._lock:
            self.limits[operation] = (float(rate), int(burst))
            for key in [key for key in self._buckets if key[1] == operation]:
                del self._buckets[key]

    def refill(self):
        """Fill every bucket to its burst."""
        with self._lock:
            self._buckets.clear()

    def take(self, caller, operation) -> bool:
        """Spend one token of (caller, operation); False if the bucket is empty."""
        plan = self.limits.get(operation)
        if plan is None:
            return True
        rate, burst = plan
        now = self.clock.timestamp()
        with self._lock:
            tokens, updated = self._buckets.get((caller, operation), (float(burst), now))
            tokens = min(float(burst), tokens + max(0.0, now - updated) * rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[(caller, operation)] = (tokens, now)
            return allowed

    def tokens(self, caller, operation) -> float:
        """Tokens available now (for tests and the control API)."""
        rate, burst = self.limits[operation]
        now = self.clock.timestamp()
        with self._lock:
            tokens, updated = self._buckets.get((caller, operation), (float(burst), now))
        return min(float(burst), tokens + max(0.0, now - updated) * rate)

    def header_value(self, operation):
        """``x-amzn-RateLimit-Limit``: the rate in requests per *real* second.

        Under ``speed`` the bucket refills ``speed`` times faster in real time, so the header
        reports ``rate x speed``: a client that paces itself by the header then matches the
        emulated bucket. At speed 1 it is exactly Amazon's value.
        """
        plan = self.limits.get(operation)
        if plan is None:
            return None
        return f"{plan[0] * self.clock.speed:.6g}"
