import logging
from datetime import timedelta

from odoo import api, fields, models

from ..services import errors
from ..services.gateway import Credentials, SpApiGateway
from ..services.order_mapper import MappingError, reproducing_rate, split_units
from ..services.rate_limiter import RateLimiter
from ..services.tax_rates import standard_vat_rate
from .amazon_marketplace import REGIONS

_logger = logging.getLogger(__name__)

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
    user_id = fields.Many2one("res.users", string="Salesperson")
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
            ("standard", "Standard VAT rate of the marketplace, included in the price"),
            ("none", "No tax: book the gross amounts"),
        ],
        string="VAT on Gross Prices",
        default="standard",
        required=True,
        help="Amazon gives no tax breakdown for consumer orders in VAT-inclusive marketplaces "
        "(Europe, UK, Japan...). Taxes Amazon does report (US/CA sales tax, Business orders) "
        "are always booked exactly as Amazon computed them.",
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
    last_import_date = fields.Datetime(string="Last Successful Import", readonly=True, copy=False)
    last_import_attempt = fields.Datetime(readonly=True, copy=False)
    last_rescan_date = fields.Datetime(string="Last Rescan", readonly=True, copy=False)
    import_requested = fields.Boolean(copy=False, help="Technical: 'Import now' was asked for.")
    status_mapping_ids = fields.One2many("amazon.status.mapping", "channel_id", copy=True)
    shipping_mapping_ids = fields.One2many(
        "amazon.shipping.mapping", "channel_id", string="Shipping Methods", copy=True
    )
    listing_ids = fields.One2many("amazon.listing", "channel_id", string="Listings")
    # -- shipments and cancellations to Amazon -------------------------------------------------
    shipment_auto_send = fields.Boolean(
        string="Mark as Shipped on Amazon Automatically",
        default=True,
        help="Validated deliveries are confirmed to Amazon by the scheduler. When off, staff "
        "send each one with 'Send to Amazon'.",
    )
    shipment_require_tracking = fields.Boolean(
        string="Block Validation Without Carrier and Tracking",
        help="Refuse to validate an Amazon delivery that has no carrier or tracking number. "
        "When off, validation only warns.",
    )
    export_interval = fields.Integer(
        string="Send to Amazon Every (minutes)",
        default=5,
        help="How often shipments and cancellations are sent to Amazon.",
    )
    last_export_attempt = fields.Datetime(readonly=True, copy=False)
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
    sync_log_count = fields.Integer(compute="_compute_sync_log_count")

    _sql_constraints = [
        (
            "seller_region_company_uniq",
            "unique(seller_id, region, company_id)",
            "There is already a channel for this seller account and region.",
        ),
    ]

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
                            ("amazon_shipment_state", "in", (False, "to_send", "rejected")),
                            ("state", "!=", "cancel"),
                        ]
                    )
                    .carrier_id
                )
            mapped = channel.carrier_mapping_ids.filtered(lambda m: not m.marketplace_id)
            channel.unmapped_carrier_ids = in_use - mapped.carrier_id

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

    def _record_api_failure(self, error):
        """Keep Amazon's verdict on the channel; revoked authorisation needs a person."""
        if isinstance(error, errors.AuthorizationRevoked):
            state = "reauthorize"
        elif isinstance(error, errors.TransientError):
            state = self.state if self.state == "connected" else "error"
        else:
            state = "error"
        self.write({"state": state, "last_error": str(error)})

    def action_test_connection(self):
        """Exchange the refresh token at LWA and read the seller's marketplace participations."""
        self.ensure_one()
        missing = self._missing_credentials()
        if missing:
            message = self.env._("Fill in %(fields)s first.", fields=", ".join(missing))
            self.write({"state": "error", "last_error": message})
            return self._notify(message, "danger")
        log = self.env["amazon.sync.log"].create({"channel_id": self.id, "kind": "connection"})
        # Someone is waiting for the answer: report the first failure instead of retrying.
        gateway = self._get_gateway(max_retries=0)
        try:
            participations = gateway.check_connection()
        except errors.AmazonError as error:
            self._record_api_failure(error)
            log.add_message(str(error))
            log.finish(state="failed", summary=str(error), call_counts=gateway.call_counts)
            return self._notify(str(error), "danger")
        marketplaces = self._apply_participations(participations)
        self._record_api_success()
        summary = self.env._(
            "Connected. Amazon lists %(count)s marketplace(s): %(names)s.",
            count=len(marketplaces),
            names=", ".join(marketplaces.mapped("name")) or "-",
        )
        log.finish(state="done", summary=summary, call_counts=gateway.call_counts)
        return self._notify(summary, "success")

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

    def _amazon_marketplace(self, data):
        marketplace = (
            self.env["amazon.marketplace"]
            .with_context(active_test=False)
            .search([("amazon_id", "=", data.marketplace_id)], limit=1)
        )
        if not marketplace:
            raise MappingError(
                self.env._(
                    "Order %(order)s: marketplace %(marketplace)s is unknown to Odoo.",
                    order=data.order_id,
                    marketplace=data.marketplace_id,
                )
            )
        return marketplace

    def _amazon_currency(self, data, marketplace):
        currency = marketplace.currency_id
        if data.currency and data.currency != currency.name:
            currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", data.currency)], limit=1)
            )
            if not currency:
                raise MappingError(
                    self.env._(
                        "Order %(order)s: currency %(currency)s is unknown to Odoo.",
                        order=data.order_id,
                        currency=data.currency,
                    )
                )
        if not currency.active:
            currency.sudo().active = True
        return currency

    def _amazon_pricelist(self, currency):
        """A pricelist in the order's currency (Odoo takes the order currency from it)."""
        Pricelist = self.env["product.pricelist"]
        pricelist = Pricelist.search(
            [
                ("currency_id", "=", currency.id),
                ("company_id", "in", [self.company_id.id, False]),
            ],
            limit=1,
        )
        return pricelist or Pricelist.sudo().create(
            {
                "name": self.env._("Amazon %(currency)s", currency=currency.name),
                "currency_id": currency.id,
                "company_id": self.company_id.id,
            }
        )

    def _amazon_carrier(self, service_level, marketplace):
        rows = self.shipping_mapping_ids.filtered(lambda m: m.service_level == service_level)
        row = (
            rows.filtered(lambda m: m.marketplace_id == marketplace)[:1]
            or rows.filtered(lambda m: not m.marketplace_id)[:1]
        )
        return row.carrier_id or self.default_carrier_id

    def _amazon_taxes(self, line, marketplace, step):
        """(taxes, net pricing) that make Odoo find Amazon's amounts to the cent.

        A line Amazon taxed on a net price whose units divide evenly is priced net with a
        tax excluded from the price: Odoo then computes Amazon's very tax amount. Any other
        line is priced at what the buyer paid with the tax included, so the total is exact
        (a split line's tax may then differ from Amazon's by a cent; see docs/sync-model.md).
        """
        Tax = self.env["account.tax"]
        if line.tax is not None:
            net = line.amount - line.tax
            rate = reproducing_rate(net, line.tax, step)
            net_pricing = len(split_units(net, line.quantity, step)) == 1
        else:
            rate = standard_vat_rate(marketplace.country_id.code)
            rate = rate if self.included_vat == "standard" else None
            net_pricing = False
        if not rate:
            return Tax, False
        return Tax._amazon_tax(self.company_id, rate, included=not net_pricing), net_pricing

    def _amazon_carrier_mapping(self, carrier, marketplace):
        """The carrier mapping row for this Odoo carrier; a marketplace's own row wins."""
        rows = self.carrier_mapping_ids.filtered(lambda m: m.carrier_id == carrier)
        return (
            rows.filtered(lambda m: m.marketplace_id == marketplace)[:1]
            or rows.filtered(lambda m: not m.marketplace_id)[:1]
        )

    def _fba_warehouse(self):
        """Amazon's fulfilment centres as a warehouse apart from the seller's own stock."""
        self.ensure_one()
        if not self.fba_warehouse_id:
            Warehouse = self.env["stock.warehouse"].sudo()
            warehouse = Warehouse.search(
                [("code", "=", "FBA"), ("company_id", "=", self.company_id.id)], limit=1
            ) or Warehouse.create(
                {"name": self.env._("Amazon FBA"), "code": "FBA", "company_id": self.company_id.id}
            )
            self.fba_warehouse_id = warehouse
        return self.fba_warehouse_id

    def _warn_reauthorisation(self, error):
        """Revoked authorisation: tell the admin on the channel, once."""
        summary = self.env._("Reauthorise the Amazon app")
        if self.activity_ids.filtered(lambda a: a.summary == summary):
            return
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=str(error),
            user_id=(self.user_id or self.env.ref("base.user_admin")).id,
        )

    def _import_due(self, now):
        self.ensure_one()
        if self.import_requested or not self.last_import_attempt:
            return True
        return now >= self.last_import_attempt + timedelta(minutes=self.import_interval or 15)

    def action_import_now(self):
        """Ask the scheduler to import this channel at once (never inside this request)."""
        self.write({"import_requested": True})
        self.env.ref("amazon_connector.ir_cron_amazon_import_orders").sudo()._trigger()
        return self._notify(
            self.env._("The import has started; its result appears in the sync logs."), "info"
        )

    def action_rescan_now(self):
        self.ensure_one()
        self.env.ref("amazon_connector.ir_cron_amazon_rescan_orders").sudo()._trigger()
        return self._notify(self.env._("The rescan of missing orders has started."), "info")

    @api.model
    def _cron_import_orders(self):
        """Scheduled import: each due channel, committing as it goes."""
        now = fields.Datetime.now()
        importer = self.env["amazon.order.importer"].with_context(amazon_commit=True)
        channels = self.search(
            [
                ("import_orders", "=", True),
                "|",
                ("state", "=", "connected"),
                ("import_requested", "=", True),
            ]
        )
        for channel in channels.filtered(lambda c: c._import_due(now)):
            importer._run(channel)

    def _export_due(self, now):
        self.ensure_one()
        if not self.last_export_attempt:
            return True
        return now >= self.last_export_attempt + timedelta(minutes=self.export_interval or 5)

    @api.model
    def _cron_export(self):
        """Shipments and cancellations to Amazon, per channel at its own interval.

        Deliveries someone asked to send with the button go at once, whatever the interval.
        """
        now = fields.Datetime.now()
        requested = self.env["stock.picking"].search(
            [("amazon_send_requested", "=", True), ("amazon_shipment_state", "=", "to_send")]
        )
        context = {"amazon_commit": self.env.context.get("amazon_commit", True)}
        shipments = self.env["amazon.shipment.exporter"].with_context(**context)
        cancellations = self.env["amazon.cancellation.exporter"].with_context(**context)
        for channel in self.search([("state", "in", ("connected", "error"))]):
            if not (channel._export_due(now) or channel in requested.amazon_channel_id):
                continue
            channel.last_export_attempt = now
            shipments._commit()
            shipments._run(channel)
            cancellations._run(channel)

    @api.model
    def _cron_rescan_orders(self):
        """Daily: look back ``rescan_days`` for orders the incremental import missed."""
        importer = self.env["amazon.order.importer"].with_context(amazon_commit=True)
        for channel in self.search([("import_orders", "=", True), ("state", "=", "connected")]):
            importer._run(channel, rescan=True)
