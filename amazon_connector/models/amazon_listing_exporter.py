from collections import defaultdict

from odoo import fields, models

from ..services import errors
from ..services.listings_feed import (
    FEED_MESSAGE_LIMIT,
    JSON_CONTENT_TYPE,
    LISTINGS_FEED,
    ListingChange,
    ListingsReportError,
    fulfilment_of,
    listings_feed,
    parse_listings_report,
    patch_issues,
)

# Sold-out listings sent at once with patchListingsItem (5 calls/s) in a run; the rest wait for
# the feed, whose createFeed allows about one call every two minutes.
DIRECT_LIMIT = 20
# Listings whose Amazon product type is unknown (matched by an order, not imported) looked up
# with getListingsItem in a run.
LOOKUP_LIMIT = 50
# Listings worked out between two reports of a run's progress (and two commits).
PROGRESS_CHUNK = 1000


class AmazonListingExporter(models.AbstractModel):
    """Sends Odoo's stock and prices to Amazon for the listings queued (``to_send``).

    A run first settles the feeds earlier runs left (submitting one whose createFeed was
    interrupted, reading the processing report of one Amazon finished), then works out what
    each queued listing needs: listings already in step are marked accepted without a call;
    sold-out ones go at once through patchListingsItem; the rest go in one JSON_LISTINGS_FEED
    per warehouse and set of marketplaces (normally one per channel), one message per SKU.
    """

    _name = "amazon.listing.exporter"
    _inherit = "amazon.sync.runner"
    _description = "Amazon Stock and Price Export"
    _sync_kind = "listing_export"

    def _interval(self, channel):
        return channel.listing_export_interval or 15

    def _serve_domain(self):
        return [
            *super()._serve_domain(),
            "|",
            ("export_stock", "=", True),
            ("marketplace_setting_ids.pricelist_id", "!=", False),
        ]

    # -- the run --------------------------------------------------------------------------------

    def _pending(self, channel):
        feeds = self.env["amazon.feed"].search(
            [
                ("channel_id", "=", channel.id),
                ("feed_type", "=", LISTINGS_FEED),
                ("amazon_sync_state", "in", ("sending", "waiting")),
            ],
            order="id",
        )
        listings = self._queued(channel)
        return {"feeds": feeds, "listings": listings} if feeds or listings else None

    def _queued(self, channel):
        return self.env["amazon.listing"].search(
            [
                ("channel_id", "=", channel.id),
                ("amazon_sync_state", "=", "to_send"),
                ("product_id", "!=", False),
            ],
            order="sku, id",
        )

    def _process(self, run, work):
        run.options.update(queued=0, direct=0)
        for feed in work["feeds"].filtered(lambda f: f.amazon_sync_state == "sending"):
            self._submit(run, feed)
        for feed in work["feeds"].filtered(lambda f: f.amazon_sync_state == "waiting"):
            self._settle(run, feed)
        # Queued now: settling may have put back the listings of a feed Amazon dropped.
        listings = self._queued(run.channel)
        listings = self._learn_products(run, listings)
        # Progress in listings: each is worked out, then sent (or found in step).
        run.options["progress"] = {"done": 0, "total": 2 * len(listings)}
        groups = []
        for chunk in self._chunks_by_sku(listings):
            changes = chunk._amazon_changes()
            unchanged = chunk.filtered(lambda listing, changes=changes: listing.id not in changes)
            if unchanged:
                unchanged._amazon_sync_set("accepted")
                run.counts["skipped"] += len(unchanged)
            chunk_groups = self._groups(chunk - unchanged, changes, run)
            going = sum(len(group["listings"]) for group in chunk_groups)
            groups += chunk_groups
            # Worked out: the whole chunk; settled already: those in step or refused.
            self._advance(run, 2 * len(chunk) - going)
        direct = [group for group in groups if group["sold_out"]][:DIRECT_LIMIT]
        for group in direct:
            self._patch(run, group)
            self._advance(run, len(group["listings"]))
        batched = defaultdict(list)
        for group in groups:
            if group not in direct:
                batched[(group["warehouse"], group["marketplaces"])].append(group)
        for (_warehouse, marketplaces), bucket in batched.items():
            for start in range(0, len(bucket), FEED_MESSAGE_LIMIT):
                self._send_feed(run, marketplaces, bucket[start : start + FEED_MESSAGE_LIMIT])
        self._commit()

    @staticmethod
    def _chunks_by_sku(listings):
        """The listings (ordered by SKU) in chunks of about PROGRESS_CHUNK, never splitting a
        SKU: its offers make one message."""
        start = 0
        while start < len(listings):
            end = min(start + PROGRESS_CHUNK, len(listings))
            while end < len(listings) and listings[end].sku == listings[end - 1].sku:
                end += 1
            yield listings[start:end]
            start = end

    def _advance(self, run, steps):
        """Count ``steps`` more of the run's work done, on the channel's progress."""
        progress = run.options["progress"]
        progress["done"] = min(progress["done"] + steps, progress["total"])
        self._report_progress(
            run,
            progress["done"],
            progress["total"] - progress["done"],
            listing_export_progress=round(100 * progress["done"] / progress["total"], 1),
        )
        self._commit()

    # The progress shows while a run works: it ends with the run, whatever the outcome (the
    # next run starts again from the listings still queued).

    def _succeeded(self, run):
        run.channel.listing_export_progress = 0

    def _stopped(self, run, schedule, error):
        run.channel.listing_export_progress = 0
        return super()._stopped(run, schedule, error)

    def _paused(self, run, schedule, pause):
        run.channel.listing_export_progress = 0
        return super()._paused(run, schedule, pause)

    def _summary(self, run):
        summary = self.env._(
            "%(sent)s listing update(s) accepted by Amazon, %(failed)s rejected, %(skipped)s "
            "already in step.",
            sent=run.counts["sent"],
            failed=run.counts["failed"],
            skipped=run.counts["skipped"],
        )
        if run.options.get("direct"):
            summary += " " + self.env._(
                "%(count)s sold-out SKU(s) sent at once.", count=run.options["direct"]
            )
        if run.options.get("queued"):
            summary += " " + self.env._(
                "%(count)s SKU(s) sent in a feed Amazon is processing.",
                count=run.options["queued"],
            )
        return summary

    # -- what to send ---------------------------------------------------------------------------

    def _learn_products(self, run, listings):
        """Look up the product type (and fulfilment) of listings Amazon was never asked about,
        e.g. one an order matched by internal reference; returns the listings ready to go."""
        unknown = listings.filtered(lambda listing: not listing.product_type)
        skus = list(dict.fromkeys(unknown.mapped("sku")))[:LOOKUP_LIMIT]
        for sku in skus:
            same = unknown.filtered(lambda listing, sku=sku: listing.sku == sku)
            try:
                item = run.gateway.get_listings_item(
                    run.channel.seller_id,
                    sku,
                    same.marketplace_id.mapped("amazon_id"),
                    ["summaries", "fulfillmentAvailability"],
                )
            except errors.NotFound:
                message = self.env._(
                    "Amazon has no offer for SKU %(sku)s in %(marketplaces)s: create it in "
                    "Seller Central, or archive this listing.",
                    sku=sku,
                    marketplaces=", ".join(same.marketplace_id.mapped("name")),
                )
                same._amazon_sync_set("rejected", message)
                run.log.add_message(message, amazon_ref=sku)
                run.counts["failed"] += len(same)
                continue
            fulfillment, _quantity = fulfilment_of(item.get("fulfillmentAvailability"))
            types = {s["marketplaceId"]: s.get("productType") for s in item.get("summaries", [])}
            for listing in same:
                product_type = types.get(listing.marketplace_id.amazon_id)
                if product_type:
                    listing.write({"product_type": product_type, "fulfillment": fulfillment})
                else:
                    listing._amazon_sync_set(
                        "rejected",
                        self.env._(
                            "Amazon lists SKU %(sku)s, but not in %(marketplace)s.",
                            sku=sku,
                            marketplace=listing.marketplace_id.name,
                        ),
                    )
                    run.counts["failed"] += 1
            self._commit()
        return listings.filtered(
            lambda listing: listing.product_type and listing.amazon_sync_state == "to_send"
        )

    def _groups(self, listings, changes, run):
        """One group per SKU and warehouse: what one message carries.

        A listing whose only change is a refused price is rejected here: nothing is sent.
        """
        by_key = defaultdict(lambda: self.env["amazon.listing"])
        for listing in listings:
            by_key[(listing.sku, listing._amazon_warehouse())] |= listing
        # A message goes to every marketplace that sells the SKU from that warehouse, changed
        # or not: then SKUs listed alike share one feed.
        offered = defaultdict(set)
        for listing in self.env["amazon.listing"].search(
            [("channel_id", "=", run.channel.id), ("sku", "in", listings.mapped("sku"))]
        ):
            offered[(listing.sku, listing._amazon_warehouse())].add(
                listing.marketplace_id.amazon_id
            )
        groups = []
        for (sku, warehouse), members in by_key.items():
            idle = members.filtered(
                lambda m: (
                    changes[m.id].refusal
                    and not changes[m.id].prices
                    and (changes[m.id].quantity is None or not m._amazon_sends_stock())
                )
            )
            for member in idle:  # only a refused price: nothing goes for this offer
                member._amazon_sync_set("rejected", changes[member.id].refusal)
                run.log.add_message(changes[member.id].refusal, amazon_ref=sku)
            run.counts["failed"] += len(idle)
            members -= idle
            if not members:
                continue
            quantity = next(
                (changes[m.id].quantity for m in members if changes[m.id].quantity is not None),
                None,
            )
            prices = tuple(price for m in members for price in changes[m.id].prices)
            groups.append(
                {
                    "listings": members,
                    "warehouse": warehouse,
                    "marketplaces": tuple(sorted(offered[(sku, warehouse)])),
                    "change": ListingChange(sku, members[0].product_type, quantity, prices),
                    "refusals": {m.id: changes[m.id].refusal for m in members},
                    "sold_out": quantity == 0 and any(m.quantity_sent > 0 for m in members),
                }
            )
        return groups

    def _record(self, groups, via, feed=None, first_ref=1):
        """The updates of the groups' listings, about to be sent (state *sending*), in one
        create; in a feed, the groups' messages are numbered from ``first_ref``."""
        values = []
        for message_ref, group in enumerate(groups, start=first_ref):
            change = group["change"]
            for listing in group["listings"]:
                prices = {
                    price.audience: float(price.amount)
                    for price in change.prices
                    if price.marketplace_id == listing.marketplace_id.amazon_id
                }
                values.append(
                    {
                        "listing_id": listing.id,
                        "via": via,
                        "feed_id": feed and feed.id,
                        "message_ref": message_ref if feed else 0,
                        "send_quantity": change.quantity is not None
                        and listing._amazon_sends_stock(),
                        "quantity": change.quantity or 0,
                        "price": prices.get("ALL", 0.0),
                        "business_price": prices.get("B2B", 0.0),
                        "refusal": group["refusals"][listing.id],
                    }
                )
        updates = self.env["amazon.listing.update"].create(values)
        updates.listing_id._amazon_sync_set("sending")
        return updates

    # -- sending --------------------------------------------------------------------------------

    def _patch(self, run, group):
        """An urgent change (sold out) at once, with patchListingsItem."""
        change = group["change"]
        updates = self._record([group], "patch")
        self._commit()
        try:
            answer = run.gateway.patch_listings_item(
                run.channel.seller_id,
                change.sku,
                list(group["marketplaces"]),
                change.product_type,
                change.patches(),
            )
        except errors.BadRequest as error:
            accepted, message = False, self.env["amazon.error"]._describe(error)
        else:
            accepted, issues = patch_issues(answer)
            message = self.env["amazon.error"]._describe_listing_issues(
                [i for i in issues if i.severity == "ERROR"]
            )
        self._settle_updates(run, updates, accepted, message, change.sku)
        run.options["direct"] += 1
        self._commit()

    def _send_feed(self, run, marketplaces, groups):
        document = listings_feed(run.channel.seller_id, [group["change"] for group in groups])
        document_ref = run.gateway.upload_feed_document(document, JSON_CONTENT_TYPE)
        feed = self.env["amazon.feed"].create(
            {"channel_id": run.channel.id, "feed_type": LISTINGS_FEED, "document_ref": document_ref}
        )
        # Recorded (and committed) a chunk at a time, so that its progress shows. A run that
        # dies in between leaves the feed *sending*: the next one submits the uploaded
        # document, whose messages carry every group, and sends the unrecorded ones again.
        for start in range(0, len(groups), PROGRESS_CHUNK):
            chunk = groups[start : start + PROGRESS_CHUNK]
            self._record(chunk, "feed", feed, first_ref=start + 1)
            self._advance(run, sum(len(group["listings"]) for group in chunk))
        run.options["queued"] += len(groups)
        self._submit(run, feed, marketplaces)

    def _submit(self, run, feed, marketplaces=None):
        """createFeed for an uploaded document; one left *sending* by an interrupted run is
        submitted again (setting a quantity or price twice is harmless)."""
        updates = feed.listing_update_ids
        marketplaces = marketplaces or sorted(
            set(updates.listing_id.marketplace_id.mapped("amazon_id"))
        )
        try:
            feed_ref = run.gateway.create_feed(LISTINGS_FEED, feed.document_ref, marketplaces)
        except errors.BadRequest as error:
            message = self.env["amazon.error"]._describe(error)
            feed._amazon_sync_set("rejected", message)
            self._settle_updates(run, updates, False, message)
            self._commit()
            return
        feed.write({"feed_ref": feed_ref, "submitted_date": fields.Datetime.now()})
        feed._amazon_sync_set("waiting")
        updates._amazon_sync_set("waiting")
        sending = updates.listing_id.filtered(
            lambda listing: listing.amazon_sync_state == "sending"
        )
        sending._amazon_sync_set("waiting")
        self._commit()

    def _settle(self, run, feed):
        """Apply Amazon's processing report once Amazon has processed the feed."""
        updates = feed.listing_update_ids.filtered(lambda u: u.amazon_sync_state == "waiting")
        try:
            answer = run.gateway.get_feed(feed.feed_ref)
        except errors.NotFound:
            # Amazon no longer knows the feed (it keeps them 90 days): what it carried goes
            # again rather than waiting for ever.
            answer = {"processingStatus": "CANCELLED"}
        status = answer.get("processingStatus")
        feed.processing_status = status
        if status in ("IN_QUEUE", "IN_PROGRESS"):
            return
        if status == "CANCELLED":
            updates._amazon_sync_set("cancelled")
            updates.listing_id._amazon_sync_set("to_send")
            feed._amazon_sync_set(
                "cancelled",
                self.env._(
                    "Amazon cancelled the feed unprocessed; its listings go in the next one."
                ),
            )
            self._commit()
            return
        report, feed_error = None, None
        if answer.get("resultFeedDocumentId"):
            try:
                report = parse_listings_report(
                    run.gateway.download_feed_document(answer["resultFeedDocumentId"])
                )
            except ListingsReportError as error:
                feed_error = self.env["amazon.error"]._describe(error)
        if report and report.feed_errors:
            feed_error = self.env["amazon.error"]._describe_listing_issues(report.feed_errors)
        if status == "FATAL" and not feed_error:
            feed_error = self.env._("Amazon refused the whole feed.")
        if feed_error or report is None:
            feed_error = feed_error or self.env._("Amazon's processing report is missing.")
            self._settle_updates(run, updates, False, feed_error)
            feed._amazon_sync_set("rejected", feed_error)
            self._commit()
            return
        by_message = defaultdict(lambda: self.env["amazon.listing.update"])
        for update in updates:
            by_message[update.message_ref] |= update
        for message_ref, message_updates in by_message.items():
            issues = report.errors_of(message_ref)
            message = self.env["amazon.error"]._describe_listing_issues(issues)
            self._settle_updates(
                run, message_updates, not issues, message, message_updates.listing_id[:1].sku
            )
        feed._amazon_sync_set(
            "accepted",
            self.env._(
                "%(processed)s message(s) processed, %(accepted)s accepted.",
                processed=report.processed,
                accepted=report.accepted,
            ),
        )
        self._commit()

    def _settle_updates(self, run, updates, accepted, message, sku=None):
        updates._amazon_settle(accepted, False if accepted else message)
        if accepted:
            refused = updates.filtered("refusal")
            run.counts["sent"] += len(updates - refused)
            run.counts["failed"] += len(refused)
            for update in refused:
                run.log.add_message(update.refusal, amazon_ref=update.listing_id.sku)
        else:
            run.counts["failed"] += len(updates)
            run.log.add_message(message, amazon_ref=sku)
