from datetime import timedelta

from odoo import fields, models
from odoo.tools import format_datetime

from ..services import errors
from .amazon_sync_log import SYNC_KINDS

# How stale a shared kind's last attempt or success may be before a run writes it again.
SHARED_RESOLUTION = timedelta(seconds=30)
# Waits before the next attempt after 1, 2, 3... consecutive failed runs; the last one repeats.
RETRY_DELAYS = (
    timedelta(minutes=2),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(minutes=30),
    timedelta(hours=1),
)


class AmazonSyncSchedule(models.Model):
    """When a channel's runs of one kind are due, and why the next one waits.

    One row per channel and kind, written only by the run template under the channel's lock
    for that kind. A failed run sets ``retry_at`` with a delay that grows with each failure in
    a row (RETRY_DELAYS), so a channel never needs a person to resume, except when Amazon
    revoked the authorisation.
    """

    _name = "amazon.sync.schedule"
    _inherit = "amazon.channel.record"
    _description = "Amazon Sync Schedule"
    _order = "channel_id, kind"

    channel_id = fields.Many2one("amazon.channel", required=True, ondelete="cascade", index=True)
    kind = fields.Selection(SYNC_KINDS, required=True)
    last_attempt = fields.Datetime(readonly=True)
    last_success = fields.Datetime(readonly=True)
    failures = fields.Integer(readonly=True, help="Failed runs in a row.")
    retry_at = fields.Datetime(string="Next Attempt", readonly=True)
    last_error = fields.Text(readonly=True)
    requested = fields.Boolean(help="Technical: someone asked for a run now.")

    _sql_constraints = [
        ("channel_kind_uniq", "unique(channel_id, kind)", "One schedule per channel and kind."),
    ]

    def _due(self, now, interval_minutes):
        self.ensure_one()
        if self.retry_at:
            # After a failure, or a run paused for the rate budget: not before that moment.
            return now >= self.retry_at
        if self.requested or not self.last_attempt or self.failures:
            # A failure with no retry moment: the cause was put right (a key back, an admin).
            return True
        return now >= self.last_attempt + timedelta(minutes=interval_minutes or 5)

    def _started(self, shared=False):
        """Record a run's start. ``shared``: runs of this kind go on in several workers at
        once (the notification consumer); the row is then written only when it says something
        new, since every write of it is a point where those workers' transactions meet."""
        now = fields.Datetime.now()
        if shared and not self.requested and self._recent(self.last_attempt, now):
            return
        self.write({"last_attempt": now, "requested": False})

    def _succeeded(self, shared=False):
        now = fields.Datetime.now()
        clean = not (self.failures or self.retry_at or self.last_error)
        if shared and clean and self._recent(self.last_success, now):
            return
        self.write({"last_success": now, "failures": 0, "retry_at": False, "last_error": False})

    @staticmethod
    def _recent(moment, now):
        return bool(moment) and abs(now - moment) < SHARED_RESOLUTION

    def _paused(self, resume_at):
        """The run stopped to wait for the rate budget; it goes on at ``resume_at``."""
        self.write({"retry_at": resume_at})

    def _failed(self, message, error):
        """Record a failed run; returns when the scheduler tries again (None: it waits for an
        admin, because Amazon revoked the authorisation)."""
        failures = self.failures + 1
        retry_at = None
        if not isinstance(error, errors.AuthorizationRevoked):
            delay = RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1]
            if isinstance(error, errors.Throttled):
                delay = max(delay, timedelta(seconds=error.retry_after))
            retry_at = fields.Datetime.now() + delay
        self.write({"failures": failures, "retry_at": retry_at, "last_error": message})
        return retry_at

    def _format_time(self, moment):
        """A moment as the user reads it (their time zone and language)."""
        return format_datetime(self.env, moment, dt_format="short")

    def _retry_note(self):
        """'Order import: retrying at 10:42 after: ...' for each kind that is waiting."""
        labels = dict(self._fields["kind"]._description_selection(self.env))
        notes = []
        for schedule in self.filtered("failures"):
            if schedule.retry_at:
                notes.append(
                    self.env._(
                        "%(kind)s: retrying at %(time)s after: %(error)s",
                        kind=labels[schedule.kind],
                        time=self._format_time(schedule.retry_at),
                        error=schedule.last_error,
                    )
                )
            else:
                notes.append(
                    self.env._(
                        "%(kind)s: stopped until an administrator acts: %(error)s",
                        kind=labels[schedule.kind],
                        error=schedule.last_error,
                    )
                )
        return "\n".join(notes)
