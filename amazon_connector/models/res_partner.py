import hashlib

from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    amazon_customer = fields.Boolean(
        readonly=True, copy=False, help="Created from Amazon orders (holds buyer personal data)."
    )
    amazon_address_key = fields.Char(readonly=True, copy=False, index=True)

    @api.model
    def _amazon_buyer(self, channel, data):
        """The buyer partner: one per Amazon relay e-mail, or one anonymous per marketplace."""
        marketplace = data.marketplace_id
        email = data.buyer and data.buyer.email
        if email:
            key = "buyer:" + email.lower()
            values = {
                "name": data.buyer.name or email.split("@")[0],
                "email": email,
                "company_name": data.buyer.company or False,
            }
        else:
            key = f"anonymous:{channel.id}:{marketplace}"
            values = {
                "name": self.env._(
                    "Amazon customer (%(marketplace)s)",
                    marketplace=(
                        self.env["amazon.marketplace"]
                        .search([("amazon_id", "=", marketplace)])
                        .name
                        or marketplace
                    ),
                )
            }
        return self._amazon_find_or_create(key, dict(values, company_id=channel.company_id.id))

    @api.model
    def _amazon_delivery(self, buyer, data):
        """The delivery address as a child of the buyer, deduplicated on its full content."""
        address = data.recipient
        if not address:
            return buyer
        country = self.env["res.country"].search(
            [("code", "=", (address.country_code or "").upper())], limit=1
        )
        state = self._amazon_state(country, address.state)
        values = {
            "parent_id": buyer.id,
            "type": "delivery",
            "name": address.name or False,
            "street": address.street or False,
            "street2": address.street2 or False,
            "city": address.city or False,
            "zip": address.zip or False,
            "country_id": country.id or False,
            "state_id": state.id or False,
            "phone": address.phone or False,
            "company_name": address.company or False,
            "company_id": buyer.company_id.id,
        }
        if not state and address.state:
            # Keep a region Odoo does not know (a prefecture, an emirate) visible on the label.
            values["city"] = ", ".join(filter(None, [address.city, address.state]))
        content = "|".join(str(values[k] or "") for k in sorted(values) if k != "parent_id")
        key = f"address:{buyer.id}:" + hashlib.sha256(content.encode()).hexdigest()
        return self._amazon_find_or_create(key, values)

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
        return self.create(dict(values, amazon_customer=True, amazon_address_key=key))
