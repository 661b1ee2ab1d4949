"""18.0.1.5.0: credentials are sealed, and the LWA client moves from channels to the app.

Channels kept the LWA client id and secret and the refresh token in clear. The first channel's
client id and secret become the database's app (``amazon.app``); every refresh token is sealed
with the configured key; the clear columns are dropped. Without a key the upgrade stops with
the plain reason, before anything is changed.
"""

import logging

from odoo import SUPERUSER_ID, api
from odoo.addons.amazon_connector.services.errors import CredentialsUnavailable

_logger = logging.getLogger(__name__)
CLEAR_COLUMNS = ("lwa_client_id", "lwa_client_secret", "refresh_token")


def migrate(cr, version):
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'amazon_channel' AND column_name IN %s",
        (CLEAR_COLUMNS,),
    )
    if len(cr.fetchall()) != len(CLEAR_COLUMNS):
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    try:
        box = env["amazon.credential.vault"]._box()
    except CredentialsUnavailable as error:
        raise RuntimeError(env["amazon.error"]._describe(error)) from None
    cr.execute(
        "SELECT id, lwa_client_id, lwa_client_secret, refresh_token FROM amazon_channel ORDER BY id"
    )
    rows = cr.fetchall()
    clients = {(client_id, secret) for _id, client_id, secret, _token in rows if client_id}
    if clients:
        client_id, secret = sorted(clients)[0]
        env["amazon.app"]._get().write(
            {"lwa_client_id": client_id, "lwa_client_secret_sealed": secret and box.seal(secret)}
        )
        if len(clients) > 1:
            _logger.warning(
                "Amazon channels used %s different LWA clients; the app keeps client %s: enter "
                "the others' refresh tokens again for this app",
                len(clients),
                client_id,
            )
    for channel_id, _client_id, _secret, token in rows:
        if token:
            cr.execute(
                "UPDATE amazon_channel SET refresh_token_sealed = %s WHERE id = %s",
                (box.seal(token), channel_id),
            )
    cr.execute(
        "ALTER TABLE amazon_channel "
        + ", ".join(f"DROP COLUMN {column}" for column in CLEAR_COLUMNS)
    )
