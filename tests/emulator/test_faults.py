"""Every fault kind, as a raw HTTP client sees it; scripts, probabilities, LWA faults."""

import time

import httpx
import pytest
from sp_api.api import Sellers
from sp_api.auth.exceptions import AuthorizationError

from spapi_emulator.faults import Faults
from spapi_emulator.server import Emulator

from . import modelcheck

PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"
OPERATION = "getMarketplaceParticipations"


@pytest.fixture
def get(emulator, access_token):
    """GET the marketplace participations with a valid token (client timeout 5 s)."""
    headers = {"x-amz-access-token": access_token()}

    def call(path=PARTICIPATIONS, timeout=5.0):
        return httpx.get(emulator.base_url + path, headers=headers, timeout=timeout)

    return call


@pytest.mark.parametrize(
    "kind, status, code",
    [
        ("429", 429, "QuotaExceeded"),
        ("500", 500, "InternalFailure"),
        ("503", 503, "ServiceUnavailable"),
        ("expired_token", 403, "Unauthorized"),
    ],
)
def test_http_error_faults_answer_amazon_errors(emulator, get, kind, status, code):
    emulator.faults.script(OPERATION, [kind])
    answer = get()
    assert answer.status_code == status
    assert answer.json()["errors"][0]["code"] == code
    assert answer.headers["x-amzn-RequestId"]
    modelcheck.validate("sellers", "ErrorList", answer.json()["errors"])
    assert get().status_code == 200  # a script entry is used once


def test_expired_token_fault_reads_like_a_real_expiry(emulator, get):
    emulator.faults.script(OPERATION, ["expired_token"])
    assert get().json()["errors"][0]["details"] == "The access token you provided has expired."


def test_expired_pagination_token_fault(emulator, get):
    emulator.faults.script("searchOrders", ["expired_pagination_token"])
    answer = get("/orders/2026-01-01/orders?createdAfter=2026-01-01T00:00:00Z&paginationToken=x")
    assert answer.status_code == 400
    error = answer.json()["errors"][0]
    assert error["code"] == "InvalidInput"
    assert "expired" in error["message"]


def test_not_json_is_an_html_gateway_page(emulator, get):
    emulator.faults.script(OPERATION, ["not_json"])
    answer = get()
    assert answer.status_code == 502
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.text.startswith("<html>")
    with pytest.raises(ValueError):
        answer.json()


def test_timeout_holds_the_request_then_closes_without_answer(emulator, get):
    emulator.faults.timeout_delay = 0.5
    emulator.faults.script(OPERATION, ["timeout", "timeout"])
    with pytest.raises(httpx.ReadTimeout):
        get(timeout=0.2)
    started = time.monotonic()
    with pytest.raises(httpx.RemoteProtocolError):
        get(timeout=5)
    assert time.monotonic() - started >= 0.5
    assert get().status_code == 200


def test_reset_closes_the_socket_with_a_tcp_reset(emulator, get):
    emulator.faults.script(OPERATION, ["reset"])
    with pytest.raises(httpx.ReadError) as raised:
        get()
    assert "reset" in str(raised.value).lower()
    assert get().status_code == 200


def test_faults_are_recorded(emulator, get):
    emulator.faults.script(OPERATION, ["reset", "503"])
    with pytest.raises(httpx.ReadError):
        get()
    get()
    get()
    journal = [(r["fault"], r["status"]) for r in emulator.requests(OPERATION)]
    assert journal == [("reset", None), ("503", 503), (None, 200)]


def test_script_runs_in_order_and_wildcard_applies_to_every_operation(emulator, get):
    emulator.faults.script(OPERATION, ["500", "503"])
    emulator.faults.script("*", ["429"])
    assert [get().status_code for _ in range(4)] == [500, 503, 429, 200]


def test_probability_is_seeded_and_repeatable():
    def run():
        with Emulator(seed=42) as emu:
            emu.add_seller("S1", refresh_token="Atzr|s1")
            emu.set_rate_limit(OPERATION, 100, 100)
            emu.faults.probability(OPERATION, "500", 0.5)
            form = {
                "grant_type": "refresh_token",
                "refresh_token": "Atzr|s1",
                "client_id": emu.sellers["S1"].client_id,
                "client_secret": emu.apps[emu.sellers["S1"].client_id],
            }
            token = httpx.post(emu.base_url + "/auth/o2/token", data=form).json()
            headers = {"x-amz-access-token": token["access_token"]}
            with httpx.Client(base_url=emu.base_url, headers=headers) as client:
                return [client.get(PARTICIPATIONS).status_code for _ in range(40)]

    first, second = run(), run()
    assert first == second
    assert 8 <= first.count(500) <= 32
    assert set(first) == {200, 500}


def test_probability_zero_removes_it(emulator, get):
    emulator.faults.probability(OPERATION, "503", 1)
    assert get().status_code == 503
    emulator.faults.probability(OPERATION, "503", 0)
    assert get().status_code == 200


def test_lwa_faults_speak_oauth(emulator, sp_client):
    emulator.faults.script("lwa", ["500"])
    sellers = sp_client(Sellers)
    with pytest.raises(AuthorizationError) as raised:
        sellers.get_marketplace_participation()
    assert (raised.value.status_code, raised.value.error_code) == (500, "server_error")
    sellers.get_marketplace_participation()


def test_stop_ends_a_held_timeout_at_once():
    emulator = Emulator(fault_timeout=60)
    emulator.add_seller("S1", refresh_token="Atzr|s1")
    emulator.start()
    emulator.faults.script("lwa", ["timeout"])
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(emulator.base_url + "/auth/o2/token", data={}, timeout=0.3)
    started = time.monotonic()
    emulator.stop()
    assert time.monotonic() - started < 5


def test_bad_fault_arguments_are_refused():
    faults = Faults()
    with pytest.raises(ValueError):
        faults.script("searchOrders", ["418"])
    with pytest.raises(ValueError):
        faults.probability("searchOrders", "500", 1.5)
    with pytest.raises(ValueError):
        faults.timeout_delay = 3600
