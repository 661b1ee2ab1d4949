"""Deterministic listings (and FBA stock) for a seller, from the order generator's catalogue.

``generate_listings(seed, count, seller_id, marketplace_ids, now)`` returns ``count`` listings
in the shape ``ops/listings.py`` keeps in ``emu.listings`` plus the FBA inventory records
``ops/inventory.py`` serves. Listing ``i`` is catalogue product ``i % len(CATALOGUE)``; past the
catalogue the SKU gets a pack-size suffix (``WB750-BLK-P02`` = a 2-pack with its own ASIN), so
any count is possible (2,000 listings = the 61 products in 33 pack sizes).

Fulfilment, as Amazon has it: a SKU has one fulfilment channel per marketplace, ``DEFAULT``
(merchant) with a quantity, or Amazon's network of the marketplace's region (``AMAZON_EU``,
``AMAZON_NA``, ``AMAZON_JP``). ``fba_share`` of the listings are Amazon-fulfilled; of those,
``dual_share`` also carry a ``DEFAULT`` record: Amazon's "multiple fulfillment channels with
default MFN and FBA" case, which only the Listings Items API and JSON_LISTINGS_FEED support.
"""

import hashlib
import random
from datetime import timedelta
from decimal import Decimal

from .clock import isoformat
from .generator import CATALOGUE, MARKETPLACES, Product, _asin_for
from .ops.sellers import DEFAULT_LANGUAGES

# Amazon's fulfilment network per country (European Fulfillment Network, North America, Japan).
# Marketplaces elsewhere get merchant-fulfilled listings only.
FBA_CHANNELS = {
    **dict.fromkeys(("DE", "FR", "IT", "ES", "GB", "NL", "SE", "PL", "BE", "IE"), "AMAZON_EU"),
    **dict.fromkeys(("US", "CA", "MX"), "AMAZON_NA"),
    "JP": "AMAZON_JP",
}
# Product type per catalogue family (the SKU's first part); others are HOME.
PRODUCT_TYPES = {
    "WB750": "BOTTLE",
    "CUTB3": "CUTTING_BOARD",
    "USBC2M": "ELECTRONIC_CABLE",
    "EARPRO": "HEADPHONES",
    "HDPHNC": "HEADPHONES",
    "YOGA6": "EXERCISE_MAT",
    "LAMPLED": "LAMP",
    "MUG4": "DRINKING_CUP",
    "SOCKMW": "SOCKS",
    "KEYBRN": "KEYBOARDS",
    "PUZZW": "PUZZLES",
    "KETL17": "KETTLE",
    "DOGTOY": "PET_TOY",
    "BPK40": "BACKPACK",
    "CANDLE": "CANDLE",
    "PWR20K": "POWER_BANK",
    "RUNSH": "SHOES",
    "UMBR": "UMBRELLA",
    "SPKBT": "SPEAKERS",
    "GLOVEW": "GLOVES",
}
# FBA Inventory's ``condition`` for a listing's condition_type.
FBA_CONDITIONS = {
    "new_new": "NewItem",
    "used_like_new": "UsedLikeNew",
    "used_very_good": "UsedVeryGood",
    "used_good": "UsedGood",
    "used_acceptable": "UsedAcceptable",
}
_FNSKU_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def fba_channel(marketplace_id):
    """The Amazon fulfilment channel code of a marketplace, or None where FBA is not emulated."""
    return FBA_CHANNELS.get(MARKETPLACES[marketplace_id]["country_code"])


def product_at(index) -> Product:
    """Catalogue product ``index``, or past the catalogue a pack of it (own SKU and ASIN)."""
    base = CATALOGUE[index % len(CATALOGUE)]
    pack = index // len(CATALOGUE) + 1
    if pack == 1:
        return base
    sku = f"{base.sku}-P{pack:02d}"
    return Product(
        sku=sku,
        asin=_asin_for(sku),
        title=f"{base.title} (pack of {pack})",
        title_ja=f"{base.title_ja}({pack}個セット)",
        base_usd=(base.base_usd * pack * Decimal("0.9")).quantize(Decimal("0.01")),
    )


def ean_for(sku) -> str:
    """A stable EAN-13 (German GS1 prefix 40-44) with a valid check digit."""
    digits = str(int(hashlib.sha1(sku.encode()).hexdigest(), 16))[:11]
    body = "4" + str(int(digits[0]) % 5) + digits[1:]
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def fnsku_for(seller_id, sku) -> str:
    digest = int(hashlib.sha1(f"{seller_id}|{sku}".encode()).hexdigest(), 16)
    chars = []
    for _ in range(7):
        digest, index = divmod(digest, len(_FNSKU_ALPHABET))
        chars.append(_FNSKU_ALPHABET[index])
    return "X00" + "".join(chars)


def _per_marketplace(marketplace_ids, value_for):
    return [value_for(m) for m in marketplace_ids]


