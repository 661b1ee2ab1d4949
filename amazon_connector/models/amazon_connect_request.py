import logging
import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools.misc import hash_sign, verify_hash_signed

STATE_SCOPE = "amazon_connector.connect_state"
LINK_SCOPE = "amazon_connector.connect_link"
# Amazon's authorisation code lives five minutes; a state a little longer covers the consent.
STATE_LIFETIME = timedelta(minutes=15)
LINK_LIFETIME = timedelta(days=7)

_logger = logging.getLogger(__name__)


class AmazonConnectRequest(models.Model):
    """One start of Amazon's website authorization workflow for a channel.

    ``user``: an admin pressed Connect; the state sent to Seller Central is bound to the
    channel and to that user. ``link``: a manager copied a connect link for a seller without
    an Odoo login; each visit of the link issues a ``visitor`` request, bound to the link.
    The state is signed (Odoo's ``hash_sign``), expires, and is used once: the callback marks
    its request used before anything else happens.
    """

    _name = "amazon.connect.request"
    _inherit = ["amazon.sync.mixin"]
    _description = "Amazon Connect Request"
    _order = "id desc"

    channel_id = fields.Many2one("amazon.channel", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="channel_id.company_id", store=True)
    kind = fields.Selection(
        [("user", "Connect button"), ("link", "Connect link"), ("visitor", "Visit of a link")],
        required=True,
    )
    user_id = fields.Many2one("res.users", string="Started By", ondelete="cascade")
    link_id = fields.Many2one("amazon.connect.request", ondelete="cascade")
    nonce = fields.Char(required=True, default=lambda self: secrets.token_urlsafe(24))
    expires_at = fields.Datetime(required=True)
    # The request's exchange with Amazon, in the words of every record that crosses the
    # wire: waiting (the seller is on Seller Central), sending (Amazon's answer is being
    # handled), accepted (connected) or rejected (why in the answer).
    amazon_sync_state = fields.Selection(default="waiting")
    remote_addr = fields.Char(string="From Address")

    _sql_constraints = [("nonce_uniq", "unique(nonce)", "A connect request is issued once.")]

    @api.model
    def _issue(self, channel, kind, user=None, link=None):
        """A new request and its signed token (the OAuth state, or the link's token)."""
        lifetime = LINK_LIFETIME if kind == "link" else STATE_LIFETIME
        expires_at = fields.Datetime.now() + lifetime
        if link:
            expires_at = min(expires_at, link.expires_at)
        request = self.sudo().create(
            {
                "channel_id": channel.id,
                "kind": kind,
                "user_id": user.id if user else False,
                "link_id": link.id if link else False,
                "expires_at": expires_at,
            }
        )
        scope = LINK_SCOPE if kind == "link" else STATE_SCOPE
        token = hash_sign(
            self.env(su=True),
            scope,
            {"request": request.id, "nonce": request.nonce},
            expiration=expires_at,
        )
        return request, token

    @api.model
    def _from_token(self, token, scope):
        """The pending request a token names, or (empty, reason code) when it must be refused:
        ``invalid`` (forged, tampered or expired signature), ``used`` (replayed),
        ``expired``."""
        try:
            values = verify_hash_signed(self.env(su=True), scope, token or "")
        except (ValueError, TypeError, UnicodeDecodeError):
            values = None
        if not isinstance(values, dict):
            return self.browse(), "invalid"
        request = self.sudo().browse(values.get("request")).exists()
        if not request or request.nonce != values.get("nonce"):
            return self.browse(), "invalid"
        if request.amazon_sync_state != "waiting":
            return request, "used"
        if request.expires_at <= fields.Datetime.now():
            return request, "expired"
        return request, None

    def _close(self, state, message, remote_addr=None):
        values = self._amazon_sync_values(state, message)
        if remote_addr:
            values["remote_addr"] = remote_addr
        self.sudo().write(values)

    @api.autovacuum
    def _gc_requests(self):
        """Requests nobody completed in time say so; all are kept a month for the record,
        then removed."""
        now = fields.Datetime.now()
        Request = self.sudo()
        Request.search([("amazon_sync_state", "=", "waiting"), ("expires_at", "<=", now)])._close(
            "rejected", self._refusal_message("expired")
        )
        Request.search([("create_date", "<", now - timedelta(days=30))]).unlink()

    # -- Amazon's answer ------------------------------------------------------------------------

    @api.model
    def _answer(self, params, remote_addr, user):
        """Handle Amazon's redirect to the callback: returns (request, refusal reason, message);
        the reason is None when the channel is connected.

        ``params`` are the callback's query parameters (``state``, ``spapi_oauth_code``,
        ``selling_partner_id``, or ``error``), ``user`` the logged-in user (public user for a
        visitor). Every refusal is logged as an ``amazon.connect.failure``.
        """
        Failure = self.env["amazon.connect.failure"].sudo()
        if Failure._too_many(remote_addr):
            return self.browse(), "too_many", self._refusal_message("too_many")
        request, reason = self._from_token(params.get("state"), STATE_SCOPE)
        if not reason:
            reason = request._binding_refusal(user)
        if reason:
            return self._refuse(request, reason, remote_addr, mark=reason != "used")
        request._close("sending", False, remote_addr)
        if params.get("error"):
            return self._refuse(
                request,
                "denied",
                remote_addr,
                error=params.get("error_description") or params["error"],
            )
        code, seller = params.get("spapi_oauth_code"), params.get("selling_partner_id")
        if not (code and seller):
            return self._refuse(request, "incomplete", remote_addr)
        channel = request.channel_id.sudo()
        if channel.seller_id and channel.seller_id != seller:
            return self._refuse(
                request,
                "other_seller",
                remote_addr,
                seller=seller,
                channel_seller=channel.seller_id,
            )
        error = channel._authorise_with_code(code, seller)
        if error:
            return self._refuse(request, "amazon", remote_addr, error=error)
        message = self.env._("Connected (seller %(seller)s).", seller=seller)
        request._close("accepted", message, remote_addr)
        request.link_id._close("accepted", message)
        channel.message_post(
            body=self.env._(
                "Connected to Amazon by %(who)s (seller %(seller)s).",
                who=request.user_id.name or self.env._("the connect link"),
                seller=seller,
            )
        )
        return request, None, message

    def _binding_refusal(self, user):
        """Why this pending state may not be completed by ``user`` (None if it may)."""
        if self.kind == "user":
            return None if self.user_id == user else "other_user"
        if self.kind == "visitor":
            link = self.link_id
            if link.amazon_sync_state != "waiting" or link.expires_at <= fields.Datetime.now():
                return "link_closed"
            return None
        return "invalid"  # a link's token is never a state

    @api.model
    def _refuse(self, request, reason, remote_addr, mark=True, **facts):
        message = self._refusal_message(reason, **facts)
        _logger.warning(
            "Amazon connect callback refused (%s) from %s, request %s",
            reason,
            remote_addr,
            request.id or "-",
        )
        self.env["amazon.connect.failure"].sudo().create(
            {
                "remote_addr": remote_addr,
                "reason": reason,
                "message": message,
                "request_id": request.id or False,
            }
        )
        if request and mark:
            request._close("rejected", message, remote_addr)
            request.channel_id.sudo().message_post(
                body=self.env._("Connecting to Amazon failed: %(message)s", message=message)
            )
        return request, reason, message

    @api.model
    def _refusal_message(self, reason, **facts):
        """The refusal in words an admin (or a visiting seller) understands."""
        return self.env["amazon.error"]._sentence(f"connect_{reason}", facts)
