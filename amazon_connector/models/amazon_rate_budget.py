from contextlib import contextmanager

from odoo import fields, models
from odoo.sql_db import db_connect
from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from ..services.rate_limiter import SharedRateBudget

_BUDGETS = {}  # database name -> SharedRateBudget


@contextmanager
def _budget_cursor(dbname):
    """A cursor of its own connection, committed at once: spending the budget is never part of
    (nor rolled back with, nor waiting for) a run's transaction. Read committed: each upsert
    works on the row as the last process left it, where Odoo's repeatable read would refuse
    the update of a row another process changed meanwhile (could not serialize access)."""
    cr = db_connect(dbname).cursor()
    cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
    try:
        yield cr
        # Its own connection, never a run's transaction.
        cr.commit()  # pylint: disable=invalid-commit
    finally:
        cr.close()


class AmazonRateBudget(models.Model):
    """Amazon's token bucket of one seller and one operation, as this database spends it.

    Every Odoo process and server of the database reserves its calls here (one row lock per
    call, on PostgreSQL's clock), adopts the rate Amazon reports and empties the bucket after a
    429, so several workers on one seller add up to Amazon's budget instead of each spending a
    budget of its own. Written only through :class:`SharedRateBudget`, never through the ORM.
    Shared by companies like the seller account it meters; it holds no business data.
    """

    _name = "amazon.rate.budget"
    _description = "Amazon Rate Budget"
    _order = "seller_key, operation"
    _rec_name = "operation"
    _log_access = False

    seller_key = fields.Char(required=True, readonly=True, help="Region and seller id.")
    operation = fields.Char(required=True, readonly=True)
    rate = fields.Float(readonly=True, digits=(16, 6), help="Calls per second (Amazon's).")
    burst = fields.Integer(readonly=True)
    tokens = fields.Float(
        readonly=True, digits=(16, 3), help="Calls left now (negative: reserved ahead)."
    )
    refilled_at = fields.Float(readonly=True, digits=(16, 3), help="Technical: epoch seconds.")

    _sql_constraints = [
        (
            "seller_operation_uniq",
            "unique(seller_key, operation)",
            "One budget per seller and operation.",
        ),
    ]

    def _limiter(self):
        """The budget every gateway of this database spends."""
        dbname = self.env.cr.dbname
        if dbname not in _BUDGETS:
            _BUDGETS[dbname] = SharedRateBudget(lambda: _budget_cursor(dbname), table=self._table)
        return _BUDGETS[dbname]
