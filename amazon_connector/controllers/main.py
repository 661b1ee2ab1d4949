from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from ..models.amazon_app import CALLBACK_PATH
from ..models.amazon_connect_request import LINK_SCOPE

CONNECT_LINK_PATH = "/amazon_connector/connect/<string:token>"


class AmazonConnectController(http.Controller):
    """Amazon's website authorization workflow: a connect link's landing page, and the
    callback Amazon redirects to after the seller's consent in Seller Central.

    Both are GET requests from a browser that Amazon (or the link) sends here, so they take
    no CSRF token: the signed, single-use, expiring state is what ties the answer to the
    request this database made (``amazon.connect.request``).
    """

    @http.route(CALLBACK_PATH, type="http", auth="public", methods=["GET"], sitemap=False)
    def oauth_callback(self, **params):
        Request = request.env["amazon.connect.request"].sudo()
        connect_request, refusal, message = Request._answer(
            params, request.httprequest.remote_addr, request.env.user
        )
        if refusal:
            return self._page(
                request.env._("Amazon connection failed"),
                message,
                connect_request,
                status=429 if refusal == "too_many" else 400,
            )
        if connect_request.kind == "user":
            return request.redirect(self._channel_url(connect_request.channel_id), local=True)
        return self._page(
            request.env._("Amazon account connected"),
            request.env._(
                "Thank you: your Amazon seller account %(seller)s is now connected to "
                "%(company)s. You can close this window.",
                seller=connect_request.channel_id.seller_id,
                company=connect_request.channel_id.company_id.name,
            ),
        )

    @http.route(CONNECT_LINK_PATH, type="http", auth="public", methods=["GET"], sitemap=False)
    def connect_link(self, token):
        Request = request.env["amazon.connect.request"].sudo()
        remote_addr = request.httprequest.remote_addr
        if request.env["amazon.connect.failure"].sudo()._too_many(remote_addr):
            return self._page(
                request.env._("Amazon connection"),
                Request._refusal_message("too_many"),
                status=429,
            )
        link, reason = Request._from_token(token, LINK_SCOPE)
        if not reason and link.kind != "link":
            reason = "invalid"
        if reason:
            _link, _reason, message = Request._refuse(link, "link_closed", remote_addr, mark=False)
            return self._page(request.env._("Amazon connection"), message, status=400)
        channel = link.channel_id
        try:
            consent_url = channel._consent_url_base()
        except UserError as error:
            return self._page(request.env._("Amazon connection"), error.args[0], status=400)
        _visit, state = Request._issue(channel, "visitor", link=link)
        return request.redirect(consent_url(state), local=False)

    @staticmethod
    def _channel_url(channel):
        return f"/odoo/action-amazon_connector.action_amazon_channel/{channel.id}"

    def _page(self, title, message, connect_request=None, status=200):
        back = (
            self._channel_url(connect_request.channel_id)
            if connect_request
            and connect_request.kind == "user"
            and not request.env.user._is_public()
            else None
        )
        response = request.render(
            "amazon_connector.connect_result",
            {"title": title, "message": message, "back_url": back},
        )
        response.status_code = status
        return response
