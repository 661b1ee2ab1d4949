"""Client-side token buckets that pace SP-API calls per seller and operation.

Amazon meters every operation with a token bucket (rate per second, burst). Pacing on our
side keeps a sync inside the quota instead of collecting 429s; a 429 that still happens
(another process, a lower plan) is handled by the gateway's retry. Amazon reports the rate
that applies in the ``x-amzn-RateLimit-Limit`` header, which replaces the default here.
"""

import threading
import time

# Default usage plans (rate per second, burst) from Amazon's API models, see
# shared/spapi/rate-limits.md. Operation names are the models' operationIds.
DEFAULT_RATE_LIMITS = {
    "getMarketplaceParticipations": (0.016, 15),
    "searchOrders": (0.0056, 20),
    "getOrder": (0.5, 30),
    "confirmShipment": (2.0, 10),
    "createFeedDocument": (0.5, 15),
    "createFeed": (0.0083, 15),
    "getFeed": (2.0, 15),
    "getFeedDocument": (0.0222, 10),
    "searchListingsItems": (5.0, 5),
    "getListingsItem": (5.0, 10),
    "patchListingsItem": (5.0, 5),
    "getInventorySummaries": (2.0, 2),
}
FALLBACK_RATE_LIMIT = (1.0, 5)


class _Bucket:
    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate, burst, now):
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = now

    def refill(self, now):
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now


class RateLimiter:
    """Thread-safe buckets keyed by (seller key, operation).

    ``reserve`` takes a token and returns how long the caller must wait before using it,
    so the waiting happens outside the lock and callers can cap it.
    """

    def __init__(self, clock=time.monotonic, limits=None):
        self._clock = clock
        self._limits = dict(DEFAULT_RATE_LIMITS, **(limits or {}))
        self._buckets = {}
        self._lock = threading.Lock()

    def _bucket(self, key, operation, now):
        bucket = self._buckets.get((key, operation))
        if bucket is None:
            rate, burst = self._limits.get(operation, FALLBACK_RATE_LIMIT)
            bucket = self._buckets[(key, operation)] = _Bucket(rate, burst, now)
        return bucket

    def reserve(self, key, operation):
        """Take one token; return the seconds to wait before the call may be sent."""
        with self._lock:
            now = self._clock()
            bucket = self._bucket(key, operation, now)
            bucket.refill(now)
            bucket.tokens -= 1
            if bucket.tokens >= 0:
                return 0.0
            return -bucket.tokens / bucket.rate

    def update_rate(self, key, operation, rate):
        """Adopt the rate Amazon reported for this seller and operation."""
        if not rate or rate <= 0:
            return
        with self._lock:
            now = self._clock()
            bucket = self._bucket(key, operation, now)
            bucket.refill(now)
            bucket.rate = rate

    def reset(self):
        """Forget every bucket (a new process would start with full buckets too)."""
        with self._lock:
            self._buckets.clear()

    def drain(self, key, operation):
        """Empty the bucket after a 429, so the next callers wait for a real refill."""
        with self._lock:
            now = self._clock()
            bucket = self._bucket(key, operation, now)
            bucket.refill(now)
            bucket.tokens = min(bucket.tokens, 0.0)
