import os

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import config

from ..services.credential_box import (
    CONFIG_OPTION,
    ENVIRONMENT_VARIABLE,
    CredentialBox,
    configured_keys,
)
from ..services.errors import CredentialsUnavailable


class AmazonCredentialVault(models.AbstractModel):
    """Where the connector's credentials are sealed and opened.

    The key is never in the database: it comes from Odoo's configuration file
    (``amazon_connector_key``) or the environment (``AMAZON_CONNECTOR_KEY``). Sealed columns
    are listed in :attr:`_sealed_fields`; :meth:`_reseal_all` re-seals them with the first
    configured key (the key rotation of ``odoo-bin amazon_connector_key rotate``).
    """

    _name = "amazon.credential.vault"
    _description = "Amazon Credential Vault"

    # (model, column) of every sealed credential
    _sealed_fields = (
        ("amazon.app", "lwa_client_secret_sealed"),
        ("amazon.channel", "refresh_token_sealed"),
        ("amazon.channel", "aws_secret_access_key_sealed"),
    )

    @api.model
    def _box(self):
        return CredentialBox(
            configured_keys(config.get(CONFIG_OPTION), os.environ.get(ENVIRONMENT_VARIABLE))
        )

    @api.model
    def _seal(self, plain):
        """The sealed value; without a usable key, a plain refusal (nothing is stored)."""
        if not plain:
            return False
        return self._box_or_refusal().seal(plain)

    @api.model
    def _box_or_refusal(self):
        """The box, or a plain refusal for the user when no usable key is configured."""
        try:
            return self._box()
        except CredentialsUnavailable as error:
            raise UserError(self.env["amazon.error"]._describe(error)) from None

    @api.model
    def _open(self, sealed):
        return self._box().open(sealed) if sealed else ""

    @api.model
    def _reseal_all(self):
        """Seal every stored credential with the first configured key; returns how many
        values changed. Values already sealed with it are left alone (a rerun does nothing)."""
        box = self._box()
        changed = 0
        for model, column in self._sealed_fields:
            records = (
                self.env[model]
                .sudo()
                .with_context(active_test=False)
                .search([(column, "!=", False)])
            )
            for record in records:
                if not box.sealed_with_first_key(record[column]):
                    record[column] = box.reseal(record[column])
                    changed += 1
        return changed
