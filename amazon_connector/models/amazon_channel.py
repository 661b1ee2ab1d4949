from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..services import errors
from ..services.gateway import Credentials, SpApiGateway
from ..services.rate_limiter import RateLimiter
from .amazon_marketplace import REGIONS

MANAGER_GROUP = "amazon_connector.group_amazon_manager"

# One set of buckets per Odoo process: every channel of the same seller shares them.
RATE_LIMITER = RateLimiter()

CONNECTION_STATES = [
    ("draft", "Not connected"),
    ("connected", "Connected"),
    ("reauthorize", "Needs reauthorisation"),
    ("error", "Error"),
]


class AmazonChannel(models.Model):
    """One Amazon seller account in one SP-API region, selling on one or more marketplaces."""

    _name = "amazon.channel"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Amazon Channel"
    _order = "sequence, name, id"

    name = fields.Char(
        compute="_compute_name",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        help="Defaults to the store's trading name on Amazon.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    region = fields.Selection(REGIONS, required=True, default="eu")
    seller_id = fields.Char(
        string="Seller ID",
        required=True,
        help="The merchant token of the seller account (Seller Central > Settings > "
        "Account Info > Merchant Token).",
    )
    store_name = fields.Char(
        string="Trading Name", readonly=True, help="Store name reported by Amazon."
    )
    lwa_client_id = fields.Char(string="LWA Client ID", groups=MANAGER_GROUP)
    lwa_client_secret = fields.Char(string="LWA Client Secret", groups=MANAGER_GROUP, copy=False)
    refresh_token = fields.Char(groups=MANAGER_GROUP, copy=False)
    refresh_token_date = fields.Datetime(
        string="Authorised On",
        copy=False,
        help="When the refresh token was issued. Amazon asks sellers to reauthorise "
        "applications every year.",
    )
    marketplace_ids = fields.Many2many(
        "amazon.marketplace",
        "amazon_channel_marketplace_rel",
        "channel_id",
        "marketplace_id",
        string="Active Marketplaces",
        domain="[('region', '=', region)]",
        help="Marketplaces whose orders and offers this channel synchronises.",
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
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Gets the channel's activities (orders and deliveries to check): a user of the "
        "channel's company.",
    )
    state = fields.Selection(
        CONNECTION_STATES, string="Connection", required=True, default="draft", copy=False
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
    import_orders = fields.Boolean(default=True)
    import_interval = fields.Integer(
        string="Import Every (minutes)", default=15, help="How often the scheduler imports orders."
    )
    import_fba = fields.Boolean(
        string="Import Amazon-Fulfilled Orders",
        help="Import FBA orders as done deliveries from the Amazon warehouse, for records and "
        "sales figures. They never touch the stock of your own warehouses.",
    )
    fba_warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="FBA Warehouse",
        check_company=True,
        help="Warehouse standing for Amazon's fulfilment centres; created when needed.",
    )
    personal_data_access = fields.Boolean(
        help="Request buyer names, e-mails and street addresses from Amazon. The app must hold "
        "Amazon's restricted roles. Without it, orders import with city, postcode and country "
        "only.",
    )
    ignore_orders_before = fields.Datetime(
        help="Orders purchased before this moment are never imported (e.g. the ones another "
        "connector already brought in)."
    )
    max_order_age_days = fields.Integer(
        string="Maximum Order Age (days)",
        default=30,
        help="Orders purchased longer ago than this are not imported.",
    )
    rescan_days = fields.Integer(
        string="Rescan Last (days)",
        default=7,
        help="The daily 'Import missing orders' run looks this far back for orders the "
        "regular import missed.",
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
    )
    match_by_asin = fields.Boolean(
        string="Match Products by ASIN",
        help="When neither a listing nor a product's internal reference matches the SKU, "
        "try the ASIN against the listings.",
    )
    default_carrier_id = fields.Many2one(
        "delivery.carrier",
        help="Carrier for orders whose shipping service has no mapping.",
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
    )
    stock_buffer = fields.Integer(
        string="Safety Buffer (units)",
        help="Units kept back from Amazon on every listing, so that sales elsewhere in the "
        "minutes before the next export do not oversell.",
    )
    business_prices = fields.Boolean(
        string="Sell to Businesses",
        help="Send Amazon Business prices from each marketplace's business pricelist.",
    )
    listing_export_interval = fields.Integer(
        string="Send Stock and Prices Every (minutes)",
        default=15,
        help="How often changed quantities and prices go to Amazon in one feed. A listing "
        "that just sold out is sent at once.",
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
    )
    fba_inventory_interval = fields.Integer(string="Import FBA Stock Every (minutes)", default=60)
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
    )
    invoice_journal_id = fields.Many2one(
        "account.journal",
        string="Sales Journal",
        check_company=True,
        domain="[('type', '=', 'sale'), ('company_id', '=', company_id)]",
        help="Journal of the invoices of this channel's orders, automatic or made by hand; "
        "empty: the company's default sales journal.",
    )
    payment_journal_id = fields.Many2one(
        "account.journal",
        string="Amazon Payments Journal",
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
        help="Bank or cash journal where the payments Amazon makes for the invoices (and the "
        "refunds of credit notes) are registered, e.g. a journal 'Amazon' for the seller's "
        "Amazon balance.",
    )
    # -- shipments and cancellations to Amazon -------------------------------------------------
    shipment_auto_send = fields.Boolean(
        string="Mark as Shipped on Amazon Automatically",
        default=True,
        help="Validated deliveries are confirmed to Amazon by the scheduler. When off, staff "
        "send each one with 'Send to Amazon'.",
    )
    shipment_require_tracking = fields.Boolean(
        string="Block Validation Without Carrier and Tracking",
        help="Refuse to validate an Amazon delivery that has no carrier, a carrier without an "
        "Amazon carrier code, or no tracking number. When off, validation only warns.",
    )
    export_interval = fields.Integer(
        string="Send to Amazon Every (minutes)",
        default=5,
        help="How often shipments and cancellations are sent to Amazon.",
    )
    ship_from_supply_source_id = fields.Char(
        string="Ship-From Supply Source ID",
        help="Optional: Amazon's id of the address you ship from (Seller Central supply "
        "sources), sent with every shipment confirmation.",
    )
    cancel_on_amazon = fields.Boolean(
        string="Send Cancellations to Amazon",
        default=True,
        help="Cancelling an unshipped merchant-fulfilled order in Odoo cancels it on Amazon, "
        "with a reason chosen by the user.",
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

    _sql_constraints = [
        (
            "seller_region_company_uniq",
            "unique(seller_id, region, company_id)",
            "There is already a channel for this seller account and region.",
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

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("refresh_token") and "refresh_token_date" not in vals:
                vals["refresh_token_date"] = fields.Datetime.now()
        channels = super().create(vals_list)
        mappings = self.env["amazon.status.mapping"]
        for channel in channels.filtered(lambda c: not c.status_mapping_ids):
            mappings.create(mappings._default_values(channel))
        return channels

    def write(self, vals):
        if vals.get("refresh_token") and "refresh_token_date" not in vals:
            vals = dict(vals, refresh_token_date=fields.Datetime.now())
        if "refresh_token" in vals or "lwa_client_secret" in vals:
            # New credentials: whatever failed before has to be tested again.
            vals.setdefault("state", "draft")
        return super().write(vals)

    # -- SP-API access ------------------------------------------------------------------------

    def _get_gateway(self, marketplace=None, **options):
        """The SP-API gateway of this channel; credentials are read with sudo, never shown.

        ``options`` go to :class:`SpApiGateway` (``max_retries``, ``sleep``...). The first
        retry delay after a transient failure can be tuned with the system parameter
        ``amazon_connector.retry_delay`` (seconds, doubled at each retry).
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
        secret = self.sudo()
        marketplace = marketplace or self.marketplace_ids[:1]
        default_marketplace = (
            marketplace.amazon_id
            or self.env["amazon.marketplace"]
            .search([("region", "=", self.region)], limit=1)
            .amazon_id
        )
        return SpApiGateway(
            seller_key=f"{self.region}:{self.seller_id}",
            credentials=Credentials(
                secret.lwa_client_id or "",
                secret.lwa_client_secret or "",
                secret.refresh_token or "",
            ),
            region=self.region,
            default_marketplace_id=default_marketplace,
            base_url=secret.api_base_url or None,
            lwa_url=secret.lwa_token_url or None,
            limiter=RATE_LIMITER,
            **options,
        )

    def _record_api_success(self):
        self.write(
            {"state": "connected", "last_error": False, "last_success_date": fields.Datetime.now()}
        )

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
        secret = self.sudo()
        labels = {
            "seller_id": self.env._("Seller ID"),
            "lwa_client_id": self.env._("LWA Client ID"),
            "lwa_client_secret": self.env._("LWA Client Secret"),
            "refresh_token": self.env._("Refresh Token"),
        }
        return [label for name, label in labels.items() if not secret[name]]

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
        summary = self.env._("Reauthorise the Amazon app")
        if self.activity_ids.filtered(lambda a: a.summary == summary):
            return
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=message,
            user_id=(self.user_id or self.env.ref("base.user_admin")).id,
        )

    def action_import_now(self):
        """Ask the scheduler to import this channel at once (never inside this request)."""
        self._request_run("order_import", "amazon_connector.ir_cron_amazon_import_orders")
        return self._notify(
            self.env._("The import has started; its result appears in the sync logs."), "info"
        )

    def action_rescan_now(self):
        self.ensure_one()
        self.env.ref("amazon_connector.ir_cron_amazon_rescan_orders").sudo()._trigger()
        return self._notify(self.env._("The rescan of missing orders has started."), "info")

    def _marketplace_settings(self, marketplace):
        """The channel's set-up for one marketplace (empty when it has none)."""
        self.ensure_one()
        return self.marketplace_setting_ids.filtered(lambda s: s.marketplace_id == marketplace)[:1]

    def action_import_listings(self):
        self._request_run("listing_import", "amazon_connector.ir_cron_amazon_import_listings")
        return self._notify(
            self.env._("The listing import has started; its result appears in the sync logs."),
            "info",
        )

    def action_export_listings(self):
        """Send every listing's stock and price that differs from Amazon's, at once."""
        self.env["amazon.listing"].search(
            [("channel_id", "in", self.ids), ("amazon_sync_state", "!=", "to_send")]
        )._amazon_mark_to_send()
        self._request_run("listing_export", "amazon_connector.ir_cron_amazon_export_listings")
        return self._notify(
            self.env._("Stock and prices are being sent; the result appears in the sync logs."),
            "info",
        )

    def action_import_fba_inventory(self):
        self._request_run("fba_inventory", "amazon_connector.ir_cron_amazon_import_fba_inventory")
        return self._notify(
            self.env._("The FBA stock import has started; its result appears in the sync logs."),
            "info",
        )

    def _request_run(self, kind, cron_xmlid):
        """Mark a run of ``kind`` as asked for and wake its scheduled action."""
        for channel in self:
            channel.sudo()._sync_schedule(kind).requested = True
        self.env.ref(cron_xmlid).sudo()._trigger()
