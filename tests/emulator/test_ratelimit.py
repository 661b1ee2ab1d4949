"""Token buckets: burst, 429 QuotaExceeded, refill in emulated time, the rate header."""

import httpx
import pytest
from sp_api.api import Orders, Sellers
from sp_api.base import SellingApiRequestThrottledException

from spapi_emulator.clock import Clock
from spapi_emulator.ratelimit import DEFAULT_LIMITS, RateLimiter

from . import modelcheck
from .conftest import DE, SELLER_ID

QUOTA_EXCEEDED = {
    "errors": [
        {
            "code": "QuotaExceeded",
            "message": "You exceeded your quota for the requested resource.",
        }
    ]
}


def spend_burst(call, burst):
    for _ in range(burst):
        call()


def test_burst_then_429_then_refill_at_the_documented_rate(emulator, sp_client):
    sellers = sp_client(Sellers)
    rate, burst = DEFAULT_LIMITS["getMarketplaceParticipations"]
    assert (rate, burst) == (0.016, 15)
    spend_burst(sellers.get_marketplace_participation, burst)
    with pytest.raises(SellingApiRequestThrottledException) as raised:
        sellers.get_marketplace_participation()
    assert raised.value.amzn_code == "QuotaExceeded"
    modelcheck.validate("sellers", "ErrorList", raised.value.error)

    emulator.clock.set_speed(0)  # only advance() moves time from here
    emulator.clock.advance(0.9 / rate)
    with pytest.raises(SellingApiRequestThrottledException):
        sellers.get_marketplace_participation()
    emulator.clock.advance(0.1 / rate + 0.01)
    sellers.get_marketplace_participation()  # one token refilled after 1/rate seconds
    with pytest.raises(SellingApiRequestThrottledException):
        sellers.get_marketplace_participation()
    statuses = [r["status"] for r in emulator.requests("getMarketplaceParticipations")]
    assert statuses == [200] * burst + [429, 429, 200, 429]


def test_search_orders_bucket_holds_20_and_refills_every_180_seconds(emulator, access_token):
    headers = {"x-amz-access-token": access_token()}
    url = emulator.base_url + "/orders/2026-01-01/orders?createdAfter=2026-01-01T00:00:00Z"
    statuses = [httpx.get(url, headers=headers).status_code for _ in range(21)]
    assert statuses == [200] * 20 + [429]
    throttled = httpx.get(url, headers=headers)
    assert throttled.json() == QUOTA_EXCEEDED
    assert throttled.headers["x-amzn-RequestId"]
    assert throttled.headers["x-amzn-RateLimit-Limit"] == "0.0056"
    emulator.clock.advance(1 / 0.0056)
    assert httpx.get(url, headers=headers).status_code == 200


def test_buckets_are_per_seller(emulator, sp_client):
    other = emulator.add_seller("A3OTHERSELLER9", marketplace_ids=[DE], refresh_token="Atzr|o")
    mine, theirs = sp_client(Sellers), sp_client(Sellers, seller=other)
    spend_burst(mine.get_marketplace_participation, 15)
    with pytest.raises(SellingApiRequestThrottledException):
        mine.get_marketplace_participation()
    theirs.get_marketplace_participation()


def test_buckets_are_per_operation(emulator, sp_client):
    spend_burst(sp_client(Sellers).get_marketplace_participation, 15)
    orders = sp_client(Orders, version="2026-01-01")
    orders.search_orders(createdAfter="2026-01-01T00:00:00Z")


def test_lwa_is_not_metered(emulator, access_token):
    tokens = {access_token() for _ in range(40)}
    assert len(tokens) == 40


def test_rate_header_reports_the_real_time_rate_under_speed(emulator, sp_client):
    sellers = sp_client(Sellers)
    assert sellers.get_marketplace_participation().rate_limit == "0.016"
    emulator.clock.set_speed(60)
    assert sellers.get_marketplace_participation().rate_limit == "0.96"


def test_set_rate_limit_and_refill(emulator, sp_client):
    sellers = sp_client(Sellers)
    emulator.set_rate_limit("getMarketplaceParticipations", 2, 3)
    spend_burst(sellers.get_marketplace_participation, 3)
    with pytest.raises(SellingApiRequestThrottledException) as raised:
        sellers.get_marketplace_participation()
    assert raised.value.headers["x-amzn-RateLimit-Limit"] == "2"
    emulator.refill_buckets()
    spend_burst(sellers.get_marketplace_participation, 3)


def test_bucket_arithmetic_at_speed_60():
    """A 1/60 per second bucket gains a token per emulated minute (per real second at 60x)."""
    clock = Clock(speed=0)
    limiter = RateLimiter(clock, {"op": (1 / 60, 2)})
    assert limiter.take(SELLER_ID, "op") and limiter.take(SELLER_ID, "op")
    assert not limiter.take(SELLER_ID, "op")
    clock.advance(59)
    assert not limiter.take(SELLER_ID, "op")
    clock.advance(1)
    assert limiter.take(SELLER_ID, "op")
    assert limiter.tokens(SELLER_ID, "op") == pytest.approx(0, abs=1e-9)
    assert limiter.take("someone else", "op")
    assert limiter.take(SELLER_ID, "not metered")
    assert RateLimiter(Clock(speed=60), {"op": (1 / 60, 2)}).header_value("op") == "1"
