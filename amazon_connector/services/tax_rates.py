"""Standard VAT/GST rates of the marketplaces whose prices include VAT.

Amazon gives no TAX breakdown for consumer orders in these marketplaces: the price the buyer
paid includes VAT at the rate of the marketplace's country. The addon books it as a
price-included tax at this rate (channel option), so the order total stays exactly Amazon's.
Reduced rates (books, food) are not known from the order: sellers of such goods choose the
"no tax" option or correct the tax on the order. Rates as published by the tax authorities
for 2026, in percent.
"""

from decimal import Decimal

STANDARD_VAT_RATES = {
    "AE": "5",
    "AU": "10",
    "BE": "21",
    "DE": "19",
    "EG": "14",
    "ES": "21",
    "FR": "20",
    "GB": "20",
    "IE": "23",
    "IN": "18",
    "IT": "22",
    "JP": "10",
    "NL": "21",
    "PL": "23",
    "SA": "15",
    "SE": "25",
    "SG": "9",
    "TR": "20",
    "ZA": "15",
}


def standard_vat_rate(country_code):
    """The standard rate for a VAT-inclusive marketplace's country, or None (tax-exclusive)."""
    rate = STANDARD_VAT_RATES.get((country_code or "").upper())
    return Decimal(rate) if rate else None
