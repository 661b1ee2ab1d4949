"""FBA Inventory v1 ``getInventorySummaries``, read for records: which marketplace stands for
each of Amazon's fulfilment networks, and how many units a summary has in Amazon's centres."""

# Amazon's fulfilment networks by country: one pool of stock per network (Pan-European FBA
# shares the European one), so one marketplace per network is asked.
FBA_NETWORKS = {
    **dict.fromkeys(("DE", "FR", "IT", "ES", "GB", "NL", "SE", "PL", "BE", "IE"), "AMAZON_EU"),
    **dict.fromkeys(("US", "CA", "MX"), "AMAZON_NA"),
    "JP": "AMAZON_JP",
}


def network_marketplaces(marketplaces):
    """{network: the first of ``marketplaces`` (country code, marketplace id) in it}."""
    found = {}
    for country_code, marketplace_id in marketplaces:
        network = FBA_NETWORKS.get(country_code)
        if network:
            found.setdefault(network, marketplace_id)
    return found


def units_in_centres(summary):
    """Units the seller owns in Amazon's fulfilment centres: sellable, reserved, being
    researched and unsellable; inbound shipments not received yet are not there."""
    details = summary.get("inventoryDetails")
    if not details:
        return int(summary.get("totalQuantity") or 0)

    def total(name, key):
        return int((details.get(name) or {}).get(key) or 0)

    return (
        int(details.get("fulfillableQuantity") or 0)
        + total("reservedQuantity", "totalReservedQuantity")
        + total("researchingQuantity", "totalResearchingQuantity")
        + total("unfulfillableQuantity", "totalUnfulfillableQuantity")
    )
