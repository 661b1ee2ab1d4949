"""18.0.1.4.0: a listing is the offer of a SKU in one marketplace. Listings made before (one per
channel and SKU) become the offer in the channel's first marketplace, and stay linked to their
product; the next listing import adds the other marketplaces."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("ALTER TABLE amazon_listing ADD COLUMN IF NOT EXISTS marketplace_id integer")
    cr.execute(
        """
        UPDATE amazon_listing listing
           SET marketplace_id = (
                   SELECT rel.marketplace_id
                     FROM amazon_channel_marketplace_rel rel
                    WHERE rel.channel_id = listing.channel_id
                 ORDER BY rel.marketplace_id
                    LIMIT 1)
         WHERE listing.marketplace_id IS NULL
        """
    )
    cr.execute(
        """
        UPDATE amazon_listing listing
           SET marketplace_id = (
                   SELECT marketplace.id
                     FROM amazon_marketplace marketplace
                     JOIN amazon_channel channel ON channel.region = marketplace.region
                    WHERE channel.id = listing.channel_id
                 ORDER BY marketplace.id
                    LIMIT 1)
         WHERE listing.marketplace_id IS NULL
        """
    )
