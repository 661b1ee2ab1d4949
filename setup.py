"""Installs the SP-API emulator package (with Amazon's vendored models) for development.

`pip install -e .` puts ``spapi_emulator`` on the path (``python -m spapi_emulator``, or the
``spapi-emulator`` command) with what it needs (jsonschema, to validate JSON listings feeds).
scripts/setup installs it into Odoo's Python, so the addon's tests find it under Odoo's own
test runner too. The addon is packaged on its own: ``amazon_connector/pyproject.toml``.
"""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent


def model_files():
    """Every file under spapi_emulator/models (Swagger models, JSON schemas, CSV, licences)."""
    models = HERE / "spapi_emulator" / "models"
    package = HERE / "spapi_emulator"
    return sorted(str(p.relative_to(package)) for p in models.rglob("*") if p.is_file())


setup(
    name="amazon-connector-spapi-emulator",
    version="18.0.1.0.0",
    description="Local Amazon SP-API emulator used by the amazon_connector Odoo addon",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    author="amazon_connector contributors",
    license="LGPL-3.0-only AND Apache-2.0",
    python_requires=">=3.10",
    packages=find_packages(include=["spapi_emulator", "spapi_emulator.*"]),
    package_data={"spapi_emulator": model_files()},
    install_requires=["jsonschema>=4,<5"],
    extras_require={"test": ["pytest", "python-amazon-sp-api", "httpx", "freezegun"]},
    entry_points={"console_scripts": ["spapi-emulator = spapi_emulator.__main__:main"]},
)
