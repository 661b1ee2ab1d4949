"""The addon builds as an OCA-style wheel (whool) that installs where Odoo finds addons."""

import ast
import zipfile
from pathlib import Path

import pytest
from whool import buildapi as whool_buildapi

ADDON_DIR = Path(__file__).resolve().parents[2] / "amazon_connector"
PREFIX = "odoo/addons/amazon_connector/"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ADDON_DIR)  # a PEP 517 backend builds the project in the current folder
        name = whool_buildapi.build_wheel(str(out))
    with zipfile.ZipFile(out / name) as archive:
        yield name, archive.namelist(), archive


def test_wheel_is_named_after_the_addon_and_its_series(wheel):
    name, _files, _archive = wheel
    assert name.startswith("odoo_addon_amazon_connector-18.0.")
    assert name.endswith("-py3-none-any.whl")


def test_wheel_installs_under_odoo_addons_with_everything_the_manifest_loads(wheel):
    _name, files, _archive = wheel
    manifest = ast.literal_eval((ADDON_DIR / "__manifest__.py").read_text())
    assert f"{PREFIX}__manifest__.py" in files
    missing = [data for data in manifest["data"] if PREFIX + data not in files]
    assert not missing, f"manifest data files left out of the wheel: {missing}"
    python_files = {
        PREFIX + str(path.relative_to(ADDON_DIR))
        for path in ADDON_DIR.rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert python_files - set(files) == set()
    for bundle, globs in manifest["assets"].items():
        for pattern in globs:
            shipped = [
                f for f in files if Path(f).match(PREFIX.replace("amazon_connector/", "") + pattern)
            ]
            assert shipped, f"{bundle}: nothing of {pattern} in the wheel"
    assert not [f for f in files if not f.startswith(PREFIX) and ".dist-info/" not in f]


def test_wheel_declares_odoo_and_the_python_requirements(wheel):
    _name, files, archive = wheel
    metadata = archive.read(next(f for f in files if f.endswith(".dist-info/METADATA")))
    requires = {
        line.split(":", 1)[1].strip()
        for line in metadata.decode().splitlines()
        if line.startswith("Requires-Dist:")
    }
    assert "odoo==18.0.*" in requires
    # The manifest's names, with the version ranges of pyproject.toml.
    assert "python-amazon-sp-api>=2.1.35,<3" in requires
    assert "httpx>=0.27,<1" in requires
