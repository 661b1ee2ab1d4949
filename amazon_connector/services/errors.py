"""Errors of the service layer: a code that says what happened, and the facts as data.

Callers decide what to do from the type: retry later (:class:`Throttled`,
:class:`TransientError`), wait for an admin to authorise the app again
(:class:`AuthorizationRevoked`), or show the refusal on the record (:class:`BadRequest`).
Users never read these objects directly: ``models/amazon_error.py`` words each ``code`` in the
user's language, with the data. ``str()`` is a technical line in English for the server log;
it never contains a secret or a token.
"""


class ServiceError(Exception):
    """Base of every error the service layer raises: ``code`` and ``data`` (keyword facts)."""

    def __init__(self, code, **data):
        super().__init__(code)
        self.code = code
        self.data = data

    def __str__(self):
        facts = ", ".join(
            f"{key}={value!r}"
            for key, value in sorted(self.data.items())
            if value not in (None, "")
        )
        return f"{self.code} ({facts})" if facts else self.code


class CredentialsUnavailable(ServiceError):
    """The stored credentials cannot be opened: no encryption key is configured
    (``encryption_key_missing``), it is not a valid key (``encryption_key_invalid``), it is not
    the key they were sealed with (``encryption_key_wrong``), or a value was never sealed
    (``credential_not_sealed``). Nothing is sent to Amazon until an admin fixes it."""


class AmazonError(ServiceError):
    """A call to SP-API or to Amazon's login service (LWA) failed.

    Usual data: ``status`` (HTTP), ``amazon_code`` and ``amazon_message`` (Amazon's own error
    code and text), ``details``, ``host``.
    """

    @property
    def amazon_message(self):
        return self.data.get("amazon_message") or ""


class AuthorizationRevoked(AmazonError):
    """The refresh token is unknown, expired or revoked (LWA ``invalid_grant``): reauthorise."""


class CredentialsRejected(AmazonError):
    """The LWA client id or client secret is wrong (LWA ``invalid_client``)."""


class AccessDenied(AmazonError):
    """SP-API refused the call (403) for a reason other than an expired access token."""


class AccessTokenExpired(AmazonError):
    """The access token was refused as expired; the gateway refreshes it and retries once."""


class Throttled(AmazonError):
    """A quota is spent (HTTP 429). ``retry_after`` is the wait in seconds."""

    def __init__(self, code, retry_after, **data):
        super().__init__(code, **data)
        self.retry_after = retry_after


class BudgetExhausted(Throttled):
    """No call was sent: the rate budget this seller shares across every process would make
    the caller wait longer than it may (``retry_after`` seconds). Not a failure: the run
    pauses and goes on once the budget allows (code ``budget_exhausted``, data ``operation``).
    """


class LoginThrottled(Throttled):
    """Amazon's login service asked to slow down (LWA ``slow_down``, HTTP 429)."""


class TransientError(AmazonError):
    """5xx answers, timeouts, connection resets, unreadable bodies: worth a retry later."""


class NetworkError(TransientError):
    """Amazon (or the configured endpoint) could not be reached at all."""


class BadRequest(AmazonError):
    """Amazon rejected the request itself (400/404/409...): retrying unchanged will not help."""


class NotFound(BadRequest):
    """The resource (order, feed, listing) does not exist for this seller."""
