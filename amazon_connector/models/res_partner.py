from odoo import api, fields, models

PLACEHOLDER_KEY = "anonymous:"


class ResPartner(models.Model):
    """Amazon's buyers and delivery addresses as contacts.

    Who the customer is: the buyer behind Amazon's relay e-mail when the channel may keep
    personal data; the business (its name and VAT number are not personal data) for business
    orders; otherwise one placeholder per channel and marketplace, which never holds any
    buyer's data. Each order gets its own delivery address (its non-personal part, city,
    region and country, always; name, street, postcode and phone only when the channel keeps
    personal data), so no order ever shows or ships to another order's address.
    """

    _inherit = "res.partner"

    amazon_customer = fields.Boolean(
        readonly=True, copy=False, help="Created from Amazon orders (holds buyer personal data)."
    )
    amazon_address_key = fields.Char(readonly=True, copy=False, index=True)
    amazon_placeholder = fields.Boolean(
        compute="_compute_amazon_placeholder",
        store=True,
        help="Stands for the buyers Amazon does not name; never holds any buyer's data.",
    )

    @api.depends("amazon_address_key")
    def _compute_amazon_placeholder(self):
        for partner in self:
            partner.amazon_placeholder = (partner.amazon_address_key or "").startswith(
                PLACEHOLDER_KEY
            )

    @api.model
    def _amazon_buyer(self, channel, data):
        """The customer of the order: a buyer, a business, or the marketplace's placeholder."""
        buyer = data.buyer
        company = channel.company_id.id
        if buyer and buyer.email:
            key = "buyer:" + buyer.email.lower()
            values = {
                "name": buyer.name or buyer.email.split("@")[0],
                "email": buyer.email,
                "company_name": buyer.company or False,
            }
        elif buyer and buyer.company:
            key = f"business:{channel.id}:" + (buyer.vat or buyer.company).lower()
            values = {"name": buyer.company, "is_company": True, "vat": buyer.vat or False}
        else:
            return self._amazon_placeholder(channel, data.marketplace_id)
        return self._amazon_find_or_create(key, dict(values, company_id=company))

    @api.model
    def _amazon_placeholder(self, channel, marketplace_id):
        marketplace = self.env["amazon.marketplace"].search([("amazon_id", "=", marketplace_id)])
        values = {
            "name": self.env._(
                "Amazon customer (%(marketplace)s)", marketplace=marketplace.name or marketplace_id
            ),
            "company_id": channel.company_id.id,
        }
        return self._amazon_find_or_create(
            f"{PLACEHOLDER_KEY}{channel.id}:{marketplace_id}", values
        )

    @api.model
    def _amazon_delivery(self, channel, data, buyer):
        """The order's own delivery address, kept up to date with Amazon's (the buyer may
        change it until the order ships); the buyer itself while Amazon gives none."""
        address = data.recipient
        if not address:
            return buyer
        country = self.env["res.country"].search(
            [("code", "=", (address.country_code or "").upper())], limit=1
        )
        state = self._amazon_state(country, address.state)
        values = {
            # A placeholder is nobody's parent: Odoo copies a first child's address onto an
            # address-less parent, and the placeholder would take this buyer's address.
            "parent_id": False if buyer.amazon_placeholder else buyer.id,
            "type": "delivery",
            "name": address.name or self.env._("Amazon order %(order)s", order=data.order_id),
            "street": address.street or False,
            "street2": address.street2 or False,
            "city": address.city or False,
            "zip": address.zip or False,
            "country_id": country.id or False,
            "state_id": state.id or False,
            "phone": address.phone or False,
            "company_name": address.company or False,
            "company_id": channel.company_id.id,
        }
        if not state and address.state:
            # Keep a region Odoo does not know (a prefecture, an emirate) visible on the label.
            values["city"] = ", ".join(filter(None, [address.city, address.state]))
        key = f"delivery:{channel.id}:{data.order_id}"
        partner = self._amazon_find_or_create(key, values)
        changed = {
            name: value
            for name, value in values.items()
            if (partner[name].id if isinstance(partner[name], models.BaseModel) else partner[name])
            != value
        }
        if changed:
            partner.write(changed)
        return partner

    @api.model
    def _amazon_state(self, country, state_text):
        if not (country and state_text):
            return self.env["res.country.state"]
        return self.env["res.country.state"].search(
            [
                ("country_id", "=", country.id),
                "|",
                ("code", "=ilike", state_text),
                ("name", "=ilike", state_text),
            ],
            limit=1,
        )

    @api.model
    def _amazon_find_or_create(self, key, values):
        partner = self.with_context(active_test=False).search(
            [("amazon_address_key", "=", key)], limit=1
        )
        if partner:
            return partner
        # Amazon checked the buyer's VAT number; a localisation's stricter format check must
        # not refuse the order over it.
        return self.with_context(no_vat_validation=True).create(
            dict(values, amazon_customer=True, amazon_address_key=key)
        )
