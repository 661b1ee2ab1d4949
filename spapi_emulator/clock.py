"""The emulated clock: real time scaled by a speed factor, plus manual jumps.

Everything time-based in the emulator (token expiry, rate-limit refill, pagination-token
expiry, order timestamps) reads this clock, so tests can advance an hour instantly and a demo
can run a day of traffic in minutes.
"""

import threading
import time
from datetime import UTC, datetime


def isoformat(moment: datetime) -> str:
    """Amazon's timestamp style: UTC, second precision, ``Z`` suffix."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 date-time; a value without an offset is taken as UTC.

    Raises ValueError for anything that is not ISO 8601.
    """
    value = datetime.fromisoformat(text.strip().replace(" ", "+"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class Clock:
    """Emulated UTC time = anchor + (real seconds elapsed since the anchor) x speed."""

    def __init__(self, speed=1.0, start=None):
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self._lock = threading.Lock()
        self._speed = float(speed)
        self._real_anchor = time.monotonic()
        self._emulated_anchor = (start or datetime.now(UTC)).timestamp()

    def timestamp(self) -> float:
        """Emulated time as POSIX seconds (what buckets and token expiry compare)."""
        with self._lock:
            return self._emulated_anchor + (time.monotonic() - self._real_anchor) * self._speed

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), UTC)

    @property
    def speed(self) -> float:
        return self._speed

    def set_speed(self, speed: float) -> None:
        """Change the speed from now on; time already elapsed keeps its old rate."""
        if speed < 0:
            raise ValueError("speed must be >= 0")
        with self._lock:
            real_now = time.monotonic()
            self._emulated_anchor += (real_now - self._real_anchor) * self._speed
            self._real_anchor = real_now
            self._speed = float(speed)

    def advance(self, seconds: float) -> datetime:
        """Jump forward (never backward: tokens and buckets assume monotonic time)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._emulated_anchor += seconds
        return self.now()
