"""What the benchmarks share: a fresh database with the addon, an emulator seller, a channel.

A benchmark script runs twice: outside Odoo it prepares the database and re-executes itself
with ``--inner CONFIG DB`` in Odoo's Python, where the measured work happens.
"""

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import odoo_env
import project_setup

SELLER = "A1BENCH"
MARKETPLACES = [
    "A1PA6795UKMFR9",
    "A1F83G8C2ARO7P",
    "A13V1IB3VIYZZH",
    "APJ6JRA9NG5V4",
    "A1RKKUPIHCS9HS",
]


def prepare_database(python, workdir, db=None):
    """A fresh database with the addon installed: ``db``, by default amz_bench_<pid>."""
    data_dir = odoo_env.default_data_dir()
    config = odoo_env.write_config(python, data_dir, Path(workdir) / "odoo.conf")
    template = odoo_env.base_template(python, config, data_dir, workdir)
    db = db or f"amz_bench_{os.getpid()}"
    odoo_env.copy_database(template, db, data_dir)
    code, _log = odoo_env.run_odoo(
        python, config, ["-d", db, "-i", odoo_env.ADDON], Path(workdir) / "install.log"
    )
    if code:
        raise SystemExit(f"installing the addon failed, see {workdir}/install.log")
    return config, db, data_dir


def start_emulator(seed):
    """An emulator serving one EU seller (inside Odoo's Python)."""
    from spapi_emulator.server import Emulator

    emulator = Emulator(seed=seed)
    emulator.start()
    emulator.add_seller(
        SELLER,
        "Bench Shop",
        MARKETPLACES,
        client_id="bench-client",
        client_secret="bench-secret",
        refresh_token="Atzr|bench",
    )
    return emulator


def create_channel(env, emulator, **values):
    marketplaces = env["amazon.marketplace"].search([("amazon_id", "in", MARKETPLACES)])
    env["amazon.app"]._get().write(
        {"lwa_client_id": "bench-client", "lwa_client_secret": "bench-secret"}
    )
    return env["amazon.channel"].create(
        {
            "seller_id": SELLER,
            "region": "eu",
            "state": "connected",
            "refresh_token": "Atzr|bench",
            "api_base_url": emulator.base_url,
            "lwa_token_url": f"{emulator.base_url}/auth/o2/token",
            "marketplace_ids": [(6, 0, marketplaces.ids)],
            **values,
        }
    )


def create_catalogue(env):
    """The seller's products in Odoo: one per SKU of the generator's catalogue, found by
    internal reference (a large seller's catalogue is in Odoo before its orders are)."""
    from spapi_emulator.generator import CATALOGUE

    return env["product.product"].create(
        [
            {"name": product.title, "default_code": product.sku, "type": "consu"}
            for product in CATALOGUE
        ]
    )


def main(script, run, add_arguments, db=None):
    """Parse the arguments; prepare a database (``db``, by default amz_bench_<pid>) and re-run
    ``script`` inside Odoo's Python, where ``run(config, db, args)`` does the measuring."""
    parser = argparse.ArgumentParser(description=sys.modules["__main__"].__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--inner", nargs=2, metavar=("CONFIG", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per call otherwise
        run(args.inner[0], args.inner[1], args)
        return 0
    try:
        python = project_setup.ensure_odoo("test")
        cluster = project_setup.ensure_postgres()
    except project_setup.SetupError as exc:
        raise SystemExit(f"set-up failed: {exc}") from exc
    workdir = tempfile.mkdtemp(prefix="amazon_connector-bench-")
    config, db, data_dir = prepare_database(python, workdir, db)
    try:
        env = dict(os.environ, PYTHONPATH=str(odoo_env.REPO))
        argv = [a for a in sys.argv[1:] if a != "--keep-db"]
        return subprocess.run(
            [python, script, "--inner", str(config), db, *argv], env=env, check=False
        ).returncode
    finally:
        if not args.keep_db:
            odoo_env.drop_database(db, data_dir)
        if cluster:
            cluster.stop()


class ProgressWatcher:
    """Reads a channel's committed progress (``columns`` of amazon_channel) every
    ``interval`` seconds from a connection of its own, as a person looking at the channel
    would, while a run goes in the main thread."""

    def __init__(self, db, channel_id, columns, interval=1.0):
        from odoo.sql_db import db_connect

        self.cursor = db_connect(db).cursor()
        self.query = f"SELECT {', '.join(columns)} FROM amazon_channel WHERE id = %s"
        self.channel_id = channel_id
        self.interval = interval
        self.samples = []  # (seconds since start, (column values))
        self.started = time.perf_counter()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self):
        while not self.done.wait(self.interval):
            self.cursor.execute(self.query, [self.channel_id])
            values = tuple(value or 0 for value in self.cursor.fetchone())
            self.cursor.rollback()  # a fresh snapshot for the next reading
            self.samples.append((time.perf_counter() - self.started, values))

    def stop(self):
        self.done.set()
        self.thread.join()
        self.cursor.close()
        return self.samples


def print_progress(run, samples, describe):
    """How the progress shown on the channel moved during ``run``: the number of distinct
    readings, and a dozen of them (``describe(*values)`` words one)."""
    changes = [
        sample for i, sample in enumerate(samples) if i == 0 or sample[1] != samples[i - 1][1]
    ]
    print(
        f"progress on the channel during {run}: {len(samples)} readings, "
        f"{len(changes)} distinct values"
    )
    step = max(1, len(changes) // 12)
    for seconds, values in changes[::step]:
        print(f"  {seconds:7.1f} s: {describe(*values)}")
