"""Credentials at rest: sealed with a key that is not in the database.

The key (or keys) come from Odoo's configuration file (``amazon_connector_key``) or the
environment variable ``AMAZON_CONNECTOR_KEY``: a comma-separated list of Fernet keys (AES-128
in CBC mode with an HMAC-SHA256 signature, from ``cryptography``). The first key seals; every
key listed opens, so that a new key can be put in front, the values re-sealed
(:meth:`CredentialBox.reseal`) and the old key removed afterwards.

Sealed values start with :data:`SEALED_PREFIX`; anything else is refused.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .errors import CredentialsUnavailable

SEALED_PREFIX = "sealed1:"
CONFIG_OPTION = "amazon_connector_key"
ENVIRONMENT_VARIABLE = "AMAZON_CONNECTOR_KEY"


def generate_key():
    """A new random key, as it goes into the configuration."""
    return Fernet.generate_key().decode()


def configured_keys(config_value, environment_value):
    """The keys from the configuration file, else from the environment, first one sealing."""
    text = config_value or environment_value or ""
    return [key.strip() for key in text.split(",") if key.strip()]


class CredentialBox:
    """Seals and opens credentials with the configured keys."""

    def __init__(self, keys):
        if not keys:
            raise CredentialsUnavailable("encryption_key_missing")
        try:
            self._fernets = [Fernet(key.encode()) for key in keys]
        except (ValueError, TypeError) as exc:
            raise CredentialsUnavailable("encryption_key_invalid") from exc
        self._box = MultiFernet(self._fernets)

    def seal(self, plain):
        return SEALED_PREFIX + self._box.encrypt(plain.encode()).decode()

    def open(self, sealed):
        token = self._token(sealed)
        try:
            return self._box.decrypt(token).decode()
        except InvalidToken as exc:
            raise CredentialsUnavailable("encryption_key_wrong") from exc

    def reseal(self, sealed):
        """The same value sealed with the first key (what a key rotation does)."""
        token = self._token(sealed)
        try:
            return SEALED_PREFIX + self._box.rotate(token).decode()
        except InvalidToken as exc:
            raise CredentialsUnavailable("encryption_key_wrong") from exc

    def sealed_with_first_key(self, sealed):
        try:
            self._fernets[0].decrypt(self._token(sealed))
        except InvalidToken:
            return False
        return True

    @staticmethod
    def _token(sealed):
        if not (sealed or "").startswith(SEALED_PREFIX):
            raise CredentialsUnavailable("credential_not_sealed")
        return sealed[len(SEALED_PREFIX) :].encode()
