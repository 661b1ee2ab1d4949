"""Sellers API v1: getMarketplaceParticipations, from ``models/marketplaces.csv``."""

import csv
from pathlib import Path

from ..routing import route

MARKETPLACES_CSV = Path(__file__).resolve().parent.parent / "models" / "marketplaces.csv"
# The CSV has no language; these are the marketplaces' default locales.
DEFAULT_LANGUAGES = {
    "CA": "en_CA", "US": "en_US", "MX": "es_MX", "BR": "pt_BR", "IE": "en_IE", "ES": "es_ES",
    "GB": "en_GB", "FR": "fr_FR", "BE": "fr_BE", "NL": "nl_NL", "DE": "de_DE", "IT": "it_IT",
    "SE": "sv_SE", "ZA": "en_ZA", "PL": "pl_PL", "EG": "ar_EG", "TR": "tr_TR", "SA": "ar_SA",
    "AE": "en_AE", "IN": "en_IN", "SG": "en_SG", "AU": "en_AU", "JP": "ja_JP",
}  # fmt: skip


def load_marketplaces() -> dict:
    """marketplace id -> the Sellers API ``Marketplace`` object."""
    with MARKETPLACES_CSV.open(newline="", encoding="utf-8") as handle:
        return {
            row["marketplace_id"]: {
                "id": row["marketplace_id"],
                "name": "Amazon" + row["domain"][len("amazon") :],
                "countryCode": row["country_code"],
                "defaultCurrencyCode": row["currency"],
                "defaultLanguageCode": DEFAULT_LANGUAGES[row["country_code"]],
                "domainName": row["domain"],
            }
            for row in csv.DictReader(handle)
        }


MARKETPLACES = load_marketplaces()


@route("GET", "/sellers/v1/marketplaceParticipations", "getMarketplaceParticipations")
def get_marketplace_participations(emu, req):
    seller = emu.sellers[req.seller_id]
    return {
        "payload": [
            {
                "marketplace": dict(MARKETPLACES[marketplace_id]),
                "participation": {
                    "isParticipating": True,
                    "hasSuspendedListings": False,
                },
                "storeName": seller.name,
            }
            for marketplace_id in seller.marketplace_ids
        ]
    }
