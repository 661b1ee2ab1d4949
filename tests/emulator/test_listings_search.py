"""searchListingsItems and the listings seed, through the real server and python-amazon-sp-api."""

import httpx
import pytest
from sp_api.api import ListingsItems
from sp_api.base import SellingApiBadRequestException, SellingApiForbiddenException

from spapi_emulator.listing_generator import product_at
from spapi_emulator.ops.listings import make_listing
from tests.emulator.conftest import DE, FR, SELLER_ID
from tests.emulator.modelcheck import validate

ALL_DATA = ["summaries", "attributes", "issues", "offers", "fulfillmentAvailability"]


@pytest.fixture
def client(sp_client):
    return sp_client(ListingsItems)


def search(client, **kwargs):
    """searchListingsItems; the answer must fit the model's ItemSearchResults."""
    kwargs.setdefault("marketplaceIds", [DE])
    response = client.search_listings_items(SELLER_ID, **kwargs)
    answer = dict(response.payload)  # sp_api moves ``pagination`` out of the payload
    if response.pagination is not None:
        answer["pagination"] = response.pagination
    validate("listings", "ItemSearchResults", answer)
    return answer


def all_pages(client, **kwargs):
    pages = [search(client, **kwargs)]
    while pages[-1].get("pagination", {}).get("nextToken"):
        token = pages[-1]["pagination"]["nextToken"]
        pages.append(search(client, **{**kwargs, "pageToken": token}))
    return pages


def test_pagination_returns_every_sku_once(emulator, client):
    skus = emulator.seed_listings(SELLER_ID, seed=3, count=45, fba_share=0.3)
    pages = all_pages(client, pageSize=20, includedData=ALL_DATA)
    assert [len(page["items"]) for page in pages] == [20, 20, 5]
    assert all(page["numberOfResults"] == 45 for page in pages)
    found = [item["sku"] for page in pages for item in page["items"]]
    assert sorted(found) == sorted(skus) and len(set(found)) == 45
    # Default order: lastUpdatedDate, newest first.
    dates = [s["lastUpdatedDate"] for p in pages for i in p["items"] for s in i["summaries"]]
    assert dates == sorted(dates, reverse=True)
    assert "previousToken" in pages[1]["pagination"]
    assert "nextToken" not in pages[-1].get("pagination", {})
    channels = {
        entry["fulfillmentChannelCode"]
        for page in pages
        for item in page["items"]
        for entry in item["fulfillmentAvailability"]
    }
    assert channels == {"DEFAULT", "AMAZON_EU"}


def test_listings_changed_while_paging_still_come_once(emulator, client):
    emulator.seed_listings(SELLER_ID, seed=1, count=30)
    first = search(client, pageSize=10)
    for listing in list(emulator.listings.values())[:30]:
        listing["lastUpdatedDate"] = "2099-01-01T00:00:00Z"  # jumps to the head of the sort
    rest = all_pages(client, pageSize=10, pageToken=first["pagination"]["nextToken"])
    found = [i["sku"] for i in first["items"]] + [i["sku"] for p in rest for i in p["items"]]
    assert len(found) == len(set(found)) == 30


def test_default_page_size_sort_and_filters(emulator, client):
    emulator.seed_listings(SELLER_ID, seed=2, count=25, fba_share=0)
    answer = search(client)
    assert len(answer["items"]) == 10 and answer["numberOfResults"] == 25
    by_sku = all_pages(client, sortBy="sku", sortOrder="ASC", pageSize=20)
    skus = [item["sku"] for page in by_sku for item in page["items"]]
    assert skus == sorted(skus)
    target = emulator.listings[(SELLER_ID, skus[3])]
    target["attributes"]["fulfillment_availability"][0]["quantity"] = 0
    not_buyable = search(client, withoutStatus=["BUYABLE"], pageSize=20)
    assert skus[3] in [item["sku"] for item in not_buyable["items"]]
    assert all("BUYABLE" not in item["summaries"][0]["status"] for item in not_buyable["items"])


def test_identifiers_filter(emulator, client):
    skus = emulator.seed_listings(SELLER_ID, seed=5, count=40, fba_share=0.5)
    wanted = [skus[0], skus[7], "NO-SUCH-SKU"]
    answer = search(client, identifiers=wanted, identifiersType="SKU", includedData=["summaries"])
    assert sorted(item["sku"] for item in answer["items"]) == sorted(skus[i] for i in (0, 7))
    assert answer["numberOfResults"] == 2 and "pagination" not in answer
    asin = product_at(12).asin
    answer = search(client, identifiers=[asin], identifiersType="ASIN")
    assert [item["sku"] for item in answer["items"]] == [skus[12]]
    assert answer["items"][0]["summaries"][0]["asin"] == asin
    ean = emulator.listings[(SELLER_ID, skus[9])]["attributes"][
        "externally_assigned_product_identifier"
    ][0]["value"]
    assert [
        i["sku"] for i in search(client, identifiers=[ean], identifiersType="EAN")["items"]
    ] == [skus[9]]
    fba = next(record for record in emulator.fba_inventory.values())
    answer = search(client, identifiers=[fba["fnSku"]], identifiersType="FNSKU")
    assert [item["sku"] for item in answer["items"]] == [fba["sellerSku"]]


def test_sku_with_reserved_characters_and_other_marketplace(emulator, client):
    make_listing(emulator, SELLER_ID, "MUG/BLUE 01", "HOME", {}, [FR], asin="B0MUG00001")
    assert search(client, identifiers=["MUG/BLUE 01"], identifiersType="SKU")["items"] == []
    answer = search(client, marketplaceIds=[FR], identifiers=["MUG/BLUE 01"], identifiersType="SKU")
    assert answer["items"][0]["sku"] == "MUG/BLUE 01"


