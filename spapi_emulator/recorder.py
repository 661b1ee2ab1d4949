"""In-memory journal of the requests the emulator answered, for assertions and demos."""

import json
import threading
from collections import Counter, deque
from urllib.parse import parse_qs

MAX_TEXT = 100_000  # characters kept of a non-JSON body
HIDDEN_FIELDS = ("client_secret",)


def decode_body(body: bytes, content_type: str = ""):
    """A request body as data: JSON, a form (LWA) as a dict, else text; secrets masked."""
    if not body:
        return None
    text = body.decode("utf-8", errors="replace")
    if "x-www-form-urlencoded" in content_type:
        form = {key: values[0] for key, values in parse_qs(text).items()}
        return {key: ("***" if key in HIDDEN_FIELDS else value) for key, value in form.items()}
    try:
        return json.loads(text)
    except ValueError:
        return text[:MAX_TEXT]


class Recorder:
    """Bounded list of requests (oldest dropped first) plus unbounded per-operation counts."""

    def __init__(self, max_entries=50_000):
        self._lock = threading.Lock()
        self._entries = deque(maxlen=max_entries)
        self._counts = Counter()

    def record(self, entry: dict) -> None:
        with self._lock:
            self._entries.append(entry)
            self._counts[entry["operation"]] += 1

    def requests(self, operation=None) -> list:
        with self._lock:
            return [dict(e) for e in self._entries if operation in (None, e["operation"])]

    def calls(self, operation=None) -> int:
        with self._lock:
            if operation is None:
                return sum(self._counts.values())
            return self._counts[operation]

    def counts(self) -> dict:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()
            self._counts.clear()
