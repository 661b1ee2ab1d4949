from datetime import timedelta
from urllib.parse import urlencode

from lxml import etree
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval

from ..services import errors
from ..services.gateway import Credentials, SpApiGateway, exchange_authorization_code
from ..services.order_notifications import SqsQueue
from .amazon_expiry_reminder import REMINDER_STAGES
from .amazon_marketplace import REGIONS

CONSENT_PATH = "/apps/authorize/consent"
REAUTHORISE_ACTIVITY = "amazon_connector.mail_activity_type_reauthorise"
# The dashboard's figures: {figure: (its list's action, that list's search view, the filter)}.
# A figure counts what its list shows with that filter and the channel's: the domain is read
# from the filter itself, so the two cannot drift apart.
DASHBOARD_FIGURES = {
    "to_ship": ("action_amazon_sale_orders", "sale_order_view_search_amazon_orders", "to_ship"),
    "due_today": (
        "action_amazon_sale_orders",
        "sale_order_view_search_amazon_orders",
        "due_today",
    ),
    "late": ("action_amazon_sale_orders", "sale_order_view_search_amazon_orders", "late"),
    "at_risk": ("action_amazon_sale_orders", "sale_order_view_search_amazon_orders", "at_risk"),
    "refused_cancellations": (
        "action_amazon_sale_orders",
        "sale_order_view_search_amazon_orders",
        "cancel_rejected",
    ),
    "waiting_stock": (
        "action_amazon_pickings",
        "stock_picking_view_search_amazon_deliveries",
        "waiting_stock",
    ),
    "rejected_shipments": (
        "action_amazon_pickings",
        "stock_picking_view_search_amazon_deliveries",
        "rejected",
    ),
}

MANAGER_GROUP = "amazon_connector.group_amazon_manager"

# What the channel's own scheduled action runs, in this order, each when its turn comes (the
# run template's schedule). One scheduled action per channel: Odoo's cron workers run
# different channels at once, and a slow channel holds only itself.
CHANNEL_RUNNERS = {
    "notifications": "amazon.notification.consumer",
    "order_import": "amazon.order.importer",
    "shipment": "amazon.shipment.exporter",
    "cancellation": "amazon.cancellation.exporter",
    "invoicing": "amazon.order.invoicer",
    "listing_export": "amazon.listing.exporter",
    "listing_import": "amazon.listing.importer",
    "fba_inventory": "amazon.fba.inventory",
}
# Changing one of these subscribes the channel to Amazon's notifications again.
NOTIFICATION_SETUP = {
    "notifications_enabled",
    "sqs_queue_url",
    "aws_access_key_id",
    "aws_secret_access_key",
}
# Kinds that run once a day for every channel, from a scheduled action of their own.
DAILY_CRONS = {"redaction": "amazon_connector.ir_cron_amazon_redact_personal_data"}

# Amazon asks sellers to authorise a public app again every 365 days.
AUTHORISATION_LIFETIME_DAYS = 365

CONNECTION_STATES = [
    ("draft", "Not connected"),
    ("connected", "Connected"),
    ("reauthorize", "Needs reauthorisation"),
    ("error", "Error"),
]