def fba_details(rng) -> dict:
    """InventoryDetails with realistic small side quantities around the fulfillable stock."""
    fulfillable = 0 if rng.random() < 0.1 else rng.randint(1, 300)
    pending = rng.choice((0, 0, 0, 1, 2, 3))
    transshipment = rng.choice((0, 0, 0, 0, 2, 5))
    processing = rng.choice((0, 0, 0, 0, 1))
    researching = [rng.choice((0, 0, 0, 1)), 0, rng.choice((0, 0, 0, 0, 1))]
    damaged = [rng.choice((0, 0, 0, 1)), rng.choice((0, 0, 0, 0, 1)), 0, 0]
    defective, expired = rng.choice((0, 0, 0, 0, 1)), 0
    return {
        "fulfillableQuantity": fulfillable,
        "inboundWorkingQuantity": rng.choice((0, 0, 0, 0, 12, 24)),
        "inboundShippedQuantity": rng.choice((0, 0, 0, 0, 0, 48)),
        "inboundReceivingQuantity": rng.choice((0, 0, 0, 0, 0, 6)),
        "reservedQuantity": {
            "totalReservedQuantity": pending + transshipment + processing,
            "pendingCustomerOrderQuantity": pending,
            "pendingTransshipmentQuantity": transshipment,
            "fcProcessingQuantity": processing,
        },
        "researchingQuantity": {
            "totalResearchingQuantity": sum(researching),
            "researchingQuantityBreakdown": [
                {"name": name, "quantity": quantity}
                for name, quantity in zip(
                    (
                        "researchingQuantityInShortTerm",
                        "researchingQuantityInMidTerm",
                        "researchingQuantityInLongTerm",
                    ),
                    researching,
                    strict=True,
                )
            ],
        },
        "unfulfillableQuantity": {
            "totalUnfulfillableQuantity": sum(damaged) + defective + expired,
            "customerDamagedQuantity": damaged[0],
            "warehouseDamagedQuantity": damaged[1],
            "distributorDamagedQuantity": damaged[2],
            "carrierDamagedQuantity": damaged[3],
            "defectiveQuantity": defective,
            "expiredQuantity": expired,
        },
    }


def total_quantity(details) -> int:
    """Units in inbound shipments or in Amazon's fulfilment centres (FBA ``totalQuantity``)."""
    return (
        details["fulfillableQuantity"]
        + details["inboundWorkingQuantity"]
        + details["inboundShippedQuantity"]
        + details["inboundReceivingQuantity"]
        + details["reservedQuantity"]["totalReservedQuantity"]
        + details["researchingQuantity"]["totalResearchingQuantity"]
        + details["unfulfillableQuantity"]["totalUnfulfillableQuantity"]
    )


def generate_listings(
    seed, count, seller_id, marketplace_ids, now, fba_share=0.3, dual_share=0.0, offset=0
):
    """``count`` listings (products ``offset`` .. ``offset + count - 1``) and FBA records.

    Returns ``(listings, fba_records)``: listing dicts for ``emu.listings`` and FBA inventory
    records for ``emu.fba_inventory`` keyed like it, ``(seller_id, sku, channel)``.
    """
    if not 0 <= fba_share <= 1 or not 0 <= dual_share <= 1:
        raise ValueError("fba_share and dual_share must be between 0 and 1")
    if count < 0 or offset < 0:
        raise ValueError("count and offset must be 0 or more")
    unknown = [m for m in marketplace_ids if m not in MARKETPLACES]
    if not marketplace_ids or unknown:
        raise ValueError(f"unknown or no marketplace ids: {unknown or marketplace_ids}")
    rng = random.Random(f"listings|{seed}|{seller_id}")
    channels = sorted({c for c in map(fba_channel, marketplace_ids) if c})
    listings, records = [], {}
    for index in range(offset, offset + count):
        product = product_at(index)
        family = CATALOGUE[index % len(CATALOGUE)].sku.split("-")[0]
        amazon = bool(channels) and rng.random() < fba_share
        dual = amazon and rng.random() < dual_share
        created = now - timedelta(days=rng.uniform(2, 720))
        updated = created + (now - created) * rng.random()
        condition = "new_new" if rng.random() < 0.95 else "used_like_new"

        def name(m, product=product):
            country = MARKETPLACES[m]["country_code"]
            return {
                "value": product.title_for(country),
                "language_tag": DEFAULT_LANGUAGES[country],
                "marketplace_id": m,
            }

        def offer(m, product=product):
            currency = MARKETPLACES[m]["currency"]
            return {
                "marketplace_id": m,
                "currency": currency,
                "audience": "ALL",
                "our_price": [{"schedule": [{"value_with_tax": float(product.price(currency))}]}],
            }

        availability = []
        if not amazon or dual:
            quantity = 0 if rng.random() < 0.1 else rng.randint(1, 150)
            availability.append({"fulfillment_channel_code": "DEFAULT", "quantity": quantity})
        fnsku = fnsku_for(seller_id, product.sku)
        for channel in channels if amazon else ():
            details = fba_details(rng)
            availability.append(
                {"fulfillment_channel_code": channel, "quantity": details["fulfillableQuantity"]}
            )
            records[(seller_id, product.sku, channel)] = {
                "sellerSku": product.sku,
                "channel": channel,
                "asin": product.asin,
                "fnSku": fnsku,
                "condition": FBA_CONDITIONS[condition],
                "productName": product.title,
                "marketplaceIds": [m for m in marketplace_ids if fba_channel(m) == channel],
                "details": details,
                "lastUpdatedTime": isoformat(updated),
            }
        attributes = {
            "item_name": _per_marketplace(marketplace_ids, name),
            "condition_type": [{"value": condition, "marketplace_id": m} for m in marketplace_ids],
            "externally_assigned_product_identifier": [
                {"type": "ean", "value": ean_for(product.sku), "marketplace_id": m}
                for m in marketplace_ids
            ],
            "purchasable_offer": _per_marketplace(marketplace_ids, offer),
            "fulfillment_availability": availability,
        }
        listings.append(
            {
                "sku": product.sku,
                "sellerId": seller_id,
                "productType": PRODUCT_TYPES.get(family, "HOME"),
                "asin": product.asin,
                "marketplaceIds": list(marketplace_ids),
                "attributes": attributes,
                "issues": [],
                "createdDate": isoformat(created),
                "lastUpdatedDate": isoformat(updated),
            }
        )
    return listings, records
