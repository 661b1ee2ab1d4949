from datetime import timedelta

from odoo import api, fields, models

from .amazon_expiry_reminder import REMINDER_STAGES

# Amazon asks developers to rotate an app's LWA client secret every 180 days.
SECRET_LIFETIME_DAYS = 180
CALLBACK_PATH = "/amazon_connector/oauth/callback"
ROTATE_SECRET_ACTIVITY = "amazon_connector.mail_activity_type_rotate_secret"


class AmazonApp(models.Model):
    """The SP-API application this database uses: one per database, set once by a manager.

    Its LWA client id and secret sign every channel's calls; the application id and the
    redirect URI are what Seller Central's consent page needs for the Connect button. The
    secret is sealed (``amazon.credential.vault``) and can only be written, never read back.
    """

    _name = "amazon.app"
    _inherit = ["amazon.expiry.reminder"]
    _description = "Amazon SP-API Application"

    name = fields.Char(required=True, default="Amazon SP-API", tracking=True)
    application_id = fields.Char(
        string="Application ID",
        tracking=True,
        help="The app's id in the Solution Provider Portal / Developer Console "
        "(amzn1.sp.solution...). Needed for the Connect button; not needed when you only "
        "paste refresh tokens of a self-authorised app.",
    )
    draft = fields.Boolean(
        string="Draft App",
        default=True,
        tracking=True,
        help="The app is not published yet: sellers authorise it with Amazon's beta "
        "workflow (version=beta). Untick once Amazon lists the app.",
    )
    lwa_client_id = fields.Char(string="LWA Client ID", tracking=True)
    lwa_client_secret = fields.Char(
        string="LWA Client Secret",
        compute="_compute_lwa_client_secret",
        inverse="_inverse_lwa_client_secret",
        exportable=False,
        help="Paste the current secret from the app's LWA credentials. It is stored "
        "encrypted and never shown again.",
    )
    lwa_client_secret_sealed = fields.Char(copy=False, groups="base.group_system", exportable=False)
    has_client_secret = fields.Boolean(compute="_compute_has_client_secret")
    secret_expiry_date = fields.Date(
        string="Secret Expires On",
        tracking=True,
        help="Amazon expires the LWA client secret 180 days after it was created: set when a "
        "new secret is entered; correct it from the Developer Console if the secret is older.",
    )
    secret_reminder = fields.Selection(
        REMINDER_STAGES, copy=False, readonly=True, help="Technical: last reminder sent."
    )
    redirect_uri = fields.Char(
        string="OAuth Redirect URI",
        compute="_compute_redirect_uri",
        help="Register this address as the app's OAuth redirect URI in the Developer Console.",
    )

    @api.model
    def _get(self):
        """The database's app (a record of the module's data, filled in by a manager)."""
        return self.sudo().search([], limit=1)

    def _compute_lwa_client_secret(self):
        self.lwa_client_secret = False

    def _inverse_lwa_client_secret(self):
        vault = self.env["amazon.credential.vault"]
        for app in self.filtered("lwa_client_secret"):
            app.sudo().write(
                {
                    "lwa_client_secret_sealed": vault._seal(app.lwa_client_secret.strip()),
                    "secret_expiry_date": fields.Date.today()
                    + timedelta(days=SECRET_LIFETIME_DAYS),
                    "secret_reminder": False,
                }
            )
            app.message_post(body=self.env._("A new LWA client secret was entered."))
            app.activity_feedback([ROTATE_SECRET_ACTIVITY])
            # Every channel signs with it: what failed before has to be tested again.
            channels = self.env["amazon.channel"].sudo().search([("state", "=", "error")])
            channels.write({"state": "draft"})
        # What was typed must not stay readable in this transaction's cache either.
        self.invalidate_recordset(["lwa_client_secret"])

    @api.depends("lwa_client_secret_sealed")
    def _compute_has_client_secret(self):
        for app in self:
            app.has_client_secret = bool(app.sudo().lwa_client_secret_sealed)

    def _compute_redirect_uri(self):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        self.redirect_uri = base_url.rstrip("/") + CALLBACK_PATH

    def _remind_secret_expiry(self, today):
        if not self.has_client_secret:
            return
        self._remind_expiry(
            "secret_reminder",
            self.secret_expiry_date,
            today,
            ROTATE_SECRET_ACTIVITY,
            self.env._("Rotate the Amazon app's client secret"),
            self.env._(
                "The app's LWA client secret expires on %(date)s (Amazon asks for a new one "
                "every 180 days): generate a new secret in the Developer Console and enter it in "
                "Sales > Configuration > Amazon > Amazon App. Every Amazon channel stops "
                "working without it; nothing else needs to change.",
                date=self.secret_expiry_date,
            ),
        )

    def _client_secret(self):
        """The secret, opened for a call to Amazon; raises CredentialsUnavailable without key."""
        return self.env["amazon.credential.vault"]._open(self.sudo()[:1].lwa_client_secret_sealed)

    def action_open(self):
        """Configuration > Amazon App: the form of the database's app."""
        return {
            "type": "ir.actions.act_window",
            "res_model": "amazon.app",
            "res_id": self._get().id or self.sudo().create({}).id,
            "view_mode": "form",
            "target": "current",
        }