class AmazonChannel(models.Model):
    """One Amazon seller account in one SP-API region, selling on one or more marketplaces."""

    _name = "amazon.channel"
    _inherit = ["amazon.expiry.reminder"]
    _description = "Amazon Channel"
    _order = "sequence, name, id"

    name = fields.Char(
        compute="_compute_name",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        help="Defaults to the store's trading name on Amazon.",
        tracking=True,
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    cron_id = fields.Many2one(
        "ir.cron",
        string="Scheduled Action",
        readonly=True,
        copy=False,
        ondelete="set null",
        groups="base.group_system",
        help="The channel's own scheduled action, which runs its syncs when their turn comes.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    region = fields.Selection(REGIONS, required=True, default="eu", tracking=True)
    seller_id = fields.Char(
        string="Seller ID",
        copy=False,
        help="The merchant token of the seller account (Seller Central > Settings > "
        "Account Info > Merchant Token). Filled in by Connect with Amazon.",
        tracking=True,
    )
    store_name = fields.Char(
        string="Trading Name", readonly=True, help="Store name reported by Amazon."
    )
    refresh_token = fields.Char(
        compute="_compute_refresh_token",
        inverse="_inverse_refresh_token",
        groups=MANAGER_GROUP,
        exportable=False,
        help="Only for a self-authorised app: paste the refresh token Seller Central shows "
        "when you authorise it. Connect with Amazon fills it in by itself. It is stored "
        "encrypted and never shown again.",
    )
    refresh_token_sealed = fields.Char(copy=False, groups="base.group_system", exportable=False)
    has_refresh_token = fields.Boolean(string="Authorised", compute="_compute_has_refresh_token")
    refresh_token_date = fields.Datetime(
        string="Authorised On",
        copy=False,
        readonly=True,
        help="When the seller last authorised the app for this channel.",
    )
    authorisation_expiry_date = fields.Date(
        string="Reauthorise By",
        compute="_compute_authorisation_expiry_date",
        store=True,
        help="Amazon asks sellers to authorise a public app again every 365 days; the "
        "channel's managers are reminded 30 and 7 days before.",
        tracking=True,
    )
    secret_expiry_date = fields.Date(
        string="App Secret Expires On",
        compute="_compute_secret_expiry_date",
        help="The app's LWA client secret must be rotated every 180 days (Sales > "
        "Configuration > Amazon > Amazon App); reminders come 30 and 7 days before.",
    )
    authorisation_reminder = fields.Selection(
        REMINDER_STAGES, copy=False, readonly=True, help="Technical: last reminder sent."
    )
    marketplace_ids = fields.Many2many(
        "amazon.marketplace",
        "amazon_channel_marketplace_rel",
        "channel_id",
        "marketplace_id",
        string="Active Marketplaces",
        domain="[('region', '=', region)]",
        help="Marketplaces whose orders and offers this channel synchronises.",
        tracking=True,
    )
    participating_marketplace_ids = fields.Many2many(
        "amazon.marketplace",
        "amazon_channel_participation_rel",
        "channel_id",
        "marketplace_id",
        string="Available Marketplaces",
        readonly=True,
        help="Marketplaces where Amazon says the seller participates (from Test connection).",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        default=lambda self: self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        ),
        tracking=True,
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True, tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Gets the channel's activities (orders and deliveries to check): a user of the "
        "channel's company.",
        tracking=True,
    )
    state = fields.Selection(
        CONNECTION_STATES,
        string="Connection",
        required=True,
        default="draft",
        copy=False,
        tracking=True,
    )
    last_error = fields.Text(readonly=True, copy=False)
    last_success_date = fields.Datetime(string="Last Successful Call", readonly=True, copy=False)
    api_base_url = fields.Char(
        string="SP-API Base URL",
        groups=MANAGER_GROUP,
        help="Technical: leave empty for Amazon's regional endpoint. Set for the SP-API "
        "emulator (tests, demo) or Amazon's sandbox.",
    )
    lwa_token_url = fields.Char(
        string="LWA Token URL",
        groups=MANAGER_GROUP,
        help="Technical: leave empty for https://api.amazon.com/auth/o2/token.",
    )
    # -- order import ---------------------------------------------------------------------------
    import_orders = fields.Boolean(default=True, tracking=True)
    import_interval = fields.Integer(
        string="Import Every (minutes)",
        default=15,
        help="How often the scheduler imports orders.",
        tracking=True,
    )
    import_progress = fields.Float(
        string="Import Progress (%)",
        readonly=True,
        copy=False,
        help="How far the import that is under way has read Amazon's orders (by time span); "
        "empty once it is done.",
    )
    import_progress_done = fields.Integer(string="Orders Read So Far", readonly=True, copy=False)
    # -- orders within a minute: Amazon's ORDER_CHANGE notifications through an SQS queue --------
    notifications_enabled = fields.Boolean(
        string="Orders from Notifications",
        help="Amazon tells this channel within seconds which orders changed, through an Amazon "
        "SQS queue of yours; each is then imported on its own, within a minute. The periodic "
        "import stays as a safety net, less often.",
        tracking=True,
    )
    sqs_queue_url = fields.Char(
        string="SQS Queue URL",
        groups=MANAGER_GROUP,
        copy=False,
        help="The queue Amazon delivers this channel's notifications to, e.g. "
        "https://sqs.eu-west-1.amazonaws.com/123456789012/amazon-orders. Its access policy must "
        "let Amazon's account 437568002678 send messages. One queue per channel.",
    )
    aws_access_key_id = fields.Char(
        string="AWS Access Key ID",
        groups=MANAGER_GROUP,
        copy=False,
        help="An AWS access key allowed to read and delete the queue's messages.",
    )
    aws_secret_access_key = fields.Char(
        string="AWS Secret Access Key",
        compute="_compute_aws_secret_access_key",
        inverse="_inverse_aws_secret_access_key",
        groups=MANAGER_GROUP,
        exportable=False,
        help="Stored encrypted and never shown again.",
    )
    aws_secret_access_key_sealed = fields.Char(
        copy=False, groups="base.group_system", exportable=False
    )
    has_aws_secret = fields.Boolean(
        string="AWS Secret Set", compute="_compute_has_aws_secret", groups=MANAGER_GROUP
    )
    notification_state = fields.Selection(
        [("waiting", "Waiting for Amazon"), ("accepted", "Subscribed"), ("rejected", "Refused")],
        string="Notifications",
        readonly=True,
        copy=False,
        help="Waiting: the next run subscribes this channel to ORDER_CHANGE. Subscribed: Amazon "
        "sends them. Refused: see the message; the run tries again by itself.",
    )
    notification_message = fields.Char(string="Notifications Message", readonly=True, copy=False)
    notification_destination_ref = fields.Char(
        string="Destination ID", readonly=True, copy=False, groups=MANAGER_GROUP
    )
    notification_subscription_ref = fields.Char(
        string="Subscription ID", readonly=True, copy=False, groups=MANAGER_GROUP
    )
    notification_import_interval = fields.Integer(
        string="Import Every (minutes) with Notifications",
        default=60,
        help="How often the periodic import still runs once notifications arrive: the safety "
        "net for a notification Amazon never sent.",
        tracking=True,
    )
    import_fba = fields.Boolean(
        string="Import Amazon-Fulfilled Orders",
        help="Import FBA orders as done deliveries from the Amazon warehouse, for records and "
        "sales figures. They never touch the stock of your own warehouses.",
        tracking=True,
    )
    fba_warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="FBA Warehouse",
        check_company=True,
        help="Warehouse standing for Amazon's fulfilment centres; created when needed.",
        tracking=True,
    )
    personal_data_access = fields.Boolean(
        help="Request buyer names, e-mails and street addresses from Amazon. The app must hold "
        "Amazon's restricted roles. Without it, orders import with city, postcode and country "
        "only.",
        tracking=True,
    )
    redact_after_delivery_days = fields.Integer(
        string="Redact Personal Data After Delivery (days)",
        default=30,
        help="Amazon's Data Protection Policy keeps buyers' personal data no longer than 30 "
        "days after delivery: this many days after an order's goods left, its buyer's names, "
        "streets, postcodes, phones, e-mails and gift messages are replaced by "
        "'REDACTED (Amazon)'.",
        tracking=True,
    )
    redact_after_import_days = fields.Integer(
        string="Redact Unshipped Orders After (days)",
        default=30,
        help="Orders that never shipped (cancelled, never confirmed) have their buyer's personal "
        "data redacted this many days after they were imported. An order with a delivery still "
        "to ship keeps it until shipped.",
        tracking=True,
    )
    ignore_orders_before = fields.Datetime(
        help="Orders purchased before this moment are never imported (e.g. the ones another "
        "connector already brought in).",
        tracking=True,
    )
    max_order_age_days = fields.Integer(
        string="Maximum Order Age (days)",
        default=30,
        help="Orders purchased longer ago than this are not imported.",
        tracking=True,
    )
    rescan_days = fields.Integer(
        string="Rescan Last (days)",
        default=7,
        help="The daily 'Import missing orders' run looks this far back for orders the "
        "regular import missed.",
        tracking=True,
    )
    included_vat = fields.Selection(
        [
            ("standard", "The product's VAT, included in the price"),
            ("none", "No tax: book the gross amounts"),
        ],
        string="VAT on Gross Prices",
        default="standard",
        required=True,
        help="Amazon gives no tax breakdown for consumer orders in VAT-inclusive marketplaces "
        "(Europe, UK, Japan...): the VAT is extracted from the price at the product's rate in "
        "the country whose tax applies (see the order's fiscal position). Choose 'No tax' only "
        "if the company charges no VAT (e.g. a small business exemption). Taxes Amazon does "
        "report (US/CA sales tax, Business orders) are always booked to Amazon's cents.",
        tracking=True,
    )
    match_by_asin = fields.Boolean(
        string="Match Products by ASIN",
        help="When neither a listing nor a product's internal reference matches the SKU, "
        "try the ASIN against the listings.",
        tracking=True,
    )
    default_carrier_id = fields.Many2one(
        "delivery.carrier",
        help="Carrier for orders whose shipping service has no mapping.",
        tracking=True,
    )
    import_high_water = fields.Datetime(
        string="Imported Up To",
        copy=False,
        help="Every order Amazon changed before this moment has been imported and committed.",
    )
    import_resume_after = fields.Datetime(
        string="Interrupted Import Resumes At",
        copy=False,
        help="Technical: an import that stopped mid-window committed every order Amazon changed "
        "before this moment; the next run reads on from here.",
    )
    last_import_date = fields.Datetime(string="Last Successful Import", readonly=True, copy=False)
    last_rescan_date = fields.Datetime(string="Last Rescan", readonly=True, copy=False)
    rescan_resume_after = fields.Datetime(
        copy=False,
        help="Technical: a rescan that stopped mid-window committed every order Amazon changed "
        "before this moment; it reads on from here.",
    )
    rescan_requested = fields.Boolean(copy=False, help="Technical: someone asked for a rescan.")
    status_mapping_ids = fields.One2many("amazon.status.mapping", "channel_id", copy=True)
    shipping_mapping_ids = fields.One2many(
        "amazon.shipping.mapping", "channel_id", string="Shipping Methods", copy=True
    )
    listing_ids = fields.One2many("amazon.listing", "channel_id", string="Listings")
    # -- stock and prices to Amazon ------------------------------------------------------------
    export_stock = fields.Boolean(
        string="Send Stock to Amazon",
        default=True,
        help="Keep Amazon's quantity of each merchant-fulfilled listing equal to what Odoo can "
        "promise from the warehouse (on hand minus what is already sold), minus the buffer. "
        "Amazon-fulfilled (FBA) stock is never sent.",
        tracking=True,
    )
    stock_buffer = fields.Integer(
        string="Safety Buffer (units)",
        help="Units kept back from Amazon on every listing, so that sales elsewhere in the "
        "minutes before the next export do not oversell.",
        tracking=True,
    )
    business_prices = fields.Boolean(
        string="Sell to Businesses",
        help="Send Amazon Business prices from each marketplace's business pricelist.",
        tracking=True,
    )
    listing_export_interval = fields.Integer(
        string="Send Stock and Prices Every (minutes)",
        default=15,
        help="How often changed quantities and prices go to Amazon in one feed. A listing "
        "that just sold out is sent at once.",
        tracking=True,
    )
    listing_export_progress = fields.Float(
        string="Stock Export Progress (%)",
        readonly=True,
        copy=False,
        help="How far the stock and price export under way has come: listings worked out, "
        "then sent; empty once it ends.",
    )
    marketplace_setting_ids = fields.One2many(
        "amazon.channel.marketplace",
        "channel_id",
        string="Prices and Warehouses per Marketplace",
        copy=True,
    )
    import_fba_inventory = fields.Boolean(
        string="Import FBA Stock",
        help="Bring Amazon's FBA stock of your products into the FBA warehouse, for your "
        "records and stock valuation. Your own warehouses are never touched.",
        tracking=True,
    )
    fba_inventory_interval = fields.Integer(
        string="Import FBA Stock Every (minutes)", default=60, tracking=True
    )
    listing_import_resume = fields.Datetime(
        readonly=True,
        copy=False,
        help="Technical: where an interrupted listing import carries on (creation date of the "
        "last listing it recorded).",
    )
    # -- invoicing ------------------------------------------------------------------------------
    invoice_orders = fields.Boolean(
        string="Invoice Orders When Delivered",
        help="Post the customer invoice of each order once it is delivered (merchant-fulfilled: "
        "when its deliveries are done; Amazon-fulfilled: when it is imported), dated as on "
        "Amazon and registered as paid by Amazon. Delivered orders not invoiced yet, earlier "
        "ones included, are invoiced when this is switched on. An invoiced order cancelled on "
        "Amazon or in Odoo gets a credit note, refunded by Amazon.",
        tracking=True,
    )
    invoice_journal_id = fields.Many2one(
        "account.journal",
        string="Sales Journal",
        check_company=True,
        domain="[('type', '=', 'sale'), ('company_id', '=', company_id)]",
        help="Journal of the invoices of this channel's orders, automatic or made by hand; "
        "empty: the company's default sales journal.",
        tracking=True,
    )
    payment_journal_id = fields.Many2one(
        "account.journal",
        string="Amazon Payments Journal",
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
        help="Bank or cash journal where the payments Amazon makes for the invoices (and the "
        "refunds of credit notes) are registered, e.g. a journal 'Amazon' for the seller's "
        "Amazon balance.",
        tracking=True,
    )
    # -- shipments and cancellations to Amazon -------------------------------------------------
    shipment_auto_send = fields.Boolean(
        string="Mark as Shipped on Amazon Automatically",
        default=True,
        help="Validated deliveries are confirmed to Amazon by the scheduler. When off, staff "
        "send each one with 'Send to Amazon'.",
        tracking=True,
    )
    shipment_require_tracking = fields.Boolean(
        string="Block Validation Without Carrier and Tracking",
        help="Refuse to validate an Amazon delivery that has no carrier, a carrier without an "
        "Amazon carrier code, or no tracking number. When off, validation only warns.",
        tracking=True,
    )
    prime_priority = fields.Boolean(
        string="Prime Deliveries First",
        default=True,
        help="Star the deliveries of Prime and Premium-shipping orders (Odoo's priority), so "
        "that the warehouse picks them first.",
        tracking=True,
    )
    export_interval = fields.Integer(
        string="Send to Amazon Every (minutes)",
        default=5,
        help="How often shipments and cancellations are sent to Amazon.",
        tracking=True,
    )
    ship_from_supply_source_id = fields.Char(
        string="Ship-From Supply Source ID",
        help="Optional: Amazon's id of the address you ship from (Seller Central supply "
        "sources), sent with every shipment confirmation.",
        tracking=True,
    )
    cancel_on_amazon = fields.Boolean(
        string="Send Cancellations to Amazon",
        default=True,
        help="Cancelling an unshipped merchant-fulfilled order in Odoo cancels it on Amazon, "
        "with a reason chosen by the user.",
        tracking=True,
    )
    carrier_mapping_ids = fields.One2many(
        "amazon.carrier.mapping", "channel_id", string="Carriers", copy=True
    )
    unmapped_carrier_ids = fields.Many2many(
        "delivery.carrier",
        string="Carriers Without Amazon Code",
        compute="_compute_unmapped_carrier_ids",
        help="Carriers this channel's orders use that Amazon would not recognise yet.",
    )
    sync_log_ids = fields.One2many("amazon.sync.log", "channel_id", string="Sync Logs")
    sync_schedule_ids = fields.One2many(
        "amazon.sync.schedule", "channel_id", string="Run Schedules", readonly=True
    )
    sync_retry_note = fields.Text(
        string="Runs Waiting to Retry",
        compute="_compute_sync_retry_note",
        help="Runs that failed and when the scheduler tries them again, by itself.",
    )
    sync_log_count = fields.Integer(compute="_compute_sync_log_count")
    import_preview = fields.Text(
        string="What the Import Will Do",
        compute="_compute_import_preview",
        help="What the channel does with Amazon's orders, status by status, as the status "
        "mapping and the options say now.",
    )
    order_count = fields.Integer(string="Number of Orders", compute="_compute_record_counts")
    delivery_count = fields.Integer(string="Number of Deliveries", compute="_compute_record_counts")
    listing_count = fields.Integer(string="Number of Listings", compute="_compute_record_counts")
    # The dashboard (one card per channel): see DASHBOARD_FIGURES.
    dashboard_to_ship = fields.Integer(string="To Ship", compute="_compute_dashboard")
    dashboard_due_today = fields.Integer(string="Due Today", compute="_compute_dashboard")
    dashboard_late = fields.Integer(string="Late", compute="_compute_dashboard")
    dashboard_at_risk = fields.Integer(string="At Risk", compute="_compute_dashboard")
    dashboard_refused_cancellations = fields.Integer(
        string="Cancellations Refused", compute="_compute_dashboard"
    )
    dashboard_waiting_stock = fields.Integer(
        string="Waiting for Stock", compute="_compute_dashboard"
    )
    dashboard_rejected_shipments = fields.Integer(
        string="Shipments Rejected", compute="_compute_dashboard"
    )
    dashboard_last_shipment_date = fields.Datetime(
        string="Last Shipments Sent", compute="_compute_dashboard"
    )
    dashboard_last_stock_date = fields.Datetime(
        string="Last Stock and Prices Sent", compute="_compute_dashboard"
    )
    next_run_date = fields.Datetime(
        string="Next Run", related="cron_id.nextcall", related_sudo=True, readonly=True
    )

    _sql_constraints = [
        (
            "seller_region_company_uniq",
            "unique(seller_id, region, company_id)",
            "There is already a channel for this seller account and region.",
        ),
        (
            "sqs_queue_url_uniq",
            "unique(sqs_queue_url)",
            "Another channel already reads this SQS queue: give each channel a queue of its own.",
        ),
    ]

    @api.constrains("invoice_orders", "payment_journal_id")
    def _check_payment_journal(self):
        for channel in self.filtered(lambda c: c.invoice_orders and not c.payment_journal_id):
            raise ValidationError(
                self.env._(
                    "Channel %(channel)s invoices its orders: choose the journal where Amazon's "
                    "payments are registered (Amazon Payments Journal).",
                    channel=channel.name,
                )
            )

    @api.constrains("redact_after_delivery_days", "redact_after_import_days")
    def _check_redaction_delays(self):
        for channel in self:
            if channel.redact_after_delivery_days < 0 or channel.redact_after_import_days < 0:
                raise ValidationError(
                    self.env._(
                        "Channel %(channel)s: the days before personal data is redacted can't be "
                        "negative (0 redacts at the next daily run).",
                        channel=channel.name,
                    )
                )

    @api.depends("store_name", "seller_id")
    def _compute_name(self):
        for channel in self:
            if not channel.name:
                channel.name = channel.store_name or (
                    channel.seller_id and self.env._("Amazon %(seller)s", seller=channel.seller_id)
                )

    @api.depends(
        "carrier_mapping_ids.carrier_id", "shipping_mapping_ids.carrier_id", "default_carrier_id"
    )
    def _compute_unmapped_carrier_ids(self):
        for channel in self:
            in_use = channel.shipping_mapping_ids.carrier_id | channel.default_carrier_id
            if channel.id:
                in_use |= (
                    self.env["stock.picking"]
                    .search(
                        [
                            ("amazon_channel_id", "=", channel.id),
                            ("carrier_id", "!=", False),
                            ("amazon_sync_state", "in", (False, "to_send", "rejected")),
                            ("state", "!=", "cancel"),
                        ]
                    )
                    .carrier_id
                )
            mapped = channel.carrier_mapping_ids.filtered(lambda m: not m.marketplace_id)
            channel.unmapped_carrier_ids = in_use - mapped.carrier_id

    @api.depends("sync_schedule_ids.retry_at", "sync_schedule_ids.failures")
    def _compute_sync_retry_note(self):
        for channel in self:
            channel.sync_retry_note = channel.sync_schedule_ids._retry_note() or False

    def _compute_sync_log_count(self):
        counts = dict(
            self.env["amazon.sync.log"]._read_group(
                [("channel_id", "in", self.ids)], ["channel_id"], ["__count"]
            )
        )
        for channel in self:
            channel.sync_log_count = counts.get(channel, 0)

    @api.depends("status_mapping_ids.action", "import_orders", "import_fba", "ignore_orders_before")
    def _compute_import_preview(self):
        mapping = self.env["amazon.status.mapping"]
        statuses = dict(mapping._fields["fulfillment_status"]._description_selection(self.env))
        actions = dict(mapping._fields["action"]._description_selection(self.env))
        fulfilment = dict(mapping._fields["fulfilled_by"]._description_selection(self.env))
        for channel in self:
            if not channel.import_orders:
                channel.import_preview = self.env._("Orders are not imported.")
                continue
            lines = []
            for row in channel.status_mapping_ids:
                if row.fulfilled_by == "AMAZON" and not channel.import_fba:
                    outcome = self.env._("not imported (Amazon-fulfilled orders are off)")
                elif row.action == "skip":
                    outcome = self.env._("not imported")
                else:
                    outcome = actions[row.action]
                lines.append(
                    f"{fulfilment[row.fulfilled_by]}, {statuses[row.fulfillment_status]}: {outcome}"
                )
            if channel.ignore_orders_before:
                lines.append(
                    self.env._(
                        "Orders bought before %(moment)s are left out.",
                        moment=fields.Datetime.to_string(channel.ignore_orders_before),
                    )
                )
            channel.import_preview = "\n".join(lines)

    def _compute_record_counts(self):
        for field, model, key, domain in (
            ("order_count", "sale.order", "amazon_channel_id", []),
            (
                "delivery_count",
                "stock.picking",
                "amazon_channel_id",
                [("picking_type_code", "=", "outgoing")],
            ),
            ("listing_count", "amazon.listing", "channel_id", []),
        ):
            counts = dict(
                self.env[model]._read_group([*domain, (key, "in", self.ids)], [key], ["__count"])
            )
            for channel in self:
                channel[field] = counts.get(channel, 0)

    def _action_for_channel(self, action_ref, **context):
        """One of the connector's lists, showing this channel's records."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(f"amazon_connector.{action_ref}")
        action["context"] = {"create": False, **context}
        return action

    def action_view_orders(self):
        return self._action_for_channel(
            "action_amazon_sale_orders", search_default_amazon_channel_id=self.id
        )

    def action_view_deliveries(self):
        return self._action_for_channel(
            "action_amazon_pickings", search_default_amazon_channel_id=self.id
        )

    def action_view_listings(self):
        action = self._action_for_channel("action_amazon_listing")
        action["domain"] = [("channel_id", "=", self.id)]
        action["context"]["default_channel_id"] = self.id
        action["context"].pop("create")
        return action

    def _compute_dashboard(self):
        for figure in DASHBOARD_FIGURES:
            model, domain = self._dashboard_domain(figure)
            counts = dict(
                self.env[model]._read_group(
                    [*domain, ("amazon_channel_id", "in", self.ids)],
                    ["amazon_channel_id"],
                    ["__count"],
                )
            )
            for channel in self:
                channel[f"dashboard_{figure}"] = counts.get(channel, 0)
        for channel in self:
            last_success = {s.kind: s.last_success for s in channel.sudo().sync_schedule_ids}
            channel.dashboard_last_shipment_date = last_success.get("shipment", False)
            channel.dashboard_last_stock_date = last_success.get("listing_export", False)

    @api.model
    def _dashboard_domain(self, figure):
        """(model, domain) of a dashboard figure: its list's domain and filter."""
        action_ref, view_ref, filter_name = DASHBOARD_FIGURES[figure]
        action = self.env.ref(f"amazon_connector.{action_ref}").sudo()
        view = self.env.ref(f"amazon_connector.{view_ref}").sudo()
        (node,) = etree.fromstring(view.arch).xpath(f"//filter[@name='{filter_name}']")
        scope = {
            "context_today": lambda: fields.Date.context_today(self),
            "datetime": safe_datetime,
        }
        domain = safe_eval(action.domain or "[]", scope) + safe_eval(node.get("domain"), scope)
        return action.res_model, domain

    def action_open_channel(self):
        """The channel's form, from its dashboard card."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "amazon.channel",
            "res_id": self.id,
            "views": [(False, "form")],
        }

    def action_dashboard_open(self):
        """Open the list behind a dashboard figure (context ``dashboard_figure``), with its
        filter and this channel's."""
        action_ref, _view, filter_name = DASHBOARD_FIGURES[self.env.context["dashboard_figure"]]
        return self._action_for_channel(
            action_ref,
            **{f"search_default_{filter_name}": 1, "search_default_amazon_channel_id": self.id},
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("refresh_token") and "refresh_token_date" not in vals:
                vals["refresh_token_date"] = fields.Datetime.now()
        channels = super().create(vals_list)
        mappings = self.env["amazon.status.mapping"]
        for channel in channels.filtered(lambda c: not c.status_mapping_ids):
            mappings.create(mappings._default_values(channel))
        channels._ensure_cron()
        return channels

    def write(self, vals):
        if vals.get("refresh_token"):
            # A new authorisation: whatever failed before has to be tested again, and the
            # old one's reminders and to-dos are done with.
            vals = dict(
                {
                    "refresh_token_date": fields.Datetime.now(),
                    "state": "draft",
                    "authorisation_reminder": False,
                },
                **vals,
            )
        if NOTIFICATION_SETUP.intersection(vals):
            # Another queue or key: subscribe again (the next run does it).
            vals = dict(
                vals,
                notification_state="waiting",
                notification_message=False,
                notification_destination_ref=False,
                notification_subscription_ref=False,
            )
        result = super().write(vals)
        if "active" in vals or "name" in vals:
            self._ensure_cron()
        if vals.get("refresh_token"):
            self.activity_feedback([REAUTHORISE_ACTIVITY])
        if "personal_data_access" in vals and not vals["personal_data_access"]:
            # What the channel held is purged by the redaction run, now rather than tonight.
            self._request_run("redaction")
        return result

    def _compute_aws_secret_access_key(self):
        self.aws_secret_access_key = False

    def _inverse_aws_secret_access_key(self):
        vault = self.env["amazon.credential.vault"]
        for channel in self:
            channel.sudo().aws_secret_access_key_sealed = vault._seal(
                (channel.aws_secret_access_key or "").strip()
            )
        self.invalidate_recordset(["aws_secret_access_key"])

    @api.depends("aws_secret_access_key_sealed")
    def _compute_has_aws_secret(self):
        for channel in self:
            channel.has_aws_secret = bool(channel.sudo().aws_secret_access_key_sealed)

    def _sqs_queue(self):
        """The channel's notification queue, opened with its AWS key."""
        self.ensure_one()
        secret = self.sudo()
        return SqsQueue(
            secret.sqs_queue_url,
            secret.aws_access_key_id or "",
            self.env["amazon.credential.vault"]._open(secret.aws_secret_access_key_sealed),
        )

    def _notifications_flow(self):
        self.ensure_one()
        return self.notifications_enabled and self.notification_state == "accepted"

    def _compute_refresh_token(self):
        self.refresh_token = False

    def _inverse_refresh_token(self):
        vault = self.env["amazon.credential.vault"]
        for channel in self:
            channel.sudo().refresh_token_sealed = vault._seal((channel.refresh_token or "").strip())
        # What was typed must not stay readable in this transaction's cache either.
        self.invalidate_recordset(["refresh_token"])

    @api.depends("refresh_token_sealed")
    def _compute_has_refresh_token(self):
        for channel in self:
            channel.has_refresh_token = bool(channel.sudo().refresh_token_sealed)

    @api.depends("refresh_token_date")
    def _compute_authorisation_expiry_date(self):
        for channel in self:
            channel.authorisation_expiry_date = channel.refresh_token_date and (
                channel.refresh_token_date.date() + timedelta(days=AUTHORISATION_LIFETIME_DAYS)
            )

    def _compute_secret_expiry_date(self):
        self.secret_expiry_date = self.env["amazon.app"]._get().secret_expiry_date

    # -- SP-API access ------------------------------------------------------------------------

    def _get_gateway(self, marketplace=None, **options):
        """The SP-API gateway of this channel; credentials are opened with sudo, never shown.

        ``options`` go to :class:`SpApiGateway` (``max_retries``, ``sleep``...). The first
        retry delay after a transient failure can be tuned with the system parameter
        ``amazon_connector.retry_delay`` (seconds, doubled at each retry). Raises
        ``CredentialsUnavailable`` when the encryption key cannot open the credentials.
        """
        self.ensure_one()
        options.setdefault(
            "retry_delay",
            float(
                self.env["ir.config_parameter"]
                .sudo()
                .get_param("amazon_connector.retry_delay", "2")
            ),
        )
        marketplace = marketplace or self.marketplace_ids[:1]
        default_marketplace = (
            marketplace.amazon_id
            or self.env["amazon.marketplace"]
            .search([("region", "=", self.region)], limit=1)
            .amazon_id
        )
        return SpApiGateway(
            seller_key=f"{self.region}:{self.seller_id}",
            credentials=self._credentials(),
            region=self.region,
            default_marketplace_id=default_marketplace,
            base_url=self.sudo().api_base_url or None,
            lwa_url=self.sudo().lwa_token_url or None,
            limiter=self.env["amazon.rate.budget"]._limiter(),
            **options,
        )

    def _credentials(self, with_refresh_token=True):
        app = self.env["amazon.app"]._get()
        secret = self.sudo()
        return Credentials(
            app.lwa_client_id or "",
            app._client_secret(),
            self.env["amazon.credential.vault"]._open(secret.refresh_token_sealed)
            if with_refresh_token
            else "",
        )

    def _record_api_success(self):
        """Amazon answered: the channel is connected. Written only when something changes
        (or once a minute), so that runs on several workers do not all update its row."""
        now = fields.Datetime.now()
        for channel in self:
            if (
                channel.state != "connected"
                or channel.last_error
                or not channel.last_success_date
                or now - channel.last_success_date > timedelta(minutes=1)
            ):
                channel.write({"state": "connected", "last_error": False, "last_success_date": now})

    def _record_api_failure(self, error, message):
        """Keep Amazon's verdict on the channel; revoked authorisation needs a person."""
        if isinstance(error, errors.AuthorizationRevoked):
            state = "reauthorize"
            self._warn_reauthorisation(message)
        elif isinstance(error, (errors.TransientError, errors.Throttled)):
            state = self.state if self.state == "connected" else "error"
        else:
            state = "error"
        self.write({"state": state, "last_error": message})

    def _sync_schedule(self, kind):
        """This channel's schedule row for runs of ``kind`` (created on first use)."""
        self.ensure_one()
        schedule = self.sync_schedule_ids.filtered(lambda s: s.kind == kind)
        return schedule or self.env["amazon.sync.schedule"].create(
            {"channel_id": self.id, "kind": kind}
        )

    def action_test_connection(self):
        """Exchange the refresh token at LWA and read the seller's marketplace participations."""
        self.ensure_one()
        missing = self._missing_credentials()
        if missing:
            message = self.env._("Fill in %(fields)s first.", fields=", ".join(missing))
            self.write({"state": "error", "last_error": message})
            return self._notify(message, "danger")
        log = self.env["amazon.connection.check"]._run(self)
        if not log:
            return self._notify(self.env._("A connection test is already running."), "warning")
        return self._notify(log.summary, "success" if log.state == "done" else "danger")

    def _missing_credentials(self):
        app = self.env["amazon.app"]._get()
        missing = {
            self.env._("Seller ID"): self.seller_id,
            self.env._("the app's LWA Client ID"): app.lwa_client_id,
            self.env._("the app's LWA Client Secret"): app.has_client_secret,
            self.env._("Refresh Token (or Connect with Amazon)"): self.has_refresh_token,
        }
        return [label for label, present in missing.items() if not present]

    # -- Connect with Amazon (website authorization workflow) ---------------------------------

    def action_connect(self):
        """Send the admin to Seller Central's consent page; Amazon comes back to the callback."""
        self.ensure_one()
        consent = self._consent_url_base()
        _request, state = self.env["amazon.connect.request"]._issue(
            self, "user", user=self.env.user
        )
        return {"type": "ir.actions.act_url", "url": consent(state), "target": "self"}

    def action_copy_connect_link(self):
        """A link for a seller without an Odoo login to authorise the app for this channel."""
        self.ensure_one()
        self._consent_url_base()  # refuse at once what the seller could not complete
        _request, token = self.env["amazon.connect.request"]._issue(self, "link")
        base_url = self.get_base_url().rstrip("/")
        wizard = self.env["amazon.connect.link"].create(
            {"channel_id": self.id, "link": f"{base_url}/amazon_connector/connect/{token}"}
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "amazon.connect.link",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def _consent_url_base(self):
        """A function giving the consent page's URL for a state; refuses what is missing."""
        app = self.env["amazon.app"]._get()
        if not (app.application_id and app.lwa_client_id and app.has_client_secret):
            raise UserError(
                self.env._(
                    "Set the app's Application ID, LWA Client ID and Client Secret first "
                    "(Sales > Configuration > Amazon > Amazon App)."
                )
            )
        self.env["amazon.credential.vault"]._box_or_refusal()
        marketplace = self._home_marketplace()
        params = {"application_id": app.application_id, "redirect_uri": app.redirect_uri}
        if app.draft:
            params["version"] = "beta"
        consent = marketplace.seller_central_url.rstrip("/") + CONSENT_PATH

        def consent_url(state):
            return f"{consent}?{urlencode(dict(params, state=state))}"

        return consent_url

    def _home_marketplace(self):
        """The marketplace whose Seller Central the seller signs in to."""
        in_region = self.env["amazon.marketplace"].search([("region", "=", self.region)])
        return (
            self.marketplace_ids[:1]
            or in_region.filtered(lambda m: m.country_id == self.company_id.country_id)[:1]
            or in_region[:1]
        )

    def _authorise_with_code(self, code, seller):
        """Exchange Amazon's authorisation code for this channel's refresh token, keep it and
        test the connection; returns an error message, or None when authorised."""
        self.ensure_one()
        twin = self.search(
            [
                ("id", "!=", self.id),
                ("seller_id", "=", seller),
                ("region", "=", self.region),
                ("company_id", "=", self.company_id.id),
            ],
            limit=1,
        )
        if twin:
            return self.env._(
                "Seller %(seller)s is already connected as channel %(channel)s: reconnect that "
                "channel instead.",
                seller=seller,
                channel=twin.name,
            )
        try:
            refresh_token = exchange_authorization_code(
                code,
                self._credentials(with_refresh_token=False),
                lwa_url=self.sudo().lwa_token_url or None,
            )
        except (errors.AmazonError, errors.CredentialsUnavailable) as error:
            return self.env["amazon.error"]._describe(error)
        self.write({"seller_id": seller, "refresh_token": refresh_token, "last_error": False})
        self.env["amazon.connection.check"]._run(self)
        return None

    # -- reminders before an authorisation or the app's secret expires ------------------------

    @api.model
    def _cron_expiry_reminders(self):
        today = fields.Date.context_today(self)
        for channel in self.search([("authorisation_expiry_date", "!=", False)]):
            channel._remind_expiry(
                "authorisation_reminder",
                channel.authorisation_expiry_date,
                today,
                REAUTHORISE_ACTIVITY,
                self.env._("Reauthorise the Amazon app for %(channel)s", channel=channel.name),
                self.env._(
                    "Amazon stops accepting channel %(channel)s's authorisation on %(date)s "
                    "(sellers authorise a public app again every 365 days). Before then, press "
                    "Connect with Amazon on the channel (or send the seller a connect link); "
                    "everything set up on the channel is kept.",
                    channel=channel.name,
                    date=channel.authorisation_expiry_date,
                ),
            )
        self.env["amazon.app"]._get()._remind_secret_expiry(today)

    def _apply_participations(self, participations):
        """Store the marketplaces Amazon offers; preselect them when none is active yet."""
        ids = [
            entry.get("marketplace", {}).get("id")
            for entry in participations
            if entry.get("participation", {}).get("isParticipating", True)
        ]
        marketplaces = self.env["amazon.marketplace"].search([("amazon_id", "in", ids)])
        store_name = next((e.get("storeName") for e in participations if e.get("storeName")), False)
        values = {"participating_marketplace_ids": [fields.Command.set(marketplaces.ids)]}
        if store_name:
            values["store_name"] = store_name
        if not self.marketplace_ids:
            in_region = marketplaces.filtered(lambda m: m.region == self.region)
            values["marketplace_ids"] = [fields.Command.set(in_region.ids)]
        self.write(values)
        return marketplaces

    def _notify(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Amazon connection"),
                "message": message,
                "type": kind,
                "sticky": kind == "danger",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_view_sync_logs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_connector.action_amazon_sync_log"
        )
        action["domain"] = [("channel_id", "=", self.id)]
        action["context"] = {"default_channel_id": self.id}
        return action

    # -- order import ---------------------------------------------------------------------------

    def _status_action(self, status, fulfilled_by):
        self.ensure_one()
        mapping = self.status_mapping_ids.filtered(
            lambda m: m.fulfillment_status == status and m.fulfilled_by == fulfilled_by
        )[:1]
        return mapping.action or "skip"

    def _warn_reauthorisation(self, message):
        """Revoked authorisation: tell the admin on the channel, once."""
        activity_type = self.env.ref(REAUTHORISE_ACTIVITY)
        if self.activity_ids.filtered(lambda a: a.activity_type_id == activity_type):
            return
        self.activity_schedule(
            REAUTHORISE_ACTIVITY,
            summary=self.env._("Reauthorise the Amazon app"),
            note=message,
            user_id=self._reminder_owner(self._reminder_recipients()).id,
        )

    def action_import_now(self):
        """Ask the scheduler to import this channel at once (never inside this request)."""
        self.check_access("write")  # the run itself is asked for as superuser
        self._request_run("order_import")
        return self._notify(
            self.env._("The import has started; its result appears in the sync logs."), "info"
        )

    def action_rescan_now(self):
        self.ensure_one()
        self.check_access("write")
        self.rescan_requested = True
        self._wake("order_import")
        return self._notify(self.env._("The rescan of missing orders has started."), "info")

    def _marketplace_settings(self, marketplace):
        """The channel's set-up for one marketplace (empty when it has none)."""
        self.ensure_one()
        return self.marketplace_setting_ids.filtered(lambda s: s.marketplace_id == marketplace)[:1]

    def action_import_listings(self):
        self.check_access("write")
        self._request_run("listing_import")
        return self._notify(
            self.env._("The listing import has started; its result appears in the sync logs."),
            "info",
        )

    def action_export_listings(self):
        """Send every listing's stock and price that differs from Amazon's, at once."""
        self.check_access("write")
        self.env["amazon.listing"].search(
            [("channel_id", "in", self.ids), ("amazon_sync_state", "!=", "to_send")]
        )._amazon_mark_to_send()
        self._request_run("listing_export")
        return self._notify(
            self.env._("Stock and prices are being sent; the result appears in the sync logs."),
            "info",
        )

    def action_import_fba_inventory(self):
        self.check_access("write")
        self._request_run("fba_inventory")
        return self._notify(
            self.env._("The FBA stock import has started; its result appears in the sync logs."),
            "info",
        )

    def _request_run(self, kind):
        """Mark a run of ``kind`` as asked for and wake the scheduled action that runs it."""
        for channel in self:
            schedule = channel.sudo()._sync_schedule(kind)
            if not schedule.requested:  # several workers may ask at once: one write is enough
                schedule.requested = True
        self._wake(kind)

    def _wake(self, kind):
        """Wake the scheduled action that runs ``kind`` for these channels, now."""
        if kind in DAILY_CRONS:
            self.env.ref(DAILY_CRONS[kind]).sudo()._trigger()
        else:
            self.sudo().cron_id._trigger()

    # -- the channel's scheduled action -----------------------------------------------------------

    def _ensure_cron(self):
        """Give each channel its scheduled action, active while the channel is."""
        model_id = self.env["ir.model"]._get_id("amazon.channel")
        for channel in self.sudo():
            values = {
                "name": self.env._("Amazon: %(channel)s", channel=channel.name),
                "active": channel.active,
            }
            if channel.cron_id:
                channel.cron_id.write(values)
                continue
            channel.cron_id = self.env["ir.cron"].create(
                {
                    **values,
                    "model_id": model_id,
                    "state": "code",
                    "code": f"model._cron_run_channel({channel.id})",
                    "interval_number": 1,
                    "interval_type": "minutes",
                    "user_id": self.env.ref("base.user_root").id,
                }
            )

    @api.model
    def _cron_run_channel(self, channel_id):
        """The channel's scheduled action: each capability whose turn it is, one after the
        other, committing as they go (see the run template)."""
        channel = self.browse(channel_id).exists()
        if not channel:
            return
        for model in CHANNEL_RUNNERS.values():
            self.env[model]._cron(channels=channel)

    def unlink(self):
        crons = self.sudo().cron_id
        result = super().unlink()
        crons.unlink()
        return result
