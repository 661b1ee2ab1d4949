import logging

from odoo import _, api, fields, models

from ..services import errors
from ..services.gateway import Credentials, SpApiGateway
from ..services.rate_limiter import RateLimiter
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
    _description = "Amazon Channel"
    _order = "sequence, name, id"

    name = fields.Char(
        compute="_compute_name",
        store=True,
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
    last_success_date = fields.Datetime(
        string="Last Successful Call", readonly=True, copy=False
    )
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
                    channel.seller_id and _("Amazon %(seller)s", seller=channel.seller_id)
                )

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
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("refresh_token") and "refresh_token_date" not in vals:
            vals = dict(vals, refresh_token_date=fields.Datetime.now())
        if "refresh_token" in vals or "lwa_client_secret" in vals:
            # New credentials: whatever failed before has to be tested again.
            vals.setdefault("state", "draft")
        return super().write(vals)

    # -- SP-API access ------------------------------------------------------------------------

    def _get_gateway(self, marketplace=None):
        """The SP-API gateway of this channel; credentials are read with sudo, never shown."""
        self.ensure_one()
        secret = self.sudo()
        marketplace = marketplace or self.marketplace_ids[:1]
        default_marketplace = marketplace.amazon_id or self.env["amazon.marketplace"].search(
            [("region", "=", self.region)], limit=1
        ).amazon_id
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
        )

    def _record_api_success(self):
        self.write({"state": "connected", "last_error": False,
                    "last_success_date": fields.Datetime.now()})

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
            message = _("Fill in %(fields)s first.", fields=", ".join(missing))
            self.write({"state": "error", "last_error": message})
            return self._notify(message, "danger")
        log = self.env["amazon.sync.log"].create({"channel_id": self.id, "kind": "connection"})
        gateway = self._get_gateway()
        try:
            participations = gateway.check_connection()
        except errors.AmazonError as error:
            self._record_api_failure(error)
            log.add_message(str(error))
            log.finish(state="failed", summary=str(error), call_counts=gateway.call_counts)
            return self._notify(str(error), "danger")
        marketplaces = self._apply_participations(participations)
        self._record_api_success()
        summary = _(
            "Connected. Amazon lists %(count)s marketplace(s): %(names)s.",
            count=len(marketplaces),
            names=", ".join(marketplaces.mapped("name")) or "-",
        )
        log.finish(state="done", summary=summary, call_counts=gateway.call_counts)
        return self._notify(summary, "success")

    def _missing_credentials(self):
        secret = self.sudo()
        labels = {
            "seller_id": _("Seller ID"),
            "lwa_client_id": _("LWA Client ID"),
            "lwa_client_secret": _("LWA Client Secret"),
            "refresh_token": _("Refresh Token"),
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
        store_name = next(
            (e.get("storeName") for e in participations if e.get("storeName")), False
        )
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
                "title": _("Amazon connection"),
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
