import logging
import math
import random
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import psycopg2.errors
from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.sql_db import db_connect

from ..services import errors

_logger = logging.getLogger(__name__)

# A run that meets another transaction on the same rows (a deadlock, a row changed since the
# run's snapshot, a lock not granted in time) starts again from what it committed, after a
# short random pause: this many attempts in a row at most that committed no unit of work (a
# run that gets on between meetings, like four readers of one busy queue, goes on).
CONCURRENCY_ATTEMPTS = 5
# Those errors, and a unique key another worker took first (two channels creating the same
# warehouse or tax at once): under repeatable read only a new transaction sees the other's row.
CONCURRENCY_ERRORS = (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, psycopg2.errors.UniqueViolation)

# Keys of the session advisory locks that keep two runs of one kind apart, per channel.
LOCK_NAMESPACES = {
    "order_import": 0x414D5A,  # "AMZ"
    "shipment": 0x414D5A + 1,
    "cancellation": 0x414D5A + 2,
    "connection": 0x414D5A + 3,
    "invoicing": 0x414D5A + 4,
    "listing_import": 0x414D5A + 5,
    "listing_export": 0x414D5A + 6,
    "fba_inventory": 0x414D5A + 7,
    "redaction": 0x414D5A + 8,
    "notifications": 0x414D5A + 9,
}


@dataclass
class SyncRun:
    """One run of one capability for one channel, as the template hands it to the capability."""

    channel: Any
    log: Any
    gateway: Any  # None for a capability that does not call Amazon
    options: dict
    counts: Counter = field(default_factory=Counter)


@dataclass
class RunAttempts:
    """The attempts of one scheduled run that meets other transactions (see :meth:`_run`)."""

    stalled: int = 0  # attempts in a row that ended without committing a unit of work
    units: int = 0  # units the current attempt committed
    run: SyncRun | None = None  # the current attempt, once it opened its log
    committed: Counter = field(default_factory=Counter)  # its counts as of its last commit

    def started(self, run):
        self.run, self.units, self.committed = run, 0, Counter()

    def unit_committed(self):
        self.units += 1
        if self.run:
            self.committed = Counter(self.run.counts)

    def next(self):
        self.stalled = 0 if self.units else self.stalled + 1
        self.units, self.run = 0, None

    def may_start_again(self):
        return bool(self.units) or self.stalled + 1 < CONCURRENCY_ATTEMPTS


