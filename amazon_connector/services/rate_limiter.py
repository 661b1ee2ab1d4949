"""Token buckets that pace SP-API calls per seller and operation.

Amazon meters every operation with a token bucket (rate per second, burst). Pacing on our
side keeps a sync inside the quota instead of collecting 429s; a 429 that still happens
(another application, a lower plan) is handled by the gateway's retry. Amazon reports the rate
that applies in the ``x-amzn-RateLimit-Limit`` header, which replaces the default here.

Two stores, one interface (``reserve``, ``refund``, ``update_rate``, ``drain``, ``reset``):

- :class:`RateLimiter` keeps the buckets in the process (tools and tests without a database);
- :class:`SharedRateBudget` keeps them in one PostgreSQL table, so every process and server of
  a database spends one budget per seller and operation, as Amazon counts it.
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
    "createDestination": (1.0, 5),
    "getDestinations": (1.0, 5),
    "createSubscription": (1.0, 5),
    "getSubscription": (1.0, 5),
    "deleteSubscriptionById": (1.0, 5),
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
    """Thread-safe buckets keyed by (seller key, operation), in this process.

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

    def _change(self, key, operation, change):
        with self._lock:
            now = self._clock()
            bucket = self._bucket(key, operation, now)
            bucket.refill(now)
            change(bucket)
            return bucket

    def reserve(self, key, operation):
        """Take one token; return the seconds to wait before the call may be sent."""

        def take(bucket):
            bucket.tokens -= 1

        bucket = self._change(key, operation, take)
        return _wait(bucket.tokens, bucket.rate)

    def refund(self, key, operation):
        """Give back a token reserved for a call that is not sent after all."""

        def give_back(bucket):
            bucket.tokens += 1

        self._change(key, operation, give_back)

    def update_rate(self, key, operation, rate):
        """Adopt the rate Amazon reported for this seller and operation."""
        if not rate or rate <= 0:
            return

        def adopt(bucket):
            bucket.rate = rate

        self._change(key, operation, adopt)

    def drain(self, key, operation):
        """Empty the bucket after a 429, so the next callers wait for a real refill."""

        def empty(bucket):
            bucket.tokens = min(bucket.tokens, 0.0)

        self._change(key, operation, empty)

    def reset(self):
        """Forget every bucket (a new process would start with full buckets too)."""
        with self._lock:
            self._buckets.clear()


# One statement per change, so that concurrent processes serialise on the bucket's row; the
# refill reads PostgreSQL's clock, the one clock every server of the database shares.
_NOW = "extract(epoch from clock_timestamp())"
_REFILLED = f"LEAST(b.burst, b.tokens + ({_NOW} - b.refilled_at) * b.rate)"
_UPSERT = f"""
    INSERT INTO {{table}} AS b (seller_key, operation, rate, burst, tokens, refilled_at)
    VALUES (%(key)s, %(operation)s, %(rate)s, %(burst)s, %(tokens)s, {_NOW})
    ON CONFLICT (seller_key, operation) DO UPDATE SET
        {{change}}, refilled_at = {_NOW}
    RETURNING b.tokens, b.rate
"""
_CHANGES = {
    # The new row starts full: the INSERT's tokens are the burst minus what this change does.
    "reserve": ("tokens = {refilled} - 1", -1),
    "refund": ("tokens = LEAST(b.burst, {refilled} + 1)", 0),
    "update_rate": ("tokens = {refilled}, rate = %(rate)s", 0),
    "drain": ("tokens = LEAST({refilled}, 0)", None),
}


class SharedRateBudget:
    """The buckets of :class:`RateLimiter`, kept in a PostgreSQL table shared by every process.

    ``cursor`` is a callable returning a context manager that yields a DB-API cursor of its
    own connection and commits when the block ends: a reservation is never part of (nor rolled
    back with) the caller's transaction, and never waits for it. The table has the columns
    ``seller_key, operation, rate, burst, tokens, refilled_at`` and a unique constraint on
    ``(seller_key, operation)``.
    """

    def __init__(self, cursor, table="amazon_rate_budget", limits=None):
        self._cursor = cursor
        self._table = table
        self._limits = dict(DEFAULT_RATE_LIMITS, **(limits or {}))

    def _change(self, name, key, operation, rate=None):
        change, insert_delta = _CHANGES[name]
        default_rate, burst = self._limits.get(operation, FALLBACK_RATE_LIMIT)
        params = {
            "key": key,
            "operation": operation,
            "rate": rate or default_rate,
            "burst": burst,
            "tokens": 0 if insert_delta is None else burst + insert_delta,
        }
        query = _UPSERT.format(table=self._table, change=change.format(refilled=_REFILLED))
        with self._cursor() as cr:
            cr.execute(query, params)
            return cr.fetchone()

    def reserve(self, key, operation):
        tokens, rate = self._change("reserve", key, operation)
        return _wait(tokens, rate)

    def refund(self, key, operation):
        self._change("refund", key, operation)

    def update_rate(self, key, operation, rate):
        if rate and rate > 0:
            self._change("update_rate", key, operation, rate=rate)

    def drain(self, key, operation):
        self._change("drain", key, operation)

    def reset(self):
        with self._cursor() as cr:
            cr.execute(f"DELETE FROM {self._table}")


def _wait(tokens, rate):
    return 0.0 if tokens >= 0 else -tokens / rate
