import logging
from contextlib import contextmanager

from odoo import api, models

from ..services import errors

_logger = logging.getLogger(__name__)

# Keys of the session advisory locks that keep two runs of one kind apart, per channel.
LOCK_NAMESPACES = {
    "order_import": 0x414D5A,  # "AMZ"
    "shipment": 0x414D5A + 1,
    "cancellation": 0x414D5A + 2,
}


class AmazonSyncRunner(models.AbstractModel):
    """What every sync run shares: one run per channel and kind, progress committed as it goes.

    Scheduled runs pass the context key ``amazon_commit`` so that each unit of work is
    committed before the next Amazon call; tests and interactive callers keep their
    transaction.
    """

    _name = "amazon.sync.runner"
    _description = "Amazon Sync Run"
    # The kind of sync log and lock of the inheriting run (a key of LOCK_NAMESPACES).
    _sync_kind = None

    @api.model
    def _run(self, channel, **options):
        """Run for one channel; returns the sync log, or None if another run holds the channel
        or there was nothing to do."""
        with self._channel_lock(channel, self._sync_kind) as locked:
            if not locked:
                _logger.info("Amazon %s of channel %s already running", self._sync_kind, channel.id)
                return None
            return self._run_locked(channel, **options)

    def _run_locked(self, channel, **options):
        raise NotImplementedError

    def _stop(self, channel, log, gateway, error, counters):
        """End a run that Amazon interrupted (quota, outage, authorisation): what is not done
        stays queued for the next run."""
        channel._record_api_failure(error)
        if isinstance(error, errors.AuthorizationRevoked):
            channel._warn_reauthorisation(error)
        log.add_message(self.env._("The run stopped: %(error)s", error=error))
        log.finish(
            state="failed",
            summary=self.env._("Stopped before the end; the next run carries on from there."),
            call_counts=gateway.call_counts,
            **counters,
        )
        self._commit()
        return log

    def _commit(self):
        if self.env.context.get("amazon_commit"):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @contextmanager
    def _channel_lock(self, channel, kind):
        """Yield True if this run holds the channel's lock for ``kind``, False if another does.

        A session-level advisory lock: it survives the commits of the run and is released by
        PostgreSQL if the worker dies.
        """
        key = (LOCK_NAMESPACES[kind], channel.id)
        self.env.cr.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        locked = self.env.cr.fetchone()[0]
        try:
            yield locked
        finally:
            if locked:
                self.env.cr.execute("SELECT pg_advisory_unlock(%s, %s)", key)
