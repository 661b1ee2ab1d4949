"""Typed errors raised by the SP-API gateway.

Callers decide what to do from the type alone: retry later (:class:`Throttled`,
:class:`TransientError`), stop the channel and ask for a new authorisation
(:class:`AuthorizationRevoked`, :class:`CredentialsRejected`), or show Amazon's
message on the record (:class:`BadRequest`). Messages never contain a secret or a token.
"""


class AmazonError(Exception):
    """Base class: ``message`` is safe to show to a user, ``code`` is Amazon's error code."""

    retryable = False

    def __init__(self, message, code=None, status=None, details=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.details = details

    def __str__(self):
        text = self.message
        if self.details and self.details not in text:
            text = f"{text} ({self.details})"
        return text


class AuthorizationRevoked(AmazonError):
    """The refresh token is unknown, expired or revoked (LWA ``invalid_grant``): reauthorise."""


class CredentialsRejected(AmazonError):
    """The LWA client id or client secret is wrong (LWA ``invalid_client``)."""


class AccessDenied(AmazonError):
    """SP-API refused the call (403) for a reason other than an expired access token."""


class AccessTokenExpired(AmazonError):
    """The access token was refused as expired; the gateway refreshes it and retries once."""

    retryable = True


class Throttled(AmazonError):
    """HTTP 429: the operation's quota is spent. ``retry_after`` is the wait in seconds."""

    retryable = True

    def __init__(self, message, retry_after, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class TransientError(AmazonError):
    """5xx answers, timeouts, connection resets, unreadable bodies: worth a retry later."""

    retryable = True


class NetworkError(TransientError):
    """Amazon (or the configured endpoint) could not be reached at all."""


class BadRequest(AmazonError):
    """Amazon rejected the request itself (400/404/409...): retrying unchanged will not help."""


class NotFound(BadRequest):
    """The resource (order, feed, listing) does not exist for this seller."""
