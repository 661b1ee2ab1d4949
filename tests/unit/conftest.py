"""Import the addon's Odoo-free service layer without importing Odoo.

``amazon_connector/__init__.py`` imports the models (and so Odoo); registering a bare package
object for ``amazon_connector`` lets ``amazon_connector.services`` load on its own.
"""

import sys
import types
from pathlib import Path

ADDON_DIR = Path(__file__).resolve().parents[2] / "amazon_connector"

if "amazon_connector" not in sys.modules:
    package = types.ModuleType("amazon_connector")
    package.__path__ = [str(ADDON_DIR)]
    sys.modules["amazon_connector"] = package
