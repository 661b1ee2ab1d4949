from odoo import Command, api, fields, models

from ..services.tax_rates import tax_name

FACILITATOR_ACCOUNT_CODE = "AMZTAX"


class AccountTax(models.Model):
    """Finds the company's tax for what Amazon charged, and creates one only when missing.

    Seller's taxes: a tax of the company at the statutory rate of the country whose tax
    applies, price-included or not as the order's prices are. A localisation tax is always
    preferred; a tax in the other price mode is copied with its accounts and report tags; a
    tax the company never had is created with a plain name ("VAT 20% (GB)"), its own tax
    group, and the accounts of the company's default sales tax.

    Taxes collected by Amazon (marketplace facilitator): booked on a clearing account, with no
    tax report tags, so that they never show as the seller's liability.
    """

    _inherit = "account.tax"

    amazon_generated = fields.Boolean(
        readonly=True,
        copy=False,
        help="Created by the Amazon connector because the company had no such tax.",
    )
    amazon_tax_country_id = fields.Many2one(
        "res.country",
        string="Tax of Country",
        readonly=True,
        help="The country whose tax this is. Odoo files a tax in the report of its own country "
        "(the company's, or one where the company has a foreign VAT number): a tax of another "
        "country that the connector creates belongs to the company's report country, outside "
        "its tax grids.",
    )
    amazon_collected_by_amazon = fields.Boolean(
        string="Collected by Amazon",
        readonly=True,
        copy=False,
        help="Tax that Amazon withholds and remits as marketplace facilitator: booked on a "
        "clearing account, never in the seller's tax report.",
    )

    # -- the seller's own taxes -----------------------------------------------------------------

    @api.model
    def _amazon_seller_tax(self, company, country, rate, included):
        """The company's sales tax at ``rate`` percent in ``country`` (a res.country), priced
        included or excluded; made once when the company has none."""
        domain = [
            ("company_id", "=", company.id),
            ("type_tax_use", "=", "sale"),
            ("amount_type", "=", "percent"),
            ("amount", "=", float(rate)),
            ("amazon_collected_by_amazon", "=", False),
        ]
        if self._amazon_report_country(company, country) == country:
            domain += [
                ("country_id", "=", country.id),
                ("amazon_tax_country_id", "in", [country.id, False]),
            ]
        else:
            domain.append(("amazon_tax_country_id", "=", country.id))
        candidates = self.search(domain, order="amazon_generated, sequence, id")
        same_mode = candidates.filtered(lambda tax: tax.price_include == included)
        if same_mode:
            return same_mode[0]
        if candidates:
            return self._amazon_in_mode(candidates[0], included, country)
        return self._amazon_create_seller_tax(company, country, rate, included)

    @api.model
    def _amazon_in_mode(self, tax, included, country):
        """``tax`` (a tax of ``country``), or its twin in the other price mode (made once)."""
        if tax.price_include == included:
            return tax
        twin = self.with_context(active_test=False).search(
            [
                ("company_id", "=", tax.company_id.id),
                ("name", "=", self._amazon_twin_name(tax, included)),
                ("country_id", "=", tax.country_id.id),
                ("type_tax_use", "=", tax.type_tax_use),
            ],
            limit=1,
        )
        return twin or self._amazon_twin(tax, included, country)

    @api.model
    def _amazon_twin_name(self, tax, included):
        suffix = self.env._("(incl.)") if included else self.env._("(excl.)")
        return f"{tax.name} {suffix}"

    @api.model
    def _amazon_twin(self, tax, included, country):
        """The same tax (accounts, tags, group) with the other price mode."""
        return tax.sudo().copy(
            {
                "name": self._amazon_twin_name(tax, included),
                "amazon_tax_country_id": country.id,
                "price_include_override": "tax_included" if included else "tax_excluded",
                "amazon_generated": True,
            }
        )

    @api.model
    def _amazon_report_country(self, company, country):
        """The country whose tax report holds ``country``'s taxes in Odoo: that country for
        the company's own and for one where it has a foreign VAT number, else the company's."""
        fiscal_country = company.account_fiscal_country_id
        if country == fiscal_country:
            return country
        foreign_vat = self.env["account.fiscal.position"].search_count(
            [
                ("company_id", "=", company.id),
                ("country_id", "=", country.id),
                ("foreign_vat", "!=", False),
            ]
        )
        return country if foreign_vat else fiscal_country

    @api.model
    def _amazon_create_seller_tax(self, company, country, rate, included):
        name = tax_name(country.code, rate)
        label = name.rsplit(" (", 1)[0]
        tax_account = self._amazon_sales_tax_account(company)
        report_country = self._amazon_report_country(company, country)
        return self.sudo().create(
            {
                "name": f"{name} {self.env._('(incl.)')}" if included else name,
                "description": label,
                "invoice_label": label,
                "company_id": company.id,
                "country_id": report_country.id,
                "amazon_tax_country_id": country.id,
                "amazon_generated": True,
                "type_tax_use": "sale",
                "amount_type": "percent",
                "amount": float(rate),
                "price_include_override": "tax_included" if included else "tax_excluded",
                "tax_group_id": self._amazon_tax_group(company, label, report_country).id,
                **self._amazon_repartition(tax_account),
            }
        )

    # -- taxes Amazon collects ------------------------------------------------------------------

    @api.model
    def _amazon_collected_tax(self, company, country, rate):
        """VAT at ``rate`` included in the price, collected and remitted by Amazon where Amazon
        gave no amount (an IOSS or UK deemed-supplier sale)."""
        label = tax_name(country.code, rate).rsplit(" (", 1)[0]
        name = self.env._(
            "%(tax)s collected by Amazon (%(country)s)", tax=label, country=country.code
        )
        values = {"amount_type": "percent", "amount": float(rate)}
        return self._amazon_find_or_create(company, country, name, values, True)

    @api.model
    def _amazon_amount_tax(self, company, country, collected_by_amazon):
        """The tax of a line that carries a tax amount as Amazon charged it: all of the line's
        price is tax (100 %, included), so the line books Amazon's very amount.

        For tax Amazon collects as marketplace facilitator, and for the seller's sales tax in a
        country without a statutory rate (US sales tax depends on the city).
        """
        if collected_by_amazon:
            name = self.env._("Tax collected by Amazon (%(country)s)", country=country.code)
        else:
            name = self.env._("Sales tax charged on Amazon (%(country)s)", country=country.code)
        values = {"amount_type": "division", "amount": 100.0}
        return self._amazon_find_or_create(company, country, name, values, collected_by_amazon)

    @api.model
    def _amazon_find_or_create(self, company, country, name, values, collected_by_amazon):
        domain = [
            ("company_id", "=", company.id),
            ("amazon_generated", "=", True),
            ("amazon_collected_by_amazon", "=", collected_by_amazon),
            ("amazon_tax_country_id", "=", country.id),
            ("type_tax_use", "=", "sale"),
            ("amount_type", "=", values["amount_type"]),
            ("amount", "=", values["amount"]),
            ("price_include_override", "=", "tax_included"),
        ]
        tax = self.with_context(active_test=False).search(domain, limit=1)
        if tax:
            return tax
        report_country = self._amazon_report_country(company, country)
        if collected_by_amazon:
            group_name = self.env._("Collected by Amazon")
            group = self._amazon_tax_group(company, group_name)
            account = self._amazon_clearing_account(company)
        else:
            group_name = self.env._("Sales tax")
            group = self._amazon_tax_group(company, group_name, report_country)
            account = self._amazon_sales_tax_account(company)
        return self.sudo().create(
            {
                "name": name,
                "description": group_name,
                "invoice_label": group_name,
                "company_id": company.id,
                "country_id": report_country.id,
                "amazon_tax_country_id": country.id,
                "amazon_generated": True,
                "amazon_collected_by_amazon": collected_by_amazon,
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
                "tax_group_id": group.id,
                **values,
                **self._amazon_repartition(account),
            }
        )

    @api.model
    def _amazon_clearing_account(self, company):
        """Where tax collected by Amazon goes: Amazon keeps it back from the payout."""
        Account = self.env["account.account"].sudo().with_company(company)
        account = Account.search(
            [("code", "=", FACILITATOR_ACCOUNT_CODE), *Account._check_company_domain(company)],
            limit=1,
        )
        return account or Account.create(
            {
                "code": FACILITATOR_ACCOUNT_CODE,
                "name": self.env._("Tax collected and remitted by Amazon"),
                "account_type": "liability_current",
                "reconcile": True,
                "company_ids": [Command.link(company.id)],
            }
        )

    # -- shared ---------------------------------------------------------------------------------

    @api.model
    def _amazon_sales_tax_account(self, company):
        """The account of the company's default sales tax (its chart's output tax account)."""
        return company.account_sale_tax_id.invoice_repartition_line_ids.filtered(
            lambda line: line.repartition_type == "tax"
        )[:1].account_id

    @api.model
    def _amazon_tax_group(self, company, name, country=None):
        Group = self.env["account.tax.group"].sudo()
        domain = [("company_id", "=", company.id), ("name", "=", name)]
        domain.append(("country_id", "=", country.id if country else False))
        return Group.search(domain, limit=1) or Group.create(
            {
                "name": name,
                "company_id": company.id,
                "country_id": country.id if country else False,
            }
        )

    @api.model
    def _amazon_repartition(self, account):
        """Base and tax repartition for invoices and refunds, the tax on ``account``, no tags."""

        def lines(document_type):
            return [
                Command.create({"document_type": document_type, "repartition_type": "base"}),
                Command.create(
                    {
                        "document_type": document_type,
                        "repartition_type": "tax",
                        "account_id": account.id,
                    }
                ),
            ]

        return {
            "invoice_repartition_line_ids": lines("invoice"),
            "refund_repartition_line_ids": lines("refund"),
        }
