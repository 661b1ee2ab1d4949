"""getInventorySummaries (FBA Inventory v1) through the real server and python-amazon-sp-api."""

import httpx
import pytest
from sp_api.api import Inventories
from sp_api.base import SellingApiBadRequestException

from spapi_emulator.listing_generator import total_quantity
from tests.emulator.conftest import DE, FR, SELLER_ID
from tests.emulator.modelcheck import validate


@pytest.fixture
def client(sp_client):
    return sp_client(Inventories)


def summaries(client, **kwargs):
    """getInventorySummaries; the whole answer must fit GetInventorySummariesResponse."""
    kwargs.setdefault("marketplaceIds", [DE])
    response = client.get_inventory_summary_marketplace(**kwargs)
    answer = {"payload": response.payload}
    if response.pagination is not None:
        answer["pagination"] = response.pagination
    validate("fbaInventory", "GetInventorySummariesResponse", answer)
    return answer


def test_pagination_covers_every_fba_sku_once(emulator, client):
    emulator.seed_listings(SELLER_ID, seed=2, count=200, fba_share=0.6)
    emulator.set_rate_limit("getInventorySummaries", 100, 100)  # the default is 2/s, burst 2
    fba = sorted({key[1] for key in emulator.fba_inventory})
    assert len(fba) > 100
    pages = [summaries(client)]
    while "pagination" in pages[-1]:
        pages.append(summaries(client, nextToken=pages[-1]["pagination"]["nextToken"]))
    assert len(pages[0]["payload"]["inventorySummaries"]) == 50
    found = [s["sellerSku"] for p in pages for s in p["payload"]["inventorySummaries"]]
    assert found == fba
    first = pages[0]["payload"]
    assert first["granularity"] == {"granularityType": "Marketplace", "granularityId": DE}
    assert "inventoryDetails" not in first["inventorySummaries"][0]
    # Merchant-fulfilled listings have no FBA stock.
    merchant = [sku for (_s, sku), listing in emulator.listings.items() if sku not in fba]
    assert merchant and not set(merchant) & set(found)


def test_details_and_seller_skus(emulator, client):
    emulator.seed_listings(SELLER_ID, seed=4, count=60, fba_share=1)
    sku = sorted(key[1] for key in emulator.fba_inventory)[5]
    record = emulator.set_fba_inventory(SELLER_ID, sku, fulfillable=7, inboundShippedQuantity=3)
    emulator.refill_buckets()
    answer = summaries(
        client, details=True, sellerSkus=[sku, "UNKNOWN"], marketplaceIds=[FR], granularityId=FR
    )
    assert answer["payload"]["granularity"]["granularityId"] == FR
    [found] = answer["payload"]["inventorySummaries"]
    assert found["sellerSku"] == sku and found["fnSku"].startswith("X00")
    assert found["condition"] in ("NewItem", "UsedLikeNew")
    assert found["inventoryDetails"]["fulfillableQuantity"] == 7
    assert found["inventoryDetails"]["inboundShippedQuantity"] == 3
    assert found["totalQuantity"] == total_quantity(record["details"]) >= 10
    listing = emulator.listings[(SELLER_ID, sku)]
    assert {"fulfillment_channel_code": "AMAZON_EU", "quantity": 7} in listing["attributes"][
        "fulfillment_availability"
    ]
    emulator.clock.advance(1)
    single = summaries(client, sellerSku=sku)["payload"]["inventorySummaries"]
    assert [s["sellerSku"] for s in single] == [sku]


def test_start_date_time_returns_changes_only(emulator, client):
    emulator.seed_listings(SELLER_ID, seed=4, count=30, fba_share=1)
    emulator.clock.advance(3600)
    since = emulator.clock.now().isoformat()
    emulator.clock.advance(60)
    sku = sorted(key[1] for key in emulator.fba_inventory)[2]
    emulator.set_fba_inventory(SELLER_ID, sku, fulfillable=0)
    answer = summaries(client, startDateTime=since, sellerSkus=["ignored"])
    assert emulator.requests("getInventorySummaries")[-1]["status"] == 200
    assert [s["sellerSku"] for s in answer["payload"]["inventorySummaries"]] == [sku]


