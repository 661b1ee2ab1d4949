from odoo import fields, models

from ..services.listings_feed import fulfilment_of, offer_prices
from ..services.order_mapper import MappingError, parse_datetime

# What each searchListingsItems item brings: marketplaces and product type, fulfilment and
# merchant quantity, prices.
INCLUDED_DATA = ("summaries", "fulfillmentAvailability", "offers")
# searchListingsItems pages through at most 1,000 results per search: beyond, the import
# searches again from the creation date of the last listing it read.
SEARCH_RESULT_LIMIT = 1000


class AmazonListingImporter(models.AbstractModel):
    """Brings the seller's listings from Amazon: one listing per SKU and marketplace, matched
    to a product by SKU (an existing listing of the SKU, else a product's internal reference,
    else the ASIN when the channel matches by ASIN). Unmatched ones are kept for staff to
    link. What Amazon shows (quantity, prices) is recorded as what Amazon has, so the next
    export only sends what differs.
    """

    _name = "amazon.listing.importer"
    _inherit = "amazon.sync.runner"
    _description = "Amazon Listing Import"
    _sync_kind = "listing_import"

    def _interval(self, channel):
        return 24 * 60

    def _pending(self, channel):
        return {"after": channel.listing_import_resume} if channel.marketplace_ids else None

    def _process(self, run, work):
        channel = run.channel
        marketplaces = {m.amazon_id: m for m in channel.marketplace_ids}
        after, seen = work["after"], set()
        while True:
            criteria = {"sortBy": "createdDate", "sortOrder": "ASC"}
            if after:
                criteria["createdAfter"] = after.strftime("%Y-%m-%dT%H:%M:%SZ")
            token, read, total, last = None, 0, 0, after
            while True:
                items, token, total = run.gateway.search_listings_items(
                    channel.seller_id, list(marketplaces), INCLUDED_DATA, token, **criteria
                )
                fresh = [item for item in items if item["sku"] not in seen]
                seen.update(item["sku"] for item in items)
                self._record(run, fresh, marketplaces)
                read += len(items)
                created = [moment for moment in map(self._created, items) if moment]
                if created:
                    last = max([last, *created]) if last else max(created)
                channel.listing_import_resume = last
                self._commit()
                if not token:
                    break
            if total <= read:
                break
            if not last or last == after:
                # More listings created in one second than a search pages through: say so
                # rather than leave them out silently.
                run.log.add_message(
                    self.env._(
                        "Amazon holds %(total)s listings from %(moment)s on, more than one "
                        "search can page through; the others were not imported. Use Seller "
                        "Central's listings report for them.",
                        total=total,
                        moment=after,
                    ),
                    level="warning",
                )
                break
            after = last
        channel.listing_import_resume = False

    def _summary(self, run):
        return self.env._(
            "%(new)s listing(s) new, %(updated)s updated; %(unmatched)s without a product to "
            "link (filter 'Unmatched').",
            new=run.counts["new"],
            updated=run.counts["updated"],
            unmatched=run.options.get("unmatched", 0),
        )

    @staticmethod
    def _created(item):
        """The listing's creation (its earliest in any marketplace), or None if unreadable."""
        try:
            dates = [parse_datetime(s.get("createdDate")) for s in item.get("summaries", [])]
        except MappingError:
            return None
        dates = [moment for moment in dates if moment]
        return min(dates) if dates else None

    def _record(self, run, items, marketplaces):
        """Create or refresh the listings of one page of items."""
        if not items:
            return
        channel, Listing = run.channel, self.env["amazon.listing"]
        skus = [item["sku"] for item in items]
        existing = Listing.with_context(active_test=False).search(
            [("channel_id", "=", channel.id), ("sku", "in", skus)]
        )
        by_key = {(listing.sku, listing.marketplace_id.amazon_id): listing for listing in existing}
        products = {listing.sku: listing.product_id for listing in existing if listing.product_id}
        by_reference = Listing._amazon_product_by_reference(channel, set(skus) - set(products))
        now = fields.Datetime.now()
        new_values, unmatched = [], set()
        for item in items:
            sku = item["sku"]
            fulfillment, quantity = fulfilment_of(item.get("fulfillmentAvailability"))
            prices = offer_prices(item.get("offers"))
            product = products.get(sku) or by_reference.get(sku)
            for summary in item.get("summaries", []):
                marketplace = marketplaces.get(summary.get("marketplaceId"))
                if not marketplace:
                    continue
                asin = summary.get("asin")
                if not product and asin and channel.match_by_asin:
                    product = Listing._amazon_match(channel, None, asin, marketplace)
                values = {
                    "asin": asin or False,
                    "product_type": summary.get("productType") or False,
                    "fulfillment": fulfillment,
                }
                listing = by_key.get((sku, marketplace.amazon_id))
                if listing:
                    if not listing.product_id and product:
                        values["product_id"] = product.id
                    changed = {k: v for k, v in values.items() if listing[k] != v}
                    if changed:
                        listing.write(
                            {
                                k: (v.id if isinstance(v, models.BaseModel) else v)
                                for k, v in changed.items()
                            }
                        )
                        run.counts["updated"] += 1
                    continue
                price = prices.get((marketplace.amazon_id, "ALL"))
                business_price = prices.get((marketplace.amazon_id, "B2B"))
                new_values.append(
                    {
                        **values,
                        "channel_id": channel.id,
                        "marketplace_id": marketplace.id,
                        "sku": sku,
                        "product_id": product.id if product else False,
                        "quantity_sent": quantity or 0,
                        "quantity_date": now if quantity is not None else False,
                        "price_sent": float(price or 0),
                        "business_price_sent": float(business_price or 0),
                        "price_date": now if price is not None else False,
                        "amazon_sync_state": "to_send" if product else False,
                    }
                )
                if not product:
                    unmatched.add(sku)
        Listing.create(new_values)
        run.counts["new"] += len(new_values)
        run.options["unmatched"] = run.options.get("unmatched", 0) + len(unmatched)
        for sku in sorted(unmatched):
            run.log.add_message(
                self.env._(
                    "No product has SKU %(sku)s as internal reference: link one on the listing.",
                    sku=sku,
                ),
                level="warning",
                amazon_ref=sku,
            )
