"""Statutory sales-tax rates, and which of them reproduces the tax Amazon charged.

Which country's tax applies to an Amazon sale (docs/money-model.md, "The seller's taxes"):
inside the EU, the country the goods are delivered to (domestic sales and One-Stop-Shop
distance sales alike); anywhere else the marketplace's country. The rates below are the ones
the tax authorities publish for 2026, in percent, standard rate first. They are the only
rates the connector ever books: a line's rate comes from the product (its own tax, mapped by
the order's fiscal position) or the listing, and where Amazon reports the tax it charged, the
statutory rate that reproduces it to the cent.

Canada's rate depends on the province delivered to: GST, HST, or GST plus the provincial
sales tax that Amazon charges with it (QST, PST), booked as one combined rate so that Odoo
rounds the tax once per line, as Amazon does. The United States have no national rate: a sales
tax Amazon reports there is booked at Amazon's amount (see ``order_tax_amount`` users).
"""

from decimal import ROUND_HALF_UP, Decimal

# Marketplaces whose prices exclude tax: sales tax is added at checkout.
TAX_EXCLUSIVE_COUNTRIES = frozenset({"US", "CA"})

EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)

STATUTORY_RATES = {
    # European Union (standard, then reduced rates)
    "AT": ("20", "13", "10"),
    "BE": ("21", "12", "6"),
    "BG": ("20", "9"),
    "CY": ("19", "9", "5"),
    "CZ": ("21", "12"),
    "DE": ("19", "7"),
    "DK": ("25",),
    "EE": ("24", "13", "9"),
    "ES": ("21", "10", "4"),
    "FI": ("25.5", "14", "10"),
    "FR": ("20", "10", "5.5", "2.1"),
    "GR": ("24", "13", "6"),
    "HR": ("25", "13", "5"),
    "HU": ("27", "18", "5"),
    "IE": ("23", "13.5", "9"),
    "IT": ("22", "10", "5", "4"),
    "LT": ("21", "9", "5"),
    "LU": ("17", "14", "8", "3"),
    "LV": ("21", "12", "5"),
    "MT": ("18", "7", "5"),
    "NL": ("21", "9"),
    "PL": ("23", "8", "5"),
    "PT": ("23", "13", "6"),
    "RO": ("21", "11"),
    "SE": ("25", "12", "6"),
    "SI": ("22", "9.5", "5"),
    "SK": ("23", "19", "5"),
    # Other VAT, GST and consumption-tax countries with an Amazon marketplace
    "AE": ("5",),
    "AU": ("10",),
    "BR": ("17",),
    "EG": ("14",),
    "GB": ("20", "5"),
    "IN": ("18", "12", "5", "28"),
    "JP": ("10", "8"),
    "MX": ("16",),
    "SA": ("15",),
    "SG": ("9",),
    "TR": ("20", "10", "1"),
    "ZA": ("15",),
}

# Canada: the combined rate charged in each province (GST 5 %, HST, or GST + PST/QST).
CANADA_RATES = {
    "AB": "5",
    "BC": "12",
    "MB": "12",
    "NB": "15",
    "NL": "15",
    "NS": "14",
    "NT": "5",
    "NU": "5",
    "ON": "13",
    "PE": "15",
    "QC": "14.975",
    "SK": "11",
    "YT": "5",
}
CANADA_TAX_NAMES = {
    "5": "GST 5%",
    "11": "GST + PST 11%",
    "12": "GST + PST 12%",
    "13": "HST 13%",
    "14": "HST 14%",
    "14.975": "GST + QST 14.975%",
    "15": "HST 15%",
}


def tax_country(company_country, ship_to_country, marketplace_country):
    """The country whose tax applies: the ship-to country for a seller established in the EU
    delivering inside the EU (domestic and One-Stop-Shop sales), else the marketplace's."""
    if company_country in EU_COUNTRIES and ship_to_country in EU_COUNTRIES:
        return ship_to_country
    return marketplace_country or ship_to_country


def statutory_rates(country, region=None):
    """The statutory rates of ``country`` (Decimal percentages, the usual one first); in
    Canada the province's combined rate first, then every other province's."""
    if country == "CA":
        usual = CANADA_RATES.get((region or "").upper())
        others = sorted({Decimal(rate) for rate in CANADA_RATES.values()} - {Decimal(usual or 0)})
        return [Decimal(usual), *others] if usual else others
    return [Decimal(rate) for rate in STATUTORY_RATES.get(country, ())]


def is_statutory(country, rate):
    return Decimal(str(rate)).normalize() in {r.normalize() for r in statutory_rates(country)}


def tax_name(country, rate):
    """A plain name for a rate the company had no tax for: "VAT 20% (GB)", "HST 13% (CA)"."""
    label = f"{Decimal(rate).normalize():f}"
    if country == "CA":
        return f"{CANADA_TAX_NAMES.get(label, f'GST/HST {label}%')} (CA)"
    kind = {"JP": "Consumption tax", "AU": "GST", "SG": "GST", "IN": "GST"}.get(country, "VAT")
    return f"{kind} {label}% ({country})"


def charge_tax(base, rate, step):
    """The tax on one charge as Amazon computes it: rounded half up, once per charge."""
    value = (abs(base) * rate / 100).quantize(step, rounding=ROUND_HALF_UP)
    return value if base >= 0 else -value


def reproduces(rate, charges, step):
    """Whether ``rate`` gives back Amazon's tax on every group of charges.

    ``charges`` is a list of (bases, tax): the bases Amazon taxed together in one detail (an
    item's price; both discounts of an item share one DISCOUNT detail) and Amazon's tax on them.
    """
    return all(
        sum((charge_tax(base, rate, step) for base in bases), Decimal(0)) == tax
        for bases, tax in charges
    )


def matching_rate(candidates, charges, step):
    """The first of the ``candidates`` (statutory rates, preferred one first) that reproduces
    Amazon's tax on every charge, or None."""
    for rate in candidates:
        if reproduces(rate, charges, step):
            return rate
    return None
