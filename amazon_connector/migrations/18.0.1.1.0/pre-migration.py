"""18.0.1.1.0: every record that crosses the wire moves to amazon.sync.mixin's fields and
words (see models/amazon_sync_mixin.py). Renaming the columns keeps each record's state."""

# (table, old column, new column)
RENAMED = [
    ("stock_picking", "amazon_shipment_state", "amazon_sync_state"),
    ("stock_picking", "amazon_shipment_message", "amazon_sync_message"),
    ("stock_picking", "amazon_shipment_date", "amazon_sync_date"),
    ("sale_order", "amazon_cancel_state", "amazon_sync_state"),
    ("sale_order", "amazon_cancel_message", "amazon_sync_message"),
    ("amazon_package", "state", "amazon_sync_state"),
    ("amazon_package", "message", "amazon_sync_message"),
    ("amazon_package", "sent_date", "amazon_sync_date"),
    ("amazon_feed", "state", "amazon_sync_state"),
    ("amazon_feed", "result_summary", "amazon_sync_message"),
    ("amazon_feed", "processed_date", "amazon_sync_date"),
]
# (table, old value, new value)
REWORDED = [
    ("stock_picking", "sent", "accepted"),
    ("sale_order", "sent", "waiting"),
    ("amazon_package", "pending", "to_send"),
    ("amazon_package", "sent", "accepted"),
    ("amazon_feed", "prepared", "sending"),
    ("amazon_feed", "submitted", "waiting"),
    ("amazon_feed", "done", "accepted"),
    ("amazon_feed", "fatal", "rejected"),
]


def migrate(cr, version):
    if not version:
        return
    rename_in_views(cr)
    for table, old, new in RENAMED:
        cr.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
            (table, old),
        )
        if cr.fetchone():
            cr.execute(f'ALTER TABLE "{table}" RENAME COLUMN "{old}" TO "{new}"')
    for table, old, new in REWORDED:
        cr.execute(
            f'UPDATE "{table}" SET amazon_sync_state = %s WHERE amazon_sync_state = %s', (new, old)
        )
    # A feed Amazon cancelled unprocessed was recorded as refused; its orders went again.
    cr.execute(
        "UPDATE amazon_feed SET amazon_sync_state = 'cancelled' "
        "WHERE processing_status = 'CANCELLED'"
    )


def rename_in_views(cr):
    """The addon's views still in the database name the old fields. Views are updated one at a
    time, and each update is checked together with the other views inheriting the same view:
    an old one naming a field that no longer exists fails the upgrade."""
    cr.execute(
        """SELECT res_id FROM ir_model_data
            WHERE module = 'amazon_connector' AND model = 'ir.ui.view'"""
    )
    view_ids = tuple(row[0] for row in cr.fetchall())
    if not view_ids:
        return
    for table, old, new in RENAMED:
        if table not in ("stock_picking", "sale_order"):
            continue
        cr.execute(
            """UPDATE ir_ui_view v
                  SET arch_db = (SELECT jsonb_object_agg(key, replace(value, %s, %s))
                                   FROM jsonb_each_text(v.arch_db))
                WHERE v.id IN %s AND v.arch_db::text LIKE %s""",
            (old, new, view_ids, f"%{old}%"),
        )
