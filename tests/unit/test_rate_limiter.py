from amazon_connector.services.rate_limiter import RateLimiter


class FakeClock:
    """A controllable monotonic clock: the limiter's arithmetic is what is under test."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_burst_then_paced_by_rate():
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, limits={"op": (0.5, 3)})
    assert [limiter.reserve("s", "op") for _ in range(3)] == [0.0, 0.0, 0.0]
    # The fourth call must wait for one token at 0.5/s, the fifth for two.
    assert limiter.reserve("s", "op") == 2.0
    assert limiter.reserve("s", "op") == 4.0
    clock.now += 10  # 5 tokens refilled, minus the 2 borrowed
    assert limiter.reserve("s", "op") == 0.0


def test_buckets_are_per_seller_and_operation():
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, limits={"op": (1.0, 1), "other": (1.0, 1)})
    assert limiter.reserve("a", "op") == 0.0
    assert limiter.reserve("b", "op") == 0.0
    assert limiter.reserve("a", "other") == 0.0
    assert limiter.reserve("a", "op") == 1.0


def test_reported_rate_replaces_default():
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, limits={"op": (0.1, 1)})
    limiter.reserve("s", "op")
    limiter.update_rate("s", "op", 2.0)
    assert limiter.reserve("s", "op") == 0.5


def test_drain_after_429_makes_next_call_wait():
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, limits={"op": (1.0, 10)})
    limiter.drain("s", "op")
    assert limiter.reserve("s", "op") == 1.0


def test_unknown_operation_uses_fallback():
    limiter = RateLimiter(clock=FakeClock())
    assert limiter.reserve("s", "someNewOperation") == 0.0


def test_reset_forgets_spent_buckets():
    limiter = RateLimiter(clock=FakeClock(), limits={"op": (0.01, 1)})
    limiter.reserve("s", "op")
    assert limiter.reserve("s", "op") > 0
    limiter.reset()
    assert limiter.reserve("s", "op") == 0.0
