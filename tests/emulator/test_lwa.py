"""Login with Amazon: grants, Amazon's error answers, token expiry in emulated time."""

import httpx
import pytest
from sp_api.api import Notifications, Sellers
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import SellingApiForbiddenException

from .conftest import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, SELLER_ID, TOKEN_TTL

PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"


def token_request(emulator, **form):
    return httpx.post(emulator.base_url + "/auth/o2/token", data=form)


def refresh_form(**overrides):
    form = {
        "grant_type": "refresh_token",
        "refresh_token": REFRESH_TOKEN,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


def get_participations(emulator, token):
    return httpx.get(emulator.base_url + PARTICIPATIONS, headers={"x-amz-access-token": token})


def test_refresh_grant_answers_like_amazon(emulator):
    answer = token_request(emulator, **refresh_form())
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == TOKEN_TTL
    assert body["refresh_token"] == REFRESH_TOKEN
    assert body["access_token"].startswith("Atza|")
    assert get_participations(emulator, body["access_token"]).status_code == 200


def test_sp_api_client_logs_in_through_the_emulator(emulator, sp_client):
    sp_client(Sellers).get_marketplace_participation()
    (login,) = emulator.requests("lwa")
    assert login["status"] == 200
    assert login["body"]["grant_type"] == "refresh_token"
    assert login["body"]["refresh_token"] == REFRESH_TOKEN
    assert login["body"]["client_secret"] == "***"  # the journal never keeps the secret


def test_json_body_is_accepted_too(emulator):
    answer = httpx.post(emulator.base_url + "/auth/o2/token", json=refresh_form())
    assert answer.status_code == 200


@pytest.mark.parametrize(
    "form, status, error, description",
    [
        (
            refresh_form(refresh_token="Atzr|unknown"),
            400,
            "invalid_grant",
            "refresh_token",
        ),
        (
            refresh_form(client_secret="wrong"),
            401,
            "invalid_client",
            "Client authentication",
        ),
        (
            refresh_form(client_id="amzn1.application-oa2-client.other"),
            401,
            "invalid_client",
            "",
        ),
        (
            refresh_form(grant_type="password"),
            400,
            "unsupported_grant_type",
            "not supported",
        ),
        (refresh_form(refresh_token=None), 400, "invalid_request", "refresh_token"),
        (refresh_form(client_secret=None), 400, "invalid_request", "client_secret"),
        (refresh_form(grant_type=None), 400, "invalid_request", "grant_type"),
        (
            {
                **refresh_form(grant_type="client_credentials"),
                "scope": "sellingpartnerapi::x",
            },
            400,
            "invalid_scope",
            "scope",
        ),
        (
            refresh_form(grant_type="authorization_code", code="nope"),
            400,
            "invalid_grant",
            "code",
        ),
    ],
)
def test_lwa_errors(emulator, form, status, error, description):
    answer = token_request(emulator, **form)
    assert answer.status_code == status
    assert answer.json()["error"] == error
    assert description in answer.json()["error_description"]


def test_revoked_refresh_token_is_an_invalid_grant_for_sp_api(emulator, sp_client):
    emulator.revoke_refresh_token(REFRESH_TOKEN)
    with pytest.raises(AuthorizationError) as raised:
        sp_client(Sellers).get_marketplace_participation()
    assert raised.value.error_code == "invalid_grant"
    assert raised.value.status_code == 400
    assert emulator.calls("getMarketplaceParticipations") == 0


def test_authorization_code_is_exchanged_once_for_a_new_refresh_token(emulator):
    emulator.add_authorization_code("ANcode1", SELLER_ID)
    form = refresh_form(grant_type="authorization_code", refresh_token=None, code="ANcode1")
    first = token_request(emulator, **form)
    assert first.status_code == 200
    new_refresh_token = first.json()["refresh_token"]
    assert new_refresh_token != REFRESH_TOKEN
    refreshed = token_request(emulator, **refresh_form(refresh_token=new_refresh_token))
    assert get_participations(emulator, refreshed.json()["access_token"]).status_code == 200

    again = token_request(emulator, **form)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_authorization_code_expires_after_five_minutes(emulator):
    emulator.add_authorization_code("ANcode2", SELLER_ID)
    emulator.clock.advance(301)
    form = refresh_form(grant_type="authorization_code", refresh_token=None, code="ANcode2")
    assert token_request(emulator, **form).json()["error"] == "invalid_grant"


def test_access_token_expires_in_emulated_time(emulator, access_token):
    token = access_token()
    emulator.clock.advance(TOKEN_TTL - 1)
    assert get_participations(emulator, token).status_code == 200
    emulator.clock.advance(2)
    answer = get_participations(emulator, token)
    assert answer.status_code == 403
    assert answer.json() == {
        "errors": [
            {
                "code": "Unauthorized",
                "message": "Access to requested resource is denied.",
                "details": "The access token you provided has expired.",
            }
        ]
    }


@pytest.mark.parametrize("headers", [{}, {"x-amz-access-token": "Atza|forged"}])
def test_missing_or_unknown_token_is_unauthorized(emulator, headers):
    answer = httpx.get(emulator.base_url + PARTICIPATIONS, headers=headers)
    assert answer.status_code == 403
    error = answer.json()["errors"][0]
    assert (error["code"], error["message"]) == (
        "Unauthorized",
        "Access to requested resource is denied.",
    )
    assert emulator.requests("getMarketplaceParticipations")[0]["status"] == 403


def test_expired_token_cached_by_sp_api_gives_forbidden(emulator, sp_client):
    """sp_api caches the token by wall-clock time, so emulated expiry reaches the client."""
    sellers = sp_client(Sellers)
    sellers.get_marketplace_participation()
    emulator.clock.advance(TOKEN_TTL + 1)
    with pytest.raises(SellingApiForbiddenException) as raised:
        sellers.get_marketplace_participation()
    assert raised.value.amzn_code == "Unauthorized"
    assert emulator.calls("lwa") == 1


def test_grantless_token_opens_grantless_operations_only(emulator, access_token):
    answer = token_request(
        emulator,
        grant_type="client_credentials",
        scope="sellingpartnerapi::notifications",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    assert answer.status_code == 200
    body = answer.json()
    assert "refresh_token" not in body
    assert body["scope"] == "sellingpartnerapi::notifications"
    grantless = {"x-amz-access-token": body["access_token"]}
    destinations = emulator.base_url + "/notifications/v1/destinations"
    assert httpx.get(destinations, headers=grantless).status_code == 200
    assert get_participations(emulator, body["access_token"]).status_code == 403
    seller_token = {"x-amz-access-token": access_token()}
    assert httpx.get(destinations, headers=seller_token).status_code == 403


def test_sp_api_fetches_a_grantless_token_for_destinations(emulator, sp_client):
    sp_client(Notifications).get_destinations()
    (login,) = emulator.requests("lwa")
    assert login["body"]["grant_type"] == "client_credentials"
    assert login["body"]["scope"] == "sellingpartnerapi::notifications"
