"""Scripted and random failures, per operation, to exercise a client's error handling.

``script(operation, kinds)`` queues failures that the next calls of that operation get, one
per call, in order; ``probability(operation, kind, p)`` makes each call fail that way with
probability ``p`` (seeded, so a run is repeatable). ``"*"`` as the operation matches every
metered or token call (not the control API). The server turns a kind into a wire effect
(see docs/emulator.md): an HTTP error, an HTML page, a held connection, or a TCP reset.
"""

import random
import threading
from collections import deque

FAULT_KINDS = (
    "none",  # in a script: let this call through, so a fault can target the 2nd, 3rd... call
    "429",
    "500",
    "503",
    "timeout",
    "reset",
    "lost_answer",  # the call takes effect, then the connection is reset: the answer is lost
    "not_json",
    "expired_token",
    "expired_pagination_token",
)
MAX_TIMEOUT_DELAY = 120.0
# What searchOrders answers (400 InvalidInput) for a pagination token older than 24 hours; the
# ``expired_pagination_token`` fault gives the same answer.
EXPIRED_PAGINATION_TOKEN = "The paginationToken has expired. Search again without it."


class Faults:
    def __init__(self, seed=0, timeout_delay=10.0):
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._scripts = {}  # operation -> deque of kinds
        self._probabilities = {}  # operation -> {kind: p}
        self.timeout_delay = timeout_delay

    @property
    def timeout_delay(self) -> float:
        """Real seconds a ``timeout`` fault holds the request before closing it."""
        return self._timeout_delay

    @timeout_delay.setter
    def timeout_delay(self, seconds):
        if not 0 <= seconds <= MAX_TIMEOUT_DELAY:
            raise ValueError(f"timeout delay must be between 0 and {MAX_TIMEOUT_DELAY} s")
        self._timeout_delay = float(seconds)

    @staticmethod
    def _check(kind):
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAULT_KINDS}")

    def script(self, operation, kinds, replace=False):
        """Queue ``kinds`` for the next calls of ``operation`` (appended unless ``replace``)."""
        kinds = [str(kind) for kind in kinds]
        for kind in kinds:
            self._check(kind)
        with self._lock:
            queue = self._scripts.setdefault(operation, deque())
            if replace:
                queue.clear()
            queue.extend(kinds)

    def probability(self, operation, kind, p):
        """Fail each call of ``operation`` with ``kind`` at probability ``p`` (0 removes it)."""
        kind = str(kind)
        self._check(kind)
        if not 0 <= p <= 1:
            raise ValueError("p must be between 0 and 1")
        with self._lock:
            table = self._probabilities.setdefault(operation, {})
            if p:
                table[kind] = float(p)
            else:
                table.pop(kind, None)

    def clear(self, operation=None):
        """Drop scripts and probabilities of one operation, or of all."""
        with self._lock:
            if operation is None:
                self._scripts.clear()
                self._probabilities.clear()
            else:
                self._scripts.pop(operation, None)
                self._probabilities.pop(operation, None)

    def next(self, operation):
        """The fault the current call of ``operation`` gets, or None. Consumes a scripted one."""
        with self._lock:
            for key in (operation, "*"):
                queue = self._scripts.get(key)
                if queue:
                    kind = queue.popleft()
                    return None if kind == "none" else kind
            for key in (operation, "*"):
                for kind, p in self._probabilities.get(key, {}).items():
                    if self._rng.random() < p:
                        return kind
        return None

    def state(self) -> dict:
        """What is configured, for the control API."""
        with self._lock:
            return {
                "scripts": {op: list(queue) for op, queue in self._scripts.items() if queue},
                "probabilities": {op: dict(t) for op, t in self._probabilities.items() if t},
                "timeout_delay": self._timeout_delay,
            }
