"""Fixtures: a running emulator with a known seller, and real python-amazon-sp-api clients on it.

* ``emulator``: started on a free port, token TTL 300 emulated seconds, seller ``SELLER_ID``
  (Germany + France, BUYER and RECIPIENT granted) whose credentials are the constants below.
* ``seller``: that Seller.
* ``sp_client(api_class, seller=None, marketplace_id=None, **kwargs)``: an ``sp_api`` client
  (e.g. ``Orders``, ``Sellers``, ``Notifications``) whose requests and LWA calls go to the
  emulator over HTTP.
* ``access_token(seller=None)``: a fresh seller access token from the emulator's LWA, for raw
  ``httpx`` requests (header ``x-amz-access-token``).
* ``make_order(order_id, ...)``: a small v2026-01-01 Order, valid against the model.
"""

import types

import httpx
import pytest
import sp_api.auth.access_token_client as token_module

from spapi_emulator.server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator

SELLER_ID = "A2TESTSELLER01"
REFRESH_TOKEN = "Atzr|test-refresh-token"
CLIENT_ID = DEFAULT_CLIENT_ID
CLIENT_SECRET = DEFAULT_CLIENT_SECRET
DE = "A1PA6795UKMFR9"
FR = "A13V1IB3VIYZZH"
TOKEN_TTL = 300


@pytest.fixture(autouse=True)
def _fresh_sp_api_state(monkeypatch):
    """sp_api caches access tokens per refresh token across clients: clear between tests."""
    monkeypatch.delenv("SP_API_DEFAULT_MARKETPLACE", raising=False)
    token_module.cache.clear()
    token_module.grantless_cache.clear()
    yield
    token_module.cache.clear()
    token_module.grantless_cache.clear()


@pytest.fixture
def emulator():
    emu = Emulator(seed=0, token_ttl=TOKEN_TTL, fault_timeout=1.0)
    emu.add_seller(
        SELLER_ID,
        "Test Shop",
        [DE, FR],
        granted_data=("BUYER", "RECIPIENT"),
        refresh_token=REFRESH_TOKEN,
    )
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def seller(emulator):
    return emulator.sellers[SELLER_ID]


@pytest.fixture
def sp_client(emulator):
    """Factory of sp_api clients bound to the emulator (LWA included)."""
    lwa_class = type(
        "EmulatorLWA",
        (token_module.AccessTokenClient,),
        {"scheme": "http://", "host": emulator.base_url.removeprefix("http://")},
    )
    clients = []

    def make(api_class, seller=None, marketplace_id=None, **kwargs):
        seller = seller or emulator.sellers[SELLER_ID]
        marketplace = types.SimpleNamespace(
            endpoint=emulator.base_url,
            marketplace_id=marketplace_id or seller.marketplace_ids[0],
            region="eu-west-1",
        )
        client = api_class(
            marketplace,
            credentials={
                "refresh_token": seller.refresh_token,
                "lwa_app_id": seller.client_id,
                "lwa_client_secret": emulator.apps[seller.client_id],
            },
            auth_token_client_class=lwa_class,
            **kwargs,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def access_token(emulator):
    def fetch(seller=None):
        seller = seller or emulator.sellers[SELLER_ID]
        answer = httpx.post(
            emulator.base_url + "/auth/o2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": seller.refresh_token,
                "client_id": seller.client_id,
                "client_secret": emulator.apps[seller.client_id],
            },
        )
        answer.raise_for_status()
        return answer.json()["access_token"]

    return fetch


@pytest.fixture
def make_order():
    def build(
        order_id,
        created="2026-01-10T10:00:00Z",
        updated=None,
        status="UNSHIPPED",
        marketplace_id=DE,
        fulfilled_by="MERCHANT",
        sku="SKU-1",
    ):
        return {
            "orderId": order_id,
            "createdTime": created,
            "lastUpdatedTime": updated or created,
            "programs": [],
            "salesChannel": {
                "channelName": "AMAZON",
                "marketplaceId": marketplace_id,
                "marketplaceName": "Amazon.de",
            },
            "buyer": {
                "buyerName": "Erika Mustermann",
                "buyerEmail": "erika@marketplace.amazon.de",
            },
            "recipient": {
                "deliveryAddress": {
                    "name": "Erika Mustermann",
                    "addressLine1": "Heidestrasse 17",
                    "city": "Koeln",
                    "postalCode": "51147",
                    "countryCode": "DE",
                    "phone": "+49 221 1234567",
                    "addressType": "RESIDENTIAL",
                },
                "deliveryPreference": {"addressInstruction": "Ring twice"},
            },
            "proceeds": {"grandTotal": {"amount": "19.99", "currencyCode": "EUR"}},
            "fulfillment": {
                "fulfillmentStatus": status,
                "fulfilledBy": fulfilled_by,
                "fulfillmentServiceLevel": "STANDARD",
            },
            "orderItems": [
                {
                    "orderItemId": f"{order_id}-1",
                    "quantityOrdered": 1,
                    "product": {
                        "asin": "B000TEST01",
                        "title": "Test product",
                        "sellerSku": sku,
                        "price": {"unitPrice": {"amount": "19.99", "currencyCode": "EUR"}},
                    },
                    "proceeds": {"proceedsTotal": {"amount": "19.99", "currencyCode": "EUR"}},
                    "fulfillment": {"quantityFulfilled": 0, "quantityUnfulfilled": 1},
                }
            ],
        }

    return build
