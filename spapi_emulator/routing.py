"""Request/response types and the route table shared by every emulated API.

Each API module in ``spapi_emulator.ops`` registers its handlers with
:func:`route`; the HTTP server (``spapi_emulator.server``) matches the request,
applies the operation's rate limit and scripted faults, then calls the handler.
Handlers never touch sockets: they take a :class:`Request` and return a
:class:`Response` (or a plain dict, sent as JSON with status 200), or raise
:class:`ApiError`, which becomes Amazon's ``{"errors": [...]}`` body.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    path_params: dict
    query: dict  # name -> list of raw string values, as parse_qs gives them
    headers: dict  # lower-cased names
    body: bytes
    operation: str = ""
    seller_id: str | None = None  # resolved from the access token by the server

    def json(self) -> Any:
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise ApiError(400, "InvalidInput", f"Request body is not valid JSON: {exc}") from exc

    def arg(self, name, default=None):
        """First value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def arg_list(self, name):
        """A list query parameter, accepting repeated names and comma-joined values."""
        out = []
        for value in self.query.get(name, []):
            out.extend(v for v in value.split(",") if v)
        return out


@dataclass
class Response:
    status: int = 200
    body: Any = None  # dict/list -> JSON; bytes/str -> sent as-is
    headers: dict = field(default_factory=dict)
    content_type: str = "application/json"


class ApiError(Exception):
    """An error answered the way Amazon answers it: ``{"errors": [{code, message, details}]}``."""

    def __init__(self, status, code, message, details="", headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}

    def to_response(self) -> Response:
        error = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        return Response(self.status, {"errors": [error]}, dict(self.headers))


@dataclass
class Route:
    method: str
    pattern: re.Pattern
    operation: str
    handler: Callable
    auth: str  # "lwa" (seller access token), "grantless", or "none" (presigned URLs, control API)


ROUTES: list[Route] = []


def route(method, path_template, operation, auth="lwa"):
    """Register a handler for ``METHOD /path/{param}``; ``operation`` names its rate limit."""
    regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path_template) + "$"

    def decorator(func):
        ROUTES.append(Route(method.upper(), re.compile(regex), operation, func, auth))
        return func

    return decorator


def match(method, path):
    """Return (route, path_params) or (None, None); (None, "method") if only the method differs."""
    path_found = False
    for candidate in ROUTES:
        found = candidate.pattern.match(path)
        if found:
            path_found = True
            if candidate.method == method.upper():
                return candidate, found.groupdict()
    return None, ("method" if path_found else None)
