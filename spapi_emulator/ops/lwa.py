"""Login with Amazon token endpoint: ``POST /auth/o2/token``.

Form-encoded (JSON also accepted, as by Amazon) grants ``refresh_token``,
``authorization_code`` and ``client_credentials`` (grantless, with a scope). Errors are OAuth
2.0 bodies ``{"error", "error_description"}`` with Amazon's codes and statuses.
"""

import json
from urllib.parse import parse_qs

from ..routing import Response, route

GRANTLESS_SCOPES = (
    "sellingpartnerapi::notifications",
    "sellingpartnerapi::client_credential:rotation",
    "sellingpartnerapi::migration",
)
GRANT_PARAMETERS = {
    "refresh_token": ("refresh_token",),
    "authorization_code": ("code",),
    "client_credentials": ("scope",),
}


def oauth_error(status, error, description):
    return Response(status, {"error": error, "error_description": description})


def read_form(req) -> dict:
    if "json" in req.headers.get("content-type", ""):
        try:
            data = json.loads(req.body or b"{}")
        except ValueError:
            data = None
        return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    text = req.body.decode("utf-8", errors="replace")
    return {key: values[0] for key, values in parse_qs(text).items()}


@route("POST", "/auth/o2/token", "lwa", auth="none")
def token(emu, req):
    form = read_form(req)
    grant_type = form.get("grant_type")
    if not grant_type:
        return oauth_error(400, "invalid_request", missing("grant_type"))
    if grant_type not in GRANT_PARAMETERS:
        return oauth_error(
            400,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server",
        )
    for name in ("client_id", "client_secret") + GRANT_PARAMETERS[grant_type]:
        if not form.get(name):
            return oauth_error(400, "invalid_request", missing(name))
    client_id = form["client_id"]
    if emu.apps.get(client_id) != form["client_secret"]:
        return oauth_error(401, "invalid_client", "Client authentication failed")

    if grant_type == "client_credentials":
        if form["scope"] not in GRANTLESS_SCOPES:
            return oauth_error(400, "invalid_scope", "The request has an invalid parameter : scope")
        access = emu.issue_access_token(client_id, scope=form["scope"])
        return bearer(emu, access.token, scope=form["scope"])

    if grant_type == "refresh_token":
        grant = emu.refresh_tokens.get(form["refresh_token"])
        if grant is None or grant.revoked or grant.client_id != client_id:
            return oauth_error(
                400,
                "invalid_grant",
                "The request has an invalid grant parameter : refresh_token",
            )
        access = emu.issue_access_token(client_id, seller_id=grant.seller_id)
        return bearer(emu, access.token, refresh_token=grant.token)

    code = emu.authorization_codes.get(form["code"])
    if (
        code is None
        or code.used
        or code.client_id != client_id
        or code.expires_at <= emu.clock.timestamp()
    ):
        return oauth_error(
            400, "invalid_grant", "The request has an invalid grant parameter : code"
        )
    code.used = True
    refresh_token = emu.grant_refresh_token(code.seller_id, client_id)
    access = emu.issue_access_token(client_id, seller_id=code.seller_id)
    return bearer(emu, access.token, refresh_token=refresh_token)


def missing(name):
    return f"The request is missing a required parameter : {name}"


def bearer(emu, access_token, refresh_token=None, scope=None):
    body = {
        "access_token": access_token,
        "token_type": "bearer",
        "expires_in": emu.token_ttl,
    }
    if refresh_token:
        body["refresh_token"] = refresh_token
    if scope:
        body["scope"] = scope
    return Response(200, body)
