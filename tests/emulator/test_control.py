"""The /_emulator control API over HTTP, and ``python -m spapi_emulator``."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from spapi_emulator.clock import isoformat
from spapi_emulator.generator import CATALOGUE

from .conftest import DE, SELLER_ID, TOKEN_TTL

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def control(emulator):
    with httpx.Client(base_url=emulator.base_url + "/_emulator", timeout=10) as client:
        yield client


def token_for(emulator, refresh_token, client_id, client_secret):
    form = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": client_id,
        "client_secret": client_secret,
    }
    return httpx.post(emulator.base_url + "/auth/o2/token", data=form)


def test_add_seller_gives_working_credentials(emulator, control):
    answer = control.post(
        "/sellers",
        json={
            "seller_id": "A9NEWSELLER",
            "name": "New",
            "marketplace_ids": [DE],
            "granted_data": ["BUYER"],
        },
    )
    assert answer.status_code == 200
    seller = answer.json()
    assert seller["granted_data"] == ["BUYER"]
    token = token_for(
        emulator, seller["refresh_token"], seller["client_id"], seller["client_secret"]
    )
    assert token.status_code == 200
    assert "A9NEWSELLER" in [s["seller_id"] for s in control.get("/sellers").json()["sellers"]]


def test_bad_control_input_is_400(control):
    answer = control.post("/sellers", json={"seller_id": "X", "marketplace_ids": ["nowhere"]})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "InvalidInput"
    assert (
        control.post("/faults", json={"operation": "searchOrders", "script": ["418"]}).status_code
        == 400
    )
    assert control.get("/nothing-here").status_code == 404


def test_calls_requests_and_reset(emulator, control, access_token, make_order):
    control.post(
        "/orders",
        json={"seller_id": SELLER_ID, "orders": [make_order("302-0000001-0000001")]},
    )
    headers = {"x-amz-access-token": access_token()}
    search = emulator.base_url + "/orders/2026-01-01/orders?createdAfter=2026-01-01T00:00:00Z"
    httpx.get(search, headers=headers)
    httpx.get(search + "&maxResultsPerPage=0", headers=headers)
    calls = control.get("/calls").json()
    assert calls == {
        "calls": {"lwa": 1, "searchOrders": 2},
        "total": 3,
    }  # control calls not counted
    journal = control.get("/requests", params={"operation": "searchOrders"}).json()["requests"]
    assert [r["status"] for r in journal] == [200, 400]
    assert journal[1]["query"]["maxResultsPerPage"] == ["0"]
    assert journal[0]["response"]["orders"][0]["orderId"] == "302-0000001-0000001"
    assert journal[0]["seller_id"] == SELLER_ID
    assert control.post("/reset-calls").status_code == 200
    assert control.get("/calls").json() == {"calls": {}, "total": 0}
    assert emulator.calls() == 0


def test_raw_order_shows_everything(control, make_order):
    control.post(
        "/orders",
        json={"seller_id": SELLER_ID, "orders": [make_order("302-0000002-0000002")]},
    )
    answer = control.get("/orders/302-0000002-0000002").json()
    assert answer["sellerId"] == SELLER_ID
    assert answer["order"]["buyer"]["buyerName"] == "Erika Mustermann"
    assert control.get("/orders/302-9999999-9999999").status_code == 404


def test_faults_script_probability_and_clear(emulator, control, access_token):
    headers = {"x-amz-access-token": access_token()}
    url = emulator.base_url + "/sellers/v1/marketplaceParticipations"
    state = control.post(
        "/faults", json={"operation": "getMarketplaceParticipations", "script": ["503"]}
    ).json()
    assert state["scripts"] == {"getMarketplaceParticipations": ["503"]}
    assert httpx.get(url, headers=headers).status_code == 503
    control.post(
        "/faults",
        json={
            "operation": "getMarketplaceParticipations",
            "kind": "500",
            "probability": 1,
        },
    )
    assert httpx.get(url, headers=headers).status_code == 500
    control.post("/faults", json={"clear": True, "timeout_delay": 2})
    assert control.get("/faults").json() == {
        "scripts": {},
        "probabilities": {},
        "timeout_delay": 2.0,
    }
    assert httpx.get(url, headers=headers).status_code == 200


def test_clock_advance_and_speed(emulator, control, access_token):
    token = access_token()
    before = control.get("/clock").json()
    after = control.post("/clock", json={"advance": TOKEN_TTL + 1, "speed": 0}).json()
    assert after["speed"] == 0
    assert after["now"] > before["now"]
    expired = httpx.get(
        emulator.base_url + "/sellers/v1/marketplaceParticipations",
        headers={"x-amz-access-token": token},
    )
    assert expired.json()["errors"][0]["details"] == "The access token you provided has expired."
    assert control.post("/clock", json={"advance": -5}).status_code == 400


def test_revoke_refresh_token(emulator, control, seller):
    assert (
        control.post("/tokens/revoke", json={"refresh_token": seller.refresh_token}).status_code
        == 200
    )
    answer = token_for(
        emulator,
        seller.refresh_token,
        seller.client_id,
        emulator.apps[seller.client_id],
    )
    assert answer.json()["error"] == "invalid_grant"
    assert control.post("/tokens/revoke", json={"refresh_token": "Atzr|nope"}).status_code == 400


def test_authorization_code(emulator, control, seller):
    control.post("/authorization-codes", json={"code": "ANabc", "seller_id": SELLER_ID})
    form = {
        "grant_type": "authorization_code",
        "code": "ANabc",
        "client_id": seller.client_id,
        "client_secret": emulator.apps[seller.client_id],
    }
    assert httpx.post(emulator.base_url + "/auth/o2/token", data=form).status_code == 200


def test_rate_limits(emulator, control, access_token):
    headers = {"x-amz-access-token": access_token()}
    url = emulator.base_url + "/sellers/v1/marketplaceParticipations"
    limits = control.post(
        "/rate-limits",
        json={"operation": "getMarketplaceParticipations", "rate": 1, "burst": 1},
    ).json()["limits"]
    assert limits["getMarketplaceParticipations"] == [1.0, 1]
    assert [httpx.get(url, headers=headers).status_code for _ in range(2)] == [200, 429]
    control.post("/rate-limits", json={"refill": True})
    assert httpx.get(url, headers=headers).status_code == 200


def test_seed_and_evolve_orders(emulator, control):
    seeded = control.post("/orders/seed", json={"seller_id": SELLER_ID, "seed": 3, "count": 40})
    assert seeded.status_code == 200
    ids = seeded.json()["orderIds"]
    assert len(ids) == 40 and set(ids) == set(emulator.orders)
    emulator.clock.set_speed(0)
    emulator.clock.advance(3 * 86400)
    answer = control.post("/orders/evolve", json={"seed": 1, "count": 5})
    changed = answer.json()["changed"]
    assert 0 < len(changed) <= 5
    now = isoformat(emulator.clock.now())
    assert all(emulator.orders[i]["lastUpdatedTime"] == now for i in changed)


def test_malformed_orders_on_demand_are_served_as_spoilt(emulator, control, access_token):
    answer = control.post(
        "/orders/malformed", json={"seller_id": SELLER_ID, "seed": 5, "count": 30}
    )
    assert answer.status_code == 200
    spoilt = answer.json()["orders"]
    assert len(spoilt) == 30
    assert len({entry["mutation"] for entry in spoilt}) == 30, "a different fault each"
    assert {entry["orderId"] for entry in spoilt} == set(emulator.orders)
    again = control.post(
        "/orders/malformed", json={"seller_id": SELLER_ID, "seed": 5, "count": 30}
    ).json()["orders"]
    assert again == spoilt, "same seed, same orders"
    nul = next((e for e in spoilt if e["mutation"] == "order_id_nul"), None)
    assert nul is None or "\x00" in nul["orderId"]
    served = httpx.get(
        emulator.base_url + "/orders/2026-01-01/orders",
        params={
            "lastUpdatedAfter": "2000-01-01T00:00:00Z",
            "marketplaceIds": ",".join(emulator.sellers[SELLER_ID].marketplace_ids),
        },
        headers={"x-amz-access-token": access_token()},
    )
    assert served.status_code == 200
    assert {o["orderId"] for o in served.json()["orders"]} == set(emulator.orders)


def test_python_dash_m_starts_a_demo_emulator():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "spapi_emulator",
            "--port",
            "0",
            "--orders",
            "5",
            "--seed",
            "2",
            "--catalogue-offers",
            "--fba-share",
            "0.5",
            "--application",
            "amzn1.sp.solution.cli-test=http://127.0.0.1:9/callback",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        lines = dict(
            part.split("=", 1)
            for _ in range(3)
            for part in process.stdout.readline().split()
            if "=" in part
        )
        form = {
            "grant_type": "refresh_token",
            "refresh_token": lines["refresh_token"],
            "client_id": lines["client_id"],
            "client_secret": lines["client_secret"],
        }
        token = httpx.post(base_url + "/auth/o2/token", data=form).json()["access_token"]
        answer = httpx.get(
            base_url + "/orders/2026-01-01/orders",
            params={
                "createdAfter": "2000-01-01T00:00:00Z",
                "marketplaceIds": "A1PA6795UKMFR9,A13V1IB3VIYZZH",
            },
            headers={"x-amz-access-token": token},
        )
        assert len(answer.json()["orders"]) == 5
        assert json.loads(httpx.get(base_url + "/_emulator/calls").text)["total"] == 2
        # --catalogue-offers: one offer per catalogue product, half of them FBA.
        offers = httpx.get(
            base_url + f"/listings/2021-08-01/items/{lines['seller_id']}",
            params={"marketplaceIds": "A1PA6795UKMFR9", "pageSize": 20},
            headers={"x-amz-access-token": token},
        ).json()
        assert offers["numberOfResults"] == len(CATALOGUE)
        # --application: its consent page knows the app and where to send the seller back.
        consent = httpx.get(
            base_url + "/apps/authorize/consent",
            params={
                "application_id": "amzn1.sp.solution.cli-test",
                "state": "s1",
                "version": "beta",
            },
        )
        assert consent.status_code == 200
        assert "http://127.0.0.1:9/callback" in consent.text
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        process.stdout.close()


def test_chunked_request_bodies_are_read(emulator, control):
    def body():
        yield b'{"seller_id": "A9CHUNKED", '
        yield b'"marketplace_ids": ["A1PA6795UKMFR9"]}'

    answer = control.post("/sellers", content=body())
    assert answer.status_code == 200
    assert emulator.sellers["A9CHUNKED"].marketplace_ids == [DE]
