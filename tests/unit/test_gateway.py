"""The gateway against the SP-API emulator over real HTTP, with the real client library."""

import logging

import pytest
from sp_api.api import Sellers

from amazon_connector.services import errors
from amazon_connector.services.gateway import (
    Credentials,
    SpApiGateway,
    exchange_authorization_code,
)
from amazon_connector.services.rate_limiter import RateLimiter
from spapi_emulator.server import Emulator

SELLER = "A1GATEWAY"
CREDENTIALS = Credentials("gw-client", "gw-secret", "Atzr|gateway")


@pytest.fixture
def emulator():
    emu = Emulator(seed=3, speed=1000)
    emu.start()
    emu.add_seller(
        SELLER,
        "Gateway Shop",
        ["A1PA6795UKMFR9"],
        client_id="gw-client",
        client_secret="gw-secret",
        refresh_token="Atzr|gateway",
    )
    yield emu
    emu.stop()


def gateway(emu, credentials=CREDENTIALS, **kwargs):
    kwargs.setdefault("retry_delay", 0.01)
    return SpApiGateway(
        seller_key=SELLER,
        credentials=credentials,
        region="eu",
        default_marketplace_id="A1PA6795UKMFR9",
        base_url=emu.base_url,
        lwa_url=f"{emu.base_url}/auth/o2/token",
        limiter=RateLimiter(),
        **kwargs,
    )


def test_connection_reads_participations_over_http(emulator):
    participations = gateway(emulator).check_connection()
    assert [p["marketplace"]["id"] for p in participations] == ["A1PA6795UKMFR9"]
    assert emulator.calls("getMarketplaceParticipations") == 1


def test_host_header_matches_an_http_endpoint(emulator):
    # The library builds host as endpoint[8:], i.e. "27.0.0.1:port" for http://127.0.0.1:port.
    with gateway(emulator)._client(Sellers) as client:
        assert client.headers["host"] == emulator.base_url.removeprefix("http://")


def test_revoked_refresh_token_is_typed(emulator):
    emulator.revoke_refresh_token("Atzr|gateway")
    with pytest.raises(errors.AuthorizationRevoked):
        gateway(emulator).check_connection()


def test_wrong_secret_is_typed(emulator):
    wrong = Credentials("gw-client", "nope", "Atzr|gateway")
    with pytest.raises(errors.CredentialsRejected):
        gateway(emulator, wrong).check_connection()


def test_non_json_error_body_raises_transient_and_is_retried(emulator):
    emulator.faults.script("getMarketplaceParticipations", ["not_json"])
    gw = gateway(emulator)
    gw.check_connection()
    assert gw.call_counts["getMarketplaceParticipations"] == 2


def test_non_json_error_exhausting_retries_raises(emulator):
    emulator.faults.script("getMarketplaceParticipations", ["not_json"] * 3)
    with pytest.raises(errors.TransientError):
        gateway(emulator, max_retries=2).check_connection()


def test_throttled_call_waits_and_succeeds(emulator):
    emulator.faults.script("getMarketplaceParticipations", ["429", "429"])
    gw = gateway(emulator)
    assert gw.marketplace_participations()
    assert gw.call_counts["getMarketplaceParticipations"] == 3


def test_connection_refused_is_a_network_error(emulator):
    gw = SpApiGateway(
        seller_key=SELLER,
        credentials=CREDENTIALS,
        region="eu",
        default_marketplace_id="A1PA6795UKMFR9",
        base_url="http://127.0.0.1:9",
        lwa_url="http://127.0.0.1:9/auth/o2/token",
        max_retries=0,
    )
    with pytest.raises(errors.NetworkError) as unreachable:
        gw.check_connection()
    assert (unreachable.value.code, unreachable.value.data) == (
        "unreachable",
        {"host": "127.0.0.1:9"},
    )


def test_expired_access_token_is_refreshed_once(emulator):
    gw = gateway(emulator)
    gw.check_connection()
    emulator.faults.script("getMarketplaceParticipations", ["expired_token"])
    assert gw.marketplace_participations()
    assert gw.call_counts["getMarketplaceParticipations"] == 3


def test_authorization_code_is_exchanged_once_for_a_working_refresh_token(emulator, caplog):
    caplog.set_level(logging.DEBUG)
    emulator.add_authorization_code("ANgateway", SELLER, client_id="gw-client")
    app_only = Credentials("gw-client", "gw-secret", None)
    lwa_url = f"{emulator.base_url}/auth/o2/token"
    refresh_token = exchange_authorization_code("ANgateway", app_only, lwa_url)
    assert refresh_token.startswith("Atzr|") and refresh_token != "Atzr|gateway"
    granted = Credentials("gw-client", "gw-secret", refresh_token)
    assert gateway(emulator, granted).check_connection()
    with pytest.raises(errors.BadRequest) as refused:
        exchange_authorization_code("ANgateway", app_only, lwa_url)
    assert refused.value.code == "authorization_code_refused"
    assert "gw-secret" not in caplog.text and refresh_token not in caplog.text


def test_tokens_and_secrets_never_logged(emulator, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("sp_api", "httpx", "httpcore", "amazon_connector"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    emulator.faults.script("getMarketplaceParticipations", ["429"])
    gateway(emulator).check_connection()
    text = caplog.text
    assert "Request Headers" in text or "HTTP Request" in text  # debug logging really ran
    assert "gw-secret" not in text
    assert "Atzr|gateway" not in text
    assert "Atza|" not in text  # access tokens the emulator issued


def test_login_service_asking_to_slow_down_is_waited_out(emulator):
    # LWA answers 429 "slow_down" twice: the gateway waits and exchanges the token again,
    # without mistaking it for a bad request or slowing the SP-API operation's own pace.
    emulator.faults.script("lwa", ["429", "429"])
    gw = gateway(emulator)
    assert gw.check_connection()
    assert gw.call_counts["getMarketplaceParticipations"] == 3
    assert emulator.calls("lwa") == 3


def test_login_throttling_outlasting_the_retries_is_typed(emulator):
    emulator.faults.script("lwa", ["429"] * 2)
    with pytest.raises(errors.LoginThrottled) as throttled:
        gateway(emulator, max_retries=1).check_connection()
    assert throttled.value.code == "login_throttled"
    assert throttled.value.data["amazon_code"] == "slow_down"
