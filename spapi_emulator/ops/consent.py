"""Seller Central's consent page of the website authorization workflow (the emulator's host
stands for every Seller Central domain, e.g. sellercentral.amazon.de).

Amazon's workflow, as modelled here (Amazon's "Authorize public applications" guide):

1. The app sends the seller to ``GET /apps/authorize/consent?application_id=...&state=...``,
   with ``version=beta`` while the app is a draft, and optionally a ``redirect_uri`` that must
   be one of the app's registered OAuth redirect URIs (else the first registered one is used).
2. The seller (signed in to Seller Central: here, chosen on the page) confirms or cancels
   (``POST /apps/authorize/confirm``).
3. Confirmed: Amazon redirects to the redirect URI with ``state``, ``selling_partner_id`` and
   ``spapi_oauth_code``, an LWA authorization code valid five minutes and once. Cancelled:
   Amazon documents no redirect; the emulator redirects with OAuth 2.0's
   ``error=access_denied`` and the ``state`` (RFC 6749, 4.1.2.1), so the app can say so.

Applications are registered with ``Emulator.register_application``. A bad request (unknown
application, a draft app without ``version=beta``, a redirect URI the app did not register, no
state) gets an HTML error page and no redirect, as Seller Central shows one.
"""

import html
from urllib.parse import parse_qs, urlencode, urlsplit

from ..routing import Response, route

CONSENT_PATH = "/apps/authorize/consent"
CONFIRM_PATH = "/apps/authorize/confirm"


def page(title, body, status=200):
    document = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return Response(status, document, content_type="text/html; charset=utf-8")


def refusal(message):
    return page("We could not authorize this application", f"<p>{html.escape(message)}</p>", 400)


def check_request(emu, params):
    """The application and redirect URI of a consent request, or an error page."""
    application = emu.applications.get(params.get("application_id") or "")
    if application is None:
        return None, None, refusal("The application_id is not a registered application.")
    if not params.get("state"):
        return None, None, refusal("The state parameter is required.")
    if application.draft and params.get("version") != "beta":
        return None, None, refusal("This application is in draft: add version=beta.")
    redirect_uri = params.get("redirect_uri") or application.redirect_uris[0]
    if redirect_uri not in application.redirect_uris:
        return None, None, refusal("The redirect_uri is not one of the application's.")
    return application, redirect_uri, None


def redirect(redirect_uri, values):
    separator = "&" if urlsplit(redirect_uri).query else "?"
    return Response(302, b"", {"Location": redirect_uri + separator + urlencode(values)})


@route("GET", CONSENT_PATH, "_sellercentral.consent", auth="none")
def consent(emu, req):
    params = {name: values[0] for name, values in req.query.items() if values}
    with emu.lock:
        application, redirect_uri, error = check_request(emu, params)
        if error:
            return error
        sellers = sorted(emu.sellers.values(), key=lambda s: s.seller_id)
    hidden = "".join(
        f"<input type='hidden' name='{name}' value='{html.escape(value, quote=True)}'>"
        for name, value in (
            ("application_id", application.application_id),
            ("state", params["state"]),
            ("version", params.get("version", "")),
            ("redirect_uri", redirect_uri),
        )
    )
    options = "".join(
        f"<option value='{html.escape(s.seller_id, quote=True)}'>"
        f"{html.escape(s.name)} ({html.escape(s.seller_id)})</option>"
        for s in sellers
    )
    body = (
        f"<p><b>{html.escape(application.name)}</b> asks to access your Amazon selling account "
        "through the Selling Partner API.</p>"
        f"<form method='post' action='{CONFIRM_PATH}'>{hidden}"
        f"<label>Selling account <select name='seller_id'>{options}</select></label>"
        "<p><button type='submit' name='decision' value='confirm' id='confirm'>Confirm</button> "
        "<button type='submit' name='decision' value='cancel' id='cancel'>Cancel</button></p>"
        "</form>"
    )
    return page("Authorize an application", body)


@route("POST", CONFIRM_PATH, "_sellercentral.confirm", auth="none")
def confirm(emu, req):
    form = {
        name: values[0]
        for name, values in parse_qs(req.body.decode("utf-8", errors="replace")).items()
    }
    with emu.lock:
        application, redirect_uri, error = check_request(emu, form)
        if error:
            return error
        if form.get("decision") != "confirm":
            return redirect(
                redirect_uri,
                {
                    "state": form["state"],
                    "error": "access_denied",
                    "error_description": "The selling partner did not authorize the application.",
                },
            )
        seller_id = form.get("seller_id") or ""
        if seller_id not in emu.sellers:
            return refusal("Choose one of your selling accounts.")
        code = f"ANDa{emu.rng.getrandbits(128):032x}"
    emu.add_authorization_code(code, seller_id, application.client_id)
    return redirect(
        redirect_uri,
        {"state": form["state"], "selling_partner_id": seller_id, "spapi_oauth_code": code},
    )
