"""Seller Central's consent page and the LWA authorization_code grant, over real HTTP."""

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.emulator.conftest import CLIENT_ID, CLIENT_SECRET, SELLER_ID

APP_ID = "amzn1.sp.solution.test-app"
REDIRECT = "https://odoo.example.com/amazon_connector/oauth/callback"


@pytest.fixture
def app(emulator):
    return emulator.register_application(APP_ID, [REDIRECT], CLIENT_ID, CLIENT_SECRET, "Odoo")


def consent(emulator, **params):
    params = {"application_id": APP_ID, "state": "s-1", "version": "beta", **params}
    return httpx.get(f"{emulator.base_url}/apps/authorize/consent", params=params)


def decide(emulator, decision, seller_id=SELLER_ID, **params):
    form = {
        "application_id": APP_ID,
        "state": "s-1",
        "version": "beta",
        "redirect_uri": REDIRECT,
        "seller_id": seller_id,
        "decision": decision,
        **params,
    }
    return httpx.post(f"{emulator.base_url}/apps/authorize/confirm", data=form)


def query_of(response):
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def exchange(emulator, code, secret=CLIENT_SECRET):
    return httpx.post(
        f"{emulator.base_url}/auth/o2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": CLIENT_ID,
            "client_secret": secret,
        },
    )


def test_page_shows_the_app_and_the_sellers(emulator, app):
    page = consent(emulator)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Odoo" in page.text and SELLER_ID in page.text
    assert "id='confirm'" in page.text and "id='cancel'" in page.text


def test_confirm_redirects_with_a_code_that_gives_a_working_refresh_token(emulator, app):
    answer = query_of(decide(emulator, "confirm"))
    assert answer["state"] == "s-1" and answer["selling_partner_id"] == SELLER_ID
    token = exchange(emulator, answer["spapi_oauth_code"])
    assert token.status_code == 200
    refresh_token = token.json()["refresh_token"]
    refreshed = httpx.post(
        f"{emulator.base_url}/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    access = refreshed.json()["access_token"]
    participations = httpx.get(
        f"{emulator.base_url}/sellers/v1/marketplaceParticipations",
        headers={"x-amz-access-token": access},
    )
    assert participations.status_code == 200
    # The code works once, and only for five minutes.
    assert exchange(emulator, answer["spapi_oauth_code"]).json()["error"] == "invalid_grant"
    late = query_of(decide(emulator, "confirm"))
    emulator.clock.advance(301)
    assert exchange(emulator, late["spapi_oauth_code"]).json()["error"] == "invalid_grant"


def test_cancel_redirects_with_access_denied(emulator, app):
    answer = query_of(decide(emulator, "cancel"))
    assert answer == {
        "state": "s-1",
        "error": "access_denied",
        "error_description": "The selling partner did not authorize the application.",
    }


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"application_id": "amzn1.sp.solution.unknown"}, "not a registered application"),
        ({"version": ""}, "add version=beta"),
        ({"state": ""}, "state parameter is required"),
        ({"redirect_uri": "https://evil.example.com/cb"}, "not one of the application"),
    ],
)
def test_bad_requests_get_an_error_page_and_no_redirect(emulator, app, params, reason):
    for response in (consent(emulator, **params), decide(emulator, "confirm", **params)):
        assert response.status_code == 400
        assert reason in response.text
        assert "location" not in response.headers


def test_a_published_app_needs_no_version(emulator):
    emulator.register_application(APP_ID, [REDIRECT], CLIENT_ID, CLIENT_SECRET, draft=False)
    assert consent(emulator, version="").status_code == 200


def test_unknown_seller_is_refused(emulator, app):
    assert decide(emulator, "confirm", seller_id="A0NOBODY").status_code == 400


def test_control_api_registers_applications(emulator):
    answer = httpx.post(
        f"{emulator.base_url}/_emulator/applications",
        json={"application_id": APP_ID, "redirect_uris": [REDIRECT], "draft": False},
    )
    assert answer.json() == {"application_id": APP_ID, "draft": False}
    assert consent(emulator, version="").status_code == 200
