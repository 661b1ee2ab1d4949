from odoo import api, models


class AmazonError(models.AbstractModel):
    """What users read about a service error: each code worded in their language.

    The service layer raises errors with a code and data (``services/errors.py``,
    ``MappingError``, ``ShipmentError``, ``FeedError``); this is the one place that turns them
    into sentences, each through Odoo's translation. An unknown code still reads as a sentence
    with its facts.
    """

    _name = "amazon.error"
    _description = "Amazon Error Wording"

    @api.model
    def _describe(self, error):
        data = dict(getattr(error, "data", {}))
        text = self._sentence(getattr(error, "code", ""), data)
        if text is None:
            text = self.env._("Unexpected error: %(error)s", error=str(error))
        return text

    @api.model
    def _sentence(self, code, data):
        amazon = data.get("amazon_message") or data.get("details") or data.get("amazon_code")
        with_amazon = (
            (lambda text: self.env._("%(text)s (Amazon: %(amazon)s)", text=text, amazon=amazon))
            if amazon
            else (lambda text: text)
        )

        def facts(*keys):
            return {key: data.get(key) for key in keys}

        def again_from_channel():
            return self.env._("Start again from the channel's Connect with Amazon button.")

        match code:
            # -- Amazon's login service and SP-API -------------------------------------------
            case "authorization_revoked":
                return with_amazon(
                    self.env._(
                        "Amazon no longer accepts this channel's authorisation (it was revoked "
                        "or expired). Press Connect with Amazon on the channel to authorise the "
                        "app again (or paste a new refresh token for a self-authorised app): "
                        "mappings, listings and the import's progress are kept."
                    )
                )
            case "authorization_code_refused":
                return with_amazon(
                    self.env._(
                        "Amazon refused the authorisation code: it is valid five minutes and "
                        "only once, and only for the app the seller authorised (check the app's "
                        "LWA client id). Press Connect with Amazon again."
                    )
                )
            # -- connecting a seller (the OAuth callback's refusals) ----------------------------
            case "connect_too_many":
                return self.env._(
                    "Too many failed authorisation attempts came from this address; try again "
                    "in 15 minutes."
                )
            case "connect_invalid":
                return self.env._(
                    "This authorisation answer is not valid: it was altered or it belongs to "
                    "nothing we started. %(again)s",
                    again=again_from_channel(),
                )
            case "connect_used":
                return self.env._(
                    "This authorisation answer was already used. %(again)s",
                    again=again_from_channel(),
                )
            case "connect_expired":
                return self.env._(
                    "The authorisation took too long and expired. %(again)s",
                    again=again_from_channel(),
                )
            case "connect_other_user":
                return self.env._(
                    "Another user started this authorisation; only they can complete it. %(again)s",
                    again=again_from_channel(),
                )
            case "connect_link_closed":
                return self.env._(
                    "This connect link is no longer valid (it expired or was already used). "
                    "Ask the channel's administrator for a new one."
                )
            case "connect_denied":
                return self.env._(
                    "The authorisation was declined in Seller Central (%(error)s); nothing was "
                    "changed. %(again)s",
                    error=data.get("error"),
                    again=again_from_channel(),
                )
            case "connect_incomplete":
                return self.env._(
                    "Amazon's answer holds no authorisation code or no seller id. %(again)s",
                    again=again_from_channel(),
                )
            case "connect_other_seller":
                return self.env._(
                    "Seller Central account %(seller)s gave the authorisation, but this channel "
                    "is for seller %(channel_seller)s. Sign in to Seller Central with the "
                    "channel's account, or create a channel for the other account.",
                    **facts("seller", "channel_seller"),
                )
            case "connect_amazon":
                return data["error"]  # already worded (amazon.error._describe)
            # -- credentials at rest -----------------------------------------------------------
            case "encryption_key_missing":
                return self.env._(
                    "The Amazon connector has no encryption key, so it cannot store or use "
                    "credentials and makes no call to Amazon. Add amazon_connector_key to "
                    "Odoo's configuration file (or set the environment variable "
                    "AMAZON_CONNECTOR_KEY) and restart Odoo; a new key is printed by: "
                    "odoo-bin amazon_connector_key generate"
                )
            case "encryption_key_invalid":
                return self.env._(
                    "The Amazon connector's encryption key (amazon_connector_key) is not a "
                    "valid key. Put the key that was generated for this database back in "
                    "Odoo's configuration and restart Odoo."
                )
            case "encryption_key_wrong" | "credential_not_sealed":
                return self.env._(
                    "The Amazon connector's encryption key does not open the stored "
                    "credentials: the configuration holds another key than the one they were "
                    "encrypted with. Put the right key back in amazon_connector_key (keep the "
                    "old one after a comma while rotating), or enter the credentials again."
                )
            case "credentials_rejected":
                return with_amazon(
                    self.env._(
                        "Amazon rejected the LWA client id or client secret. Copy both again "
                        "from the app's LWA credentials in the Developer Console."
                    )
                )
            case "login_throttled":
                return self.env._(
                    "Amazon's login service asked to slow down; it is tried again later."
                )
            case "login_timeout":
                return self.env._("Amazon's login service did not answer in time.")
            case "login_without_token":
                return self.env._("Amazon's login service answered without a token.")
            case "login_failed":
                return self.env._(
                    "Amazon's login service failed (HTTP %(status)s); it is tried again later.",
                    status=data.get("status"),
                )
            case "login_refused":
                return with_amazon(self.env._("Amazon's login service refused the request."))
            case "unreachable":
                return self.env._(
                    "Amazon could not be reached at %(host)s (network down or wrong address).",
                    host=data.get("host"),
                )
            case "timeout":
                return self.env._("Amazon did not answer in time.")
            # -- the channel's notification queue (Amazon SQS) and subscription ---------------
            case "queue_url_invalid":
                return self.env._(
                    "The channel's SQS queue URL %(queue_url)s is not a queue's address; copy it "
                    "from the queue's page in the AWS console.",
                    queue_url=data.get("queue_url") or "",
                )
            case "queue_access_denied":
                return with_amazon(
                    self.env._(
                        "AWS refused the channel's access key for the queue %(queue_url)s: check "
                        "the AWS Access Key ID and Secret, and that the key may read and delete "
                        "its messages.",
                        queue_url=data.get("queue_url"),
                    )
                )
            case "queue_not_found":
                return with_amazon(
                    self.env._(
                        "There is no SQS queue at %(queue_url)s (deleted, or another region).",
                        queue_url=data.get("queue_url"),
                    )
                )
            case "queue_failed":
                return with_amazon(
                    self.env._(
                        "Amazon SQS failed to answer for %(queue_url)s; it is tried again later.",
                        queue_url=data.get("queue_url"),
                    )
                )
            case "queue_refused":
                return with_amazon(
                    self.env._(
                        "Amazon SQS refused the request for %(queue_url)s.",
                        queue_url=data.get("queue_url"),
                    )
                )
            case "destination_not_found":
                return self.env._(
                    "Amazon says the queue %(queue_arn)s is already a notification destination, "
                    "but not one of this application's.",
                    queue_arn=data.get("queue_arn"),
                )
            case "subscribed_elsewhere":
                return self.env._(
                    "This seller already sends %(notification_type)s notifications to another "
                    "destination (%(destination_id)s) of this application; delete that "
                    "subscription or use its queue.",
                    **facts("notification_type", "destination_id"),
                )
            case "notification_not_json":
                return self.env._(
                    "A message in the queue is not an Amazon notification (not JSON)."
                )
            case "notification_other_type":
                return self.env._(
                    "A %(notification_type)s notification came to the order queue; only "
                    "ORDER_CHANGE is read there, so it is dropped.",
                    notification_type=data.get("notification_type") or "?",
                )
            case "notification_field_missing":
                return self.env._(
                    "An ORDER_CHANGE notification has no %(field)s; it is dropped (the periodic "
                    "import still reads the order).",
                    field=data.get("field"),
                )
            case "notification_field_invalid":
                return self.env._(
                    "An ORDER_CHANGE notification has %(value)r as %(field)s; it is dropped (the "
                    "periodic import still reads the order).",
                    **facts("field", "value"),
                )
            case "connection_broken":
                return self.env._("The connection to Amazon broke off before an answer came.")
            case "throttled":
                return self.env._(
                    "Amazon's request quota is used up for now; the call is tried again."
                )
            case "budget_exhausted":
                return self.env._(
                    "Amazon's budget for %(operation)s is spent for now; the work goes on by "
                    "itself once it allows the next call.",
                    operation=data.get("operation"),
                )
            case "server_error":
                return self.env._(
                    "Amazon failed to answer (HTTP %(status)s); it is tried again later.",
                    status=data.get("status"),
                )
            case "access_denied" | "access_token_expired":
                return with_amazon(
                    self.env._(
                        "Amazon refused access to this operation: check the app's roles in the "
                        "Developer Console and the seller's authorisation."
                    )
                )
            case "not_found":
                return with_amazon(self.env._("Amazon does not know this order, feed or listing."))
            case "refused":
                return with_amazon(self.env._("Amazon refused the request."))
            case "unknown_region":
                return self.env._("Unknown SP-API region %(region)s.", region=data.get("region"))
            case "document_transfer_broken":
                return self.env._("The document transfer to or from Amazon broke off.")
            case "document_refused":
                return self.env._(
                    "Amazon's document storage refused the %(method)s (HTTP %(status)s).",
                    method=data.get("method"),
                    status=data.get("status"),
                )
            case "document_storage_failed":
                return self.env._(
                    "Amazon's document storage failed (HTTP %(status)s).",
                    status=data.get("status"),
                )
            # -- orders that can't be imported (services/order_mapper.py) ---------------------
            case "field_missing":
                return self.env._(
                    "Amazon order %(order)s: %(field)s is missing, and the order cannot be "
                    "imported without it.",
                    **facts("order", "field"),
                )
            case "wrong_type":
                return self.env._(
                    "Amazon order %(order)s: %(field)s is %(found)s where %(expected)s is "
                    "expected.",
                    order=data.get("order"),
                    field=data.get("field"),
                    found=self._json_kind(data.get("found")),
                    expected=self._json_kind(data.get("expected")),
                )
            case "bad_quantity":
                return self.env._(
                    "Amazon order %(order)s: %(field)s is %(value)s; a quantity must be a "
                    "whole number of units from %(low)s to %(high)s.",
                    **facts("order", "field", "value", "low", "high"),
                )
            case "bad_amount":
                return self.env._(
                    "Amazon order %(order)s: %(field)s is %(value)s; an amount must be a "
                    "number written like 12.34, from %(low)s to %(high)s.",
                    **facts("order", "field", "value", "low", "high"),
                )
            case "text_too_long":
                return self.env._(
                    "Amazon order %(order)s: %(field)s is %(length)s characters long; at most "
                    "%(limit)s are accepted.",
                    **facts("order", "field", "length", "limit"),
                )
            case "control_characters":
                return self.env._(
                    "Amazon order %(order)s: %(field)s (%(value)s) holds an invisible control "
                    "character (%(character)s) that cannot be stored.",
                    **facts("order", "field", "value", "character"),
                )
            case "bad_format" if data.get("format") == "country_code":
                return self.env._(
                    "Amazon order %(order)s: %(field)s is %(value)s, not a country code (two "
                    "capital letters, such as DE).",
                    **facts("order", "field", "value"),
                )
            case "bad_format":
                return self.env._(
                    "Amazon order %(order)s: %(field)s is %(value)s, not a currency code (three "
                    "capital letters, such as EUR).",
                    **facts("order", "field", "value"),
                )
            case "unknown_value":
                return self.env._(
                    "Amazon order %(order)s: %(field)s is %(value)s, which is none of the values "
                    "Amazon documents (%(allowed)s).",
                    **facts("order", "field", "value", "allowed"),
                )
            case "bad_date":
                return self.env._(
                    "Amazon order %(order)s: %(field)s is %(value)s, not a date and time Amazon "
                    "could have set.",
                    **facts("order", "field", "value"),
                )
            case "duplicate_value":
                return self.env._(
                    "Amazon order %(order)s: %(field)s repeats %(value)s, which the order "
                    "already holds; it must be unique.",
                    **facts("order", "field", "value"),
                )
            case "unknown_item":
                return self.env._(
                    "Amazon order %(order)s: %(field)s is %(value)s, which is not an item of "
                    "this order.",
                    **facts("order", "field", "value"),
                )
            case "proceeds_missing":
                return self.env._(
                    "Amazon order %(order)s has status %(status)s but %(field)s is missing: "
                    "without Amazon's amounts the order cannot be priced.",
                    **facts("order", "status", "field"),
                )
            case "no_items":
                return self.env._(
                    "Amazon order %(order)s has no order items (its orderItems list is empty).",
                    **facts("order"),
                )
            case "currency_mismatch":
                return self.env._(
                    "Amazon order %(order)s: %(field)s is in %(currency)s but the order is in "
                    "%(order_currency)s.",
                    **facts("order", "field", "currency", "order_currency"),
                )
            case "total_mismatch":
                return self.env._(
                    "Order %(order)s: its items add up to %(lines_total)s %(currency)s but "
                    "Amazon's total is %(grand_total)s %(currency)s; not imported, to keep the "
                    "books exact.",
                    **facts("order", "lines_total", "grand_total", "currency"),
                )
            case "unknown_marketplace":
                return self.env._(
                    "Order %(order)s: marketplace %(marketplace)s is unknown to Odoo.",
                    order=data.get("order"),
                    marketplace=data.get("marketplace"),
                )
            case "unknown_currency":
                return self.env._(
                    "Order %(order)s: currency %(currency)s is unknown to Odoo.",
                    order=data.get("order"),
                    currency=data.get("currency"),
                )
            case "odoo_total_mismatch":
                return self.env._(
                    "Order %(order)s: Odoo computes a total of %(odoo)s but Amazon charged "
                    "%(amazon)s %(currency)s.",
                    **{k: data.get(k) for k in ("order", "odoo", "amazon", "currency")},
                )
            # -- shipments that can't be confirmed ---------------------------------------------
            case "no_carrier":
                return self.env._(
                    "The delivery has no carrier. Set the carrier and its tracking number, then "
                    "press 'Send to Amazon'."
                )
            case "unmapped_carrier":
                return self.env._(
                    "Carrier %(carrier)s has no Amazon carrier code on channel %(channel)s. Add "
                    "it on the channel's Carriers tab, then press 'Send to Amazon'.",
                    carrier=data.get("carrier"),
                    channel=data.get("channel"),
                )
            case "invalid_carrier_code":
                return self.env._(
                    "'%(code)s' is not one of Amazon's carrier codes: on the channel's Carriers "
                    "tab, choose one from the list, or 'Other' with the carrier's name.",
                    code=data.get("carrier_code"),
                )
            case "carrier_name_required":
                return self.env._(
                    "Carrier code 'Other' needs the carrier's name: fill it in on the "
                    "channel's Carriers tab."
                )
            case "tracking_required":
                return self.env._(
                    "The delivery has no tracking number: enter it, then press 'Send to Amazon'."
                )
            case "invalid_package_reference":
                return self.env._(
                    "Package reference %(reference)s must be a positive number.",
                    reference=data.get("reference"),
                )
            case "fractional_units":
                return self.env._(
                    "Order item %(item)s: Amazon takes whole units only, not %(quantity)s.",
                    item=data.get("item"),
                    quantity=data.get("quantity"),
                )
            case "package_empty":
                return self.env._("The package holds no Amazon order item.")
            case "no_products":
                return self.env._(
                    "The delivery holds no product of the Amazon order; nothing to send."
                )
            case "tracking_count_mismatch":
                return self.env._(
                    "The delivery has %(packages)s package(s) but %(numbers)s tracking numbers "
                    "(%(reference)s): give one number per package, separated by commas, in the "
                    "order of the packages (%(names)s).",
                    **{k: data.get(k) for k in ("packages", "numbers", "reference", "names")},
                )
            # -- Amazon's refusals of a shipment confirmation ----------------------------------
            case "amazon_invalid_carrier_code":
                return with_amazon(
                    self.env._(
                        "Amazon does not accept this carrier code: fix the carrier's row in the "
                        "channel's Carriers tab, then send again."
                    )
                )
            case "amazon_carrier_name_required":
                return with_amazon(
                    self.env._(
                        "Amazon needs the carrier's name for carrier code 'Other': fill it in "
                        "on the channel's Carriers tab, then send again."
                    )
                )
            case "amazon_quantity_exceeds":
                return with_amazon(
                    self.env._(
                        "Amazon counts fewer units left to ship than this delivery: another "
                        "delivery or Seller Central already confirmed some. Check the order on "
                        "Amazon."
                    )
                )
            case "amazon_order_cancelled":
                return with_amazon(
                    self.env._(
                        "The order is cancelled on Amazon: do not ship it, or contact the buyer "
                        "if it left."
                    )
                )
            case "amazon_already_shipped":
                return with_amazon(
                    self.env._("Amazon already has this order as shipped (confirmed elsewhere).")
                )
            case "amazon_tracking_required":
                return with_amazon(
                    self.env._(
                        "Amazon needs a tracking number: enter it on the delivery, then send again."
                    )
                )
            case "amazon_invalid_order_item":
                return with_amazon(
                    self.env._(
                        "An order line no longer matches an Amazon order item: check the "
                        "order's lines."
                    )
                )
            case "amazon_shipment_refused":
                return with_amazon(self.env._("Amazon refused the shipment confirmation."))
            # -- feeds -------------------------------------------------------------------------
            case "report_not_xml":
                return self.env._(
                    "Amazon's processing report is not XML: %(error)s", error=data.get("error")
                )
            case "report_missing":
                return self.env._("Amazon's answer holds no ProcessingReport.")
            case "report_not_json":
                return self.env._(
                    "Amazon's processing report is not JSON: %(error)s", error=data.get("error")
                )
        return None

    @api.model
    def _describe_listing_issues(self, issues):
        """Amazon's issues about a listing update (services/listings_feed.Issue), in words a
        seller acts on, each followed by Amazon's own text."""
        sentences = []
        for issue in issues:
            attribute = issue.attribute or ""
            if issue.code == "SKU_NOT_FOUND":
                text = self.env._(
                    "Amazon has no offer for this SKU any more (closed or deleted in Seller "
                    "Central). Create it there again, or archive this listing."
                )
            elif attribute == "product_type":
                text = self.env._(
                    "The SKU's product type changed on Amazon: import the listings again."
                )
            elif attribute.startswith("fulfillment_availability"):
                text = self.env._("Amazon refused the quantity.")
            elif attribute.startswith("purchasable_offer"):
                text = self.env._("Amazon refused the price.")
            else:
                text = self.env._("Amazon refused the update.")
            sentences.append(
                self.env._(
                    "%(text)s (Amazon %(code)s: %(amazon)s)",
                    text=text,
                    code=issue.code or "-",
                    amazon=issue.message,
                )
            )
        return "\n".join(sentences)

    @api.model
    def _json_kind(self, kind):
        """A JSON type named in an error (services/order_mapper.py ``_kind``), in words."""
        words = {
            "object": self.env._("an object"),
            "list": self.env._("a list"),
            "text": self.env._("a text"),
            "number": self.env._("a number"),
            "boolean": self.env._("true or false"),
            "null": self.env._("null"),
        }
        return words.get(kind, self.env._("a value of unknown type"))
