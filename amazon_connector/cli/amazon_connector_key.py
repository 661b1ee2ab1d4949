import argparse
import sys

from odoo import SUPERUSER_ID, api
from odoo.cli import Command
from odoo.modules.registry import Registry
from odoo.tools import config

from ..services.credential_box import generate_key
from ..services.errors import CredentialsUnavailable


class AmazonConnectorKey(Command):
    """Generate the Amazon connector's encryption key, or re-encrypt credentials with a new one"""

    name = "amazon_connector_key"

    def run(self, cmdargs):
        parser = argparse.ArgumentParser(
            prog="odoo-bin amazon_connector_key",
            description=(
                "generate: print a new key for amazon_connector_key. rotate: re-encrypt every "
                "stored Amazon credential of the databases (-d) with the first key of "
                "amazon_connector_key; list the new key first and the old one after a comma, "
                "run rotate, then remove the old key. Other options are Odoo's (-c, -d...)."
            ),
        )
        parser.add_argument("action", choices=["generate", "rotate"])
        options, odoo_args = parser.parse_known_args(cmdargs)
        if options.action == "generate":
            sys.stdout.write(generate_key() + "\n")
            return
        config.parse_config(odoo_args)
        databases = [name for name in (config["db_name"] or "").split(",") if name]
        if not databases:
            sys.exit("Name the database(s) with -d.")
        for database in databases:
            with Registry(database).cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                try:
                    changed = env["amazon.credential.vault"]._reseal_all()
                except CredentialsUnavailable as error:
                    sys.exit(f"{database}: {env['amazon.error']._describe(error)}")
                sys.stdout.write(
                    f"{database}: {changed} credential(s) re-encrypted with the first key.\n"
                )