def test_only_1000_results_can_be_paged(emulator, client):
    emulator.seed_listings(SELLER_ID, seed=1, count=1005, fba_share=0)
    emulator.set_rate_limit("searchListingsItems", 1000, 1000)
    pages = all_pages(client, pageSize=20, sortBy="sku")
    assert pages[0]["numberOfResults"] == 1005
    assert sum(len(page["items"]) for page in pages) == 1000


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"identifiers": ["A"]}, "identifiers and identifiersType"),
        ({"identifiersType": "SKU"}, "identifiers and identifiersType"),
        ({"identifiers": ["A"], "identifiersType": "PART"}, "identifiersType"),
        ({"identifiers": [str(n) for n in range(21)], "identifiersType": "SKU"}, "At most 20"),
        ({"identifiers": ["A"], "identifiersType": "SKU", "variationParentSku": "P"}, "together"),
        ({"pageSize": 21}, "pageSize"),
        ({"pageSize": 0}, "pageSize"),
        ({"sortBy": "price"}, "sortBy"),
        ({"sortOrder": "UP"}, "sortOrder"),
        ({"withStatus": ["ACTIVE"]}, "withStatus"),
        ({"createdAfter": "yesterday"}, "createdAfter"),
        ({"includedData": ["everything"]}, "includedData"),
        ({"pageToken": "bogus.token"}, "pageToken"),
    ],
)
def test_invalid_requests_are_400(client, kwargs, message):
    with pytest.raises(SellingApiBadRequestException) as caught:
        search(client, **kwargs)
    assert caught.value.code == 400
    assert message in caught.value.error[0]["message"]


def test_missing_marketplace_ids_and_other_seller(emulator, access_token):
    url = f"{emulator.base_url}/listings/2021-08-01/items/{SELLER_ID}"
    headers = {"x-amz-access-token": access_token()}
    answer = httpx.get(url, headers=headers)
    assert answer.status_code == 400
    validate("listings", "ErrorList", answer.json())
    assert answer.json()["errors"][0]["code"] == "InvalidInput"
    assert "marketplaceIds" in answer.json()["errors"][0]["message"]
    answer = httpx.get(
        url.replace(SELLER_ID, "AOTHER"), headers=headers, params={"marketplaceIds": DE}
    )
    assert answer.status_code == 403
    validate("listings", "ErrorList", answer.json())
    assert answer.headers["x-amzn-RateLimit-Limit"] == "5"


def test_page_token_bound_to_its_search(emulator, client):
    emulator.seed_listings(SELLER_ID, seed=1, count=15)
    token = search(client)["pagination"]["nextToken"]
    with pytest.raises(SellingApiBadRequestException):
        search(client, pageToken=token, sortBy="sku")
    assert len(search(client, pageToken=token)["items"]) == 5


def test_rate_limit_is_five_per_second(emulator, client):
    emulator.clock.set_speed(0)
    for _ in range(5):
        search(client)
    with pytest.raises(Exception) as caught:
        search(client)
    assert getattr(caught.value, "code", None) == 429
    assert not isinstance(caught.value, SellingApiForbiddenException)


def test_seed_listings_realistic_and_deterministic(emulator):
    emulator.add_seller("A3OTHER", "Other", [DE, "A1F83G8C2ARO7P", "ATVPDKIKX0DER"])
    skus = emulator.seed_listings("A3OTHER", seed=9, count=2000, fba_share=0.4, dual_share=0.25)
    assert len(set(skus)) == 2000
    assert skus[61] == product_at(61).sku and skus[61].endswith("-P02")
    channels = {}
    for sku in skus:
        listing = emulator.listings[("A3OTHER", sku)]
        codes = tuple(
            e["fulfillment_channel_code"] for e in listing["attributes"]["fulfillment_availability"]
        )
        channels[codes] = channels.get(codes, 0) + 1
        validate(
            "listings",
            "Item",
            {"sku": sku, "attributes": listing["attributes"]},
        )
    assert set(channels) == {
        ("DEFAULT",),
        ("AMAZON_EU", "AMAZON_NA"),
        ("DEFAULT", "AMAZON_EU", "AMAZON_NA"),
    }
    assert (
        channels[("AMAZON_EU", "AMAZON_NA")] + channels[("DEFAULT", "AMAZON_EU", "AMAZON_NA")] > 700
    )
    offers = emulator.listings[("A3OTHER", skus[0])]["attributes"]["purchasable_offer"]
    assert [o["currency"] for o in offers] == ["EUR", "GBP", "USD"]
    again_emu_skus = emulator.seed_listings(
        "A3OTHER", seed=9, count=10, fba_share=0.4, dual_share=0.25
    )
    again = [emulator.listings[("A3OTHER", sku)]["attributes"] for sku in again_emu_skus]
    assert (
        again_emu_skus == skus[:10]
        and again[0] == emulator.listings[("A3OTHER", skus[0])]["attributes"]
    )


def test_seed_listings_control_endpoint(emulator):
    answer = httpx.post(
        emulator.base_url + "/_emulator/listings",
        json={"seller_id": SELLER_ID, "count": 12, "seed": 4, "fba_share": 0.5, "offset": 61},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert len(body["skus"]) == 12 and all(sku.endswith("-P02") for sku in body["skus"])
    assert body["amazonFulfilled"] and set(body["amazonFulfilled"]) < set(body["skus"])
    bad = httpx.post(
        emulator.base_url + "/_emulator/listings", json={"seller_id": "NOPE", "count": 1, "seed": 1}
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "InvalidInput"
