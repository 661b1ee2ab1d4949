from odoo import api, fields, models


class AccountTax(models.Model):
    _inherit = "account.tax"

    amazon_generated = fields.Boolean(
        readonly=True,
        copy=False,
        help="Created by the Amazon connector to book the tax Amazon charged.",
    )

    @api.model
    def _amazon_tax(self, company, rate, included=True):
        """The sales tax at ``rate`` percent for Amazon lines, price-included or not (made once)."""
        domain = [
            ("company_id", "=", company.id),
            ("amazon_generated", "=", True),
            ("type_tax_use", "=", "sale"),
            ("amount_type", "=", "percent"),
            ("amount", "=", float(rate)),
            ("price_include_override", "=", "tax_included" if included else "tax_excluded"),
        ]
        tax = self.with_context(active_test=False).search(domain, limit=1)
        if not tax:
            label = f"{rate.normalize():f}"
            # A group of its own, so the totals read "Tax 19%" and not another rate's label.
            group_name = self.env._("Tax %(rate)s%%", rate=label)
            Group = self.env["account.tax.group"].sudo()
            group = Group.search(
                [("company_id", "=", company.id), ("name", "=", group_name)], limit=1
            ) or Group.create({"name": group_name, "company_id": company.id})
            tax = self.sudo().create(
                {
                    "name": (
                        self.env._("Amazon %(rate)s%% (incl.)", rate=label)
                        if included
                        else self.env._("Amazon %(rate)s%%", rate=label)
                    ),
                    "description": f"{label}%",
                    "company_id": company.id,
                    "amazon_generated": True,
                    "type_tax_use": "sale",
                    "amount_type": "percent",
                    "amount": float(rate),
                    "price_include_override": "tax_included" if included else "tax_excluded",
                    "tax_group_id": group.id,
                }
            )
        return tax