class AmazonSyncRunner(models.AbstractModel):
    """The one way a sync run works; every capability (order import, shipment confirmation,
    cancellations, connection test, invoicing) inherits it and supplies only its own steps.

    The template (:meth:`_run`): take the channel's lock for this kind, close the logs of runs
    that died, find what is pending, open the log, build the gateway (unless the capability
    calls no Amazon API, ``_calls_amazon``), let the capability process the work unit by unit
    (committing after each in scheduled runs), then record success, or stop on an Amazon
    error and schedule the retry. The scheduler entry point (:meth:`_cron`) runs it for each
    channel whose turn it is.

    A capability sets ``_sync_kind`` (a key of LOCK_NAMESPACES and of the log kinds) and
    implements :meth:`_pending`, :meth:`_process` and :meth:`_summary`; :meth:`_succeeded`,
    :meth:`_interval`, :meth:`_serve_domain` and :meth:`_due` are there to extend.

    Scheduled runs pass the context key ``amazon_commit`` so that each unit of work is
    committed before the next Amazon call; tests and interactive callers keep their
    transaction.
    """

    _name = "amazon.sync.runner"
    _description = "Amazon Sync Run"
    _sync_kind = None
    # Whether the scheduler runs this capability (and so keeps its schedule and retries).
    _scheduled = True
    # Whether the run talks to Amazon: only then is there a gateway, are its calls counted on
    # the log, and does the run's success say anything about the channel's connection.
    _calls_amazon = True
    # Whether one run at a time per channel (the channel's lock for the kind). A capability
    # whose units are safe to share out (messages of a queue) lets several workers run at once.
    _exclusive = True

    # -- what a capability supplies -------------------------------------------------------------

    def _pending(self, channel, **options):
        """The work of this run (anything truthy), or a falsy value when there is none."""
        raise NotImplementedError

    def _process(self, run, work):
        """Do the work, counting outcomes in ``run.counts`` and calling :meth:`_commit` after
        each unit. Amazon errors that should stop the run propagate."""
        raise NotImplementedError

    def _summary(self, run):
        raise NotImplementedError

    def _succeeded(self, run):
        """Hook: what the capability records once the whole run succeeded."""

    def _stopped_summary(self, run, message, retry_at):
        """The log's summary of a run Amazon stopped (``retry_at``: when it goes again)."""
        if retry_at:
            return self.env._(
                "Stopped before the end; retrying at %(time)s, from where it stopped.",
                time=self.env["amazon.sync.schedule"]._format_time(retry_at),
            )
        return self.env._("Stopped before the end; the next run carries on from there.")

    def _gateway_options(self):
        """Options of this capability's gateway (e.g. no retries when someone waits)."""
        return {}

    def _interval(self, channel):
        """Minutes between two scheduled runs of this capability on ``channel``."""
        return 5

    def _serve_domain(self):
        """Channels the scheduler serves: any connected one, and one whose last run failed
        (it retries by itself); a revoked authorisation waits for an admin."""
        return [("state", "in", ("connected", "error"))]

    def _due(self, channel, now):
        schedule = channel.sync_schedule_ids.filtered(lambda s: s.kind == self._sync_kind)
        return not schedule or schedule._due(now, self._interval(channel))

    # -- the template ---------------------------------------------------------------------------

    @api.model
    def _cron(self, channels=None, **options):
        """Scheduled run: every channel whose turn it is (of ``channels``, default all),
        committing as it goes."""
        now = fields.Datetime.now()
        runner = self.with_context(amazon_commit=self.env.context.get("amazon_commit", True))
        scope = [] if channels is None else [("id", "in", channels.ids)]
        requested = (
            self.env["amazon.sync.schedule"]
            .search(
                [
                    ("kind", "=", self._sync_kind),
                    ("requested", "=", True),
                    *[("channel_id." + term[0], *term[1:]) for term in scope],
                ]
            )
            .channel_id
        )
        channels = self.env["amazon.channel"].search(self._serve_domain() + scope) | requested
        for channel in channels:
            if channel in requested or runner._due(channel, now):
                runner._run(channel, **options)

    def _run(self, channel, **options):
        """Run for one channel; returns the sync log, or None if another run holds the channel
        or there was nothing to do.

        Scheduled runs that meet another worker's transaction on the same rows (two channels
        activating one currency, two readers of one queue on one order) roll back to their
        last commit and start again from there: what is committed is never done twice."""
        attempts = RunAttempts()
        runner = self.with_context(amazon_attempts=attempts)
        while True:
            try:
                return runner._run_once(channel, **options)
            except CONCURRENCY_ERRORS as error:
                if not runner._starts_again():
                    raise
                self.env.cr.rollback()
                self.env.invalidate_all()
                _logger.info(
                    "Amazon %s of channel %s met another transaction (%s); starting again",
                    self._sync_kind,
                    channel.id,
                    error.pgcode,
                )
                self._interrupted(attempts)
                attempts.next()
                self._commit()
                time.sleep(random.uniform(0.1, 0.5) * (attempts.stalled + 1))

    def _interrupted(self, attempts):
        """Close the log of an attempt that met another transaction, with what it committed."""
        run = attempts.run
        if not run or not run.log.exists() or run.log.state != "running":
            return
        run.log.finish(
            state="interrupted",
            summary=self.env._(
                "Another run changed the same records at that moment; the run started again "
                "from what it had committed. The counts are what this attempt committed."
            ),
            call_counts=run.gateway.call_counts if run.gateway else None,
            **attempts.committed,
        )

    def _starts_again(self):
        """Whether a concurrency error now makes the run start again from its last commit
        (scheduled runs, unless their last attempts committed nothing). A unit that meets one
        lets it through then; otherwise it fails alone, like any other bad unit."""
        attempts = self.env.context.get("amazon_attempts")
        return (
            bool(self.env.context.get("amazon_commit"))
            and attempts is not None
            and attempts.may_start_again()
        )

    def _run_once(self, channel, **options):
        with self._channel_lock(channel) as locked:
            if not locked:
                _logger.info("Amazon %s of channel %s already running", self._sync_kind, channel.id)
                return None
            self._close_interrupted_logs(channel)
            schedule = channel._sync_schedule(self._sync_kind) if self._scheduled else None
            if schedule:
                schedule._started(shared=not self._exclusive)
            work = self._pending(channel, **options)
            if not work:
                if schedule:
                    schedule._succeeded(shared=not self._exclusive)
                self._commit()
                return None
            log = self.env["amazon.sync.log"].create(
                {"channel_id": channel.id, "kind": self._sync_kind}
            )
            self._commit()
            run = SyncRun(channel, log, None, options)
            attempts = self.env.context.get("amazon_attempts")
            if attempts is not None:
                attempts.started(run)
            try:
                if self._calls_amazon:
                    run.gateway = channel._get_gateway(**self._gateway_options())
                self._process(run, work)
            except errors.BudgetExhausted as pause:
                return self._paused(run, schedule, pause)
            except (errors.AmazonError, errors.CredentialsUnavailable) as error:
                return self._stopped(run, schedule, error)
            gateway = run.gateway
            self._succeeded(run)
            if self._calls_amazon:
                channel._record_api_success()
            if schedule:
                schedule._succeeded(shared=not self._exclusive)
            log.finish(
                summary=self._summary(run),
                call_counts=gateway.call_counts if gateway else None,
                **run.counts,
            )
            self._commit()
            return log

    def _stopped(self, run, schedule, error):
        """End a run that Amazon interrupted: what is not done stays pending, and the
        scheduler tries again later by itself, unless the authorisation was revoked."""
        channel, log = run.channel, run.log
        message = self.env["amazon.error"]._describe(error)
        channel._record_api_failure(error, message)
        retry_at = schedule._failed(message, error) if schedule else None
        summary = self._stopped_summary(run, message, retry_at)
        log.add_message(self.env._("The run stopped: %(error)s", error=message))
        log.finish(
            state="failed",
            summary=summary,
            call_counts=run.gateway.call_counts if run.gateway else None,
            **run.counts,
        )
        self._commit()
        return log

    def _paused(self, run, schedule, pause):
        """End a run that would have to wait too long for the seller's rate budget: what is
        committed stays, and the next run goes on from there once the budget allows it. Not a
        failure: the channel stays connected and nobody is told to act."""
        resume_at = fields.Datetime.now() + timedelta(seconds=math.ceil(pause.retry_after))
        if schedule:
            schedule._paused(resume_at)
        if self._calls_amazon:
            run.channel._record_api_success()
        summary = self._summary(run) + " " + self._paused_summary(run, pause, resume_at)
        run.log.finish(
            state="paused",
            summary=summary,
            call_counts=run.gateway.call_counts if run.gateway else None,
            **run.counts,
        )
        self._commit()
        return run.log

    def _paused_summary(self, run, pause, resume_at):
        return self.env._(
            "Paused within Amazon's budget for %(operation)s; it goes on from here at %(time)s.",
            operation=pause.data.get("operation"),
            time=self.env["amazon.sync.schedule"]._format_time(resume_at),
        )

    def _close_interrupted_logs(self, channel):
        """Logs of this kind still *running* belong to runs that died (server stopped, worker
        killed, database error): we hold the lock, so none of them is alive."""
        domain = [
            ("channel_id", "=", channel.id),
            ("kind", "=", self._sync_kind),
            ("state", "=", "running"),
        ]
        if not self._exclusive:
            # Runs of this kind may be alive on other workers; none lasts an hour.
            domain.append(("started", "<", fields.Datetime.now() - timedelta(hours=1)))
        dead = self.env["amazon.sync.log"].search(domain)
        for log in dead:
            log.finish(
                state="interrupted",
                summary=self.env._(
                    "Interrupted (the server stopped or the run died); a later run carried on "
                    "from the last unit of work committed."
                ),
            )

    def _report_progress(self, run, done, remaining, **channel_values):
        """How far a long run has come: on the channel (``channel_values``, which its form and
        dashboard card show) and on Odoo's scheduled-action progress. Visible to others once
        the caller commits."""
        run.channel.write(channel_values)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    def _commit(self):
        """Commit a unit of work (scheduled runs only)."""
        if self.env.context.get("amazon_commit"):
            self.env.cr.commit()  # pylint: disable=invalid-commit
            attempts = self.env.context.get("amazon_attempts")
            if attempts is not None:
                attempts.unit_committed()

    @contextmanager
    def _channel_lock(self, channel):
        """Yield True if this run holds the channel's lock for its kind, False if another does.

        A session-level advisory lock on a connection of its own: it survives the run's commits,
        and it is released even when the run dies on a database error (the run's own
        transaction is then aborted and could not release it). PostgreSQL releases it too if
        the worker process dies.
        """
        if not self._exclusive:
            yield True
            return
        key = (LOCK_NAMESPACES[self._sync_kind], channel.id)
        cursor = db_connect(self.env.cr.dbname).cursor()
        locked = False
        try:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
            locked = cursor.fetchone()[0]
            yield locked
        finally:
            if locked:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
            cursor.close()