def test_next_token_expires_after_30_seconds_and_needs_same_parameters(emulator, client):
    emulator.seed_listings(SELLER_ID, seed=2, count=150, fba_share=1)
    emulator.set_rate_limit("getInventorySummaries", 100, 100)
    token = summaries(client)["pagination"]["nextToken"]
    with pytest.raises(SellingApiBadRequestException):
        summaries(client, nextToken=token, details=True, sellerSkus=["X"])
    emulator.clock.advance(31)
    assert len(summaries(client)["payload"]["inventorySummaries"]) == 50
    with pytest.raises(SellingApiBadRequestException) as caught:
        summaries(client, nextToken=token)
    assert "expired" in caught.value.error[0]["message"]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"granularityId": DE, "marketplaceIds": DE}, "granularityType"),
        (
            {"granularityType": "Country", "granularityId": DE, "marketplaceIds": DE},
            "granularityType",
        ),
        ({"granularityType": "Marketplace", "marketplaceIds": DE}, "granularityId"),
        ({"granularityType": "Marketplace", "granularityId": DE}, "marketplaceIds"),
        (
            {"granularityType": "Marketplace", "granularityId": DE, "marketplaceIds": f"{DE},{FR}"},
            "exactly one",
        ),
        (
            {"granularityType": "Marketplace", "granularityId": FR, "marketplaceIds": DE},
            "granularityId",
        ),
        (
            {
                "granularityType": "Marketplace",
                "granularityId": "ATVPDKIKX0DER",
                "marketplaceIds": "ATVPDKIKX0DER",
            },
            "participate",
        ),
        (
            {
                "granularityType": "Marketplace",
                "granularityId": DE,
                "marketplaceIds": DE,
                "details": "yes",
            },
            "details",
        ),
        (
            {
                "granularityType": "Marketplace",
                "granularityId": DE,
                "marketplaceIds": DE,
                "sellerSkus": ",".join(map(str, range(51))),
            },
            "50",
        ),
        (
            {
                "granularityType": "Marketplace",
                "granularityId": DE,
                "marketplaceIds": DE,
                "startDateTime": "2000-01-01T00:00:00Z",
            },
            "18 months",
        ),
    ],
)
def test_invalid_requests_are_400_with_model_errors(emulator, access_token, params, message):
    answer = httpx.get(
        emulator.base_url + "/fba/inventory/v1/summaries",
        params=params,
        headers={"x-amz-access-token": access_token()},
    )
    assert answer.status_code == 400
    validate("fbaInventory", "GetInventorySummariesResponse", answer.json())
    assert message in answer.json()["errors"][0]["message"]
    assert answer.headers["x-amzn-RateLimit-Limit"] == "2"


def test_fba_inventory_control_endpoint(emulator):
    emulator.seed_listings(SELLER_ID, seed=1, count=10, fba_share=1)
    sku = next(iter(emulator.fba_inventory))[1]
    answer = httpx.post(
        emulator.base_url + "/_emulator/fba-inventory",
        json={"seller_id": SELLER_ID, "sku": sku, "fulfillable": 42},
    )
    assert answer.status_code == 200 and answer.json()["details"]["fulfillableQuantity"] == 42
    bad = httpx.post(
        emulator.base_url + "/_emulator/fba-inventory",
        json={"seller_id": SELLER_ID, "sku": sku, "fulfillable": -1},
    )
    assert bad.status_code == 400


def test_rate_limit_is_two_per_second(emulator, client):
    emulator.clock.set_speed(0)
    summaries(client)
    summaries(client)
    with pytest.raises(Exception) as caught:
        summaries(client)
    assert getattr(caught.value, "code", None) == 429
    emulator.clock.advance(0.5)
    summaries(client)
