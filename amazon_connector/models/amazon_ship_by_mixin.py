from datetime import datetime, time, timedelta

import pytz
from odoo import api, fields, models
from odoo.osv import expression

# A shipment whose ship-by falls within this many hours is at risk.
AT_RISK_HOURS = 4

SHIP_URGENCIES = [
    ("late", "Late"),
    ("at_risk", "At Risk"),
    ("today", "Due Today"),
    ("later", "Later"),
]


class AmazonShipByMixin(models.AbstractModel):
    """How urgent a merchant-fulfilled Amazon shipment still to make is, by Amazon's ship-by
    date: *late* (past it), *at risk* (within AT_RISK_HOURS), *due today* (before the end of
    the user's day) or *later*; nothing once shipped, cancelled or fulfilled by Amazon.

    The field is searchable, so the lists' filters and the dashboard's figures are the same
    domain, evaluated on the server's clock in the user's time zone.
    """

    _name = "amazon.ship.by.mixin"
    _description = "Amazon Ship-By Urgency"
    # The stored ship-by date the urgency is read from.
    _amazon_ship_by_field = "amazon_latest_ship_date"

    amazon_ship_urgency = fields.Selection(
        SHIP_URGENCIES,
        string="Shipping Urgency",
        compute="_compute_amazon_ship_urgency",
        search="_search_amazon_ship_urgency",
        help="Late: Amazon's ship-by date has passed. At risk: it comes within the next "
        f"{AT_RISK_HOURS} hours. Due today: before the end of the day.",
    )

    def _amazon_to_ship_domain(self):
        """The records still to ship (a model's own terms)."""
        raise NotImplementedError

    @api.model
    def _amazon_urgency_ranges(self):
        """{urgency: (from, to)} on the ship-by date, now; None is open."""
        now = fields.Datetime.now()
        zone = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        local_today = pytz.utc.localize(now).astimezone(zone).date()
        midnight = zone.localize(datetime.combine(local_today + timedelta(days=1), time.min))
        end_of_day = midnight.astimezone(pytz.utc).replace(tzinfo=None)
        at_risk_end = now + timedelta(hours=AT_RISK_HOURS)
        today_end = max(end_of_day, at_risk_end)
        return {
            "late": (None, now),
            "at_risk": (now, at_risk_end),
            "today": (at_risk_end, today_end),
            "later": (today_end, None),
        }

    def _compute_amazon_ship_urgency(self):
        ranges = self._amazon_urgency_ranges()
        to_ship = self.filtered_domain(self._amazon_to_ship_domain()) if self.ids else self
        for record in self:
            ship_by = record[self._amazon_ship_by_field] if record in to_ship else None
            record.amazon_ship_urgency = next(
                (
                    urgency
                    for urgency, (start, end) in ranges.items()
                    if ship_by
                    and (start is None or ship_by >= start)
                    and (end is None or ship_by < end)
                ),
                False,
            )

    def _search_amazon_ship_urgency(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise NotImplementedError(operator)
        values = [value] if operator in ("=", "!=") else list(value)
        ranges = self._amazon_urgency_ranges()
        field = self._amazon_ship_by_field
        domains = []
        for urgency in values:
            if not urgency:
                to_ship = expression.normalize_domain(self._amazon_to_ship_domain())
                domains += [["!", *to_ship], [(field, "=", False)]]
                continue
            start, end = ranges[urgency]
            terms = [(field, "!=", False)]
            if start is not None:
                terms.append((field, ">=", start))
            if end is not None:
                terms.append((field, "<", end))
            domains.append(expression.AND([self._amazon_to_ship_domain(), terms]))
        domain = expression.OR(domains) if domains else expression.FALSE_DOMAIN
        if operator in ("!=", "not in"):
            return ["!", *expression.normalize_domain(domain)]
        return domain
