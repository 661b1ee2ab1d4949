"""Find the Odoo 18 install and PostgreSQL the scripts use, and build throw-away databases.

Stdlib only: the test runner imports this before it knows whether Odoo exists.

Odoo is looked up, in order, from ``$ODOO_PYTHON`` (a Python that can ``import odoo``), the
project-local ``.local/venv`` that ``scripts/setup`` makes, ``/opt/odoo18/venv/bin/python``,
then ``python3`` on the PATH. PostgreSQL settings come from the
usual ``PGHOST``/``PGPORT``/``PGUSER`` variables (default 127.0.0.1:5432, current user).
"""

import base64
import getpass
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ADDON = "amazon_connector"
BASE_MODULES = "sale_management,sale_stock,stock_delivery,mrp,l10n_de,l10n_eu_oss"
LOCAL_PYTHON = REPO / ".local" / "venv" / "bin" / "python"
CANDIDATES = (str(LOCAL_PYTHON), "/opt/odoo18/venv/bin/python", "python3")


def python_says(python, code):
    """What ``python -c code`` prints (stripped), or None when it fails or cannot start."""
    try:
        out = subprocess.run(
            [python, "-c", code], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def odoo_major(python):
    """The major version of the Odoo that ``python`` imports, or an explanation."""
    major = python_says(python, "import odoo.release as r; print(r.version_info[0])")
    return major or "no Odoo importable"


def find_odoo_python():
    """Return (python, reason): a Python that imports Odoo 18, or None and why not."""
    candidates = [os.environ["ODOO_PYTHON"]] if os.environ.get("ODOO_PYTHON") else []
    candidates += [c for c in CANDIDATES if shutil.which(c)]
    reasons = []
    for python in candidates:
        major = odoo_major(python)
        if major == "18":
            return python, ""
        reasons.append(f"{python}: {'Odoo ' + major if major.isdigit() else major}")
    return None, "; ".join(reasons) or "no Python candidate found"


def pg_settings():
    return {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": os.environ.get("PGPORT", "5432"),
        "user": os.environ.get("PGUSER", getpass.getuser()),
    }


def pg_available():
    pg = pg_settings()
    if not shutil.which("pg_isready"):
        return shutil.which("psql") is not None
    return (
        subprocess.run(
            ["pg_isready", "-h", pg["host"], "-p", pg["port"], "-q"], check=False
        ).returncode
        == 0
    )


def _pg_args():
    pg = pg_settings()
    return ["-h", pg["host"], "-p", pg["port"], "-U", pg["user"]]


def psql(sql, dbname="postgres"):
    return subprocess.run(
        ["psql", *_pg_args(), "-d", dbname, "-tAc", sql],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def database_exists(name):
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def drop_database(name, data_dir):
    subprocess.run(["dropdb", *_pg_args(), "--if-exists", "--force", name], check=False)
    shutil.rmtree(Path(data_dir) / "filestore" / name, ignore_errors=True)


def odoo_addons_path(python):
    odoo_dir = python_says(python, "import odoo, os; print(os.path.dirname(odoo.__file__))")
    if not odoo_dir:
        raise RuntimeError(f"{python} cannot import odoo")
    return f"{odoo_dir}/addons,{REPO}"


def connector_key():
    """This checkout's key for the connector's credentials (``.local/amazon_connector.key``,
    made on first use): tests and the demo seal their credentials with it."""
    path = REPO / ".local" / "amazon_connector.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        # A Fernet key: 32 random bytes, URL-safe base64.
        path.write_text(base64.urlsafe_b64encode(os.urandom(32)).decode())
    return path.read_text().strip()


def write_config(python, data_dir, path):
    pg = pg_settings()
    Path(path).touch(mode=0o600)
    Path(path).write_text(
        "[options]\n"
        f"addons_path = {odoo_addons_path(python)}\n"
        f"data_dir = {data_dir}\n"
        f"db_host = {pg['host']}\n"
        f"db_port = {pg['port']}\n"
        f"db_user = {pg['user']}\n"
        "db_password = False\n"
        "without_demo = all\n"
        "http_interface = 127.0.0.1\n"
        "max_cron_threads = 0\n"
        f"amazon_connector_key = {connector_key()}\n"
    )
    return path


def run_odoo(python, config, args, log_file):
    """Run Odoo (``python -m odoo``) with a config file; return (returncode, log text)."""
    with open(log_file, "w") as log:
        code = subprocess.run(
            [python, "-m", "odoo", "-c", str(config), *args, "--stop-after-init"],
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        ).returncode
    return code, Path(log_file).read_text(errors="replace")


def odoo_fingerprint(python):
    """Names the base template after what is in it, not where Odoo lies: Odoo's release file,
    the names of its addons and the base modules. A clone elsewhere reuses the template."""
    addons = Path(odoo_addons_path(python).split(",")[0])
    digest = hashlib.sha1(BASE_MODULES.encode())
    digest.update((addons.parent / "release.py").read_bytes())
    digest.update(",".join(sorted(p.name for p in addons.iterdir())).encode())
    return digest.hexdigest()[:8]


def base_template(python, config, data_dir, log_dir):
    """A database with Odoo's base sale modules only, built once per Odoo install and reused.

    It never contains this addon, so a test database copied from it and then given
    ``-i amazon_connector`` is a fresh install of the addon.
    """
    tag = odoo_fingerprint(python)
    name = f"amz_base_tpl_{tag}"
    if database_exists(name):
        return name
    building = f"{name}_building"
    drop_database(building, data_dir)
    code, _log = run_odoo(
        python,
        config,
        ["-d", building, "-i", BASE_MODULES, "--without-demo=all"],
        Path(log_dir) / "base-template.log",
    )
    if code != 0:
        raise RuntimeError(f"building the base database failed, see {log_dir}/base-template.log")
    psql(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    src = Path(data_dir) / "filestore" / building
    if src.exists():
        target = Path(data_dir) / "filestore" / name
        shutil.rmtree(target, ignore_errors=True)  # left by a template of another server
        src.rename(target)
    return name


def copy_database(template, name, data_dir):
    drop_database(name, data_dir)
    subprocess.run(["createdb", *_pg_args(), "-T", template, name], check=True)
    src = Path(data_dir) / "filestore" / template
    if src.exists():
        shutil.copytree(src, Path(data_dir) / "filestore" / name)


def addon_problems(log_text):
    """ERROR/WARNING log lines that concern this addon (or any traceback)."""
    problems = []
    for line in log_text.splitlines():
        if (" ERROR " in line or " WARNING " in line or line.startswith("Traceback")) and (
            ADDON in line or "Traceback" in line
        ):
            problems.append(line)
    return problems


def default_data_dir():
    path = Path(
        os.environ.get(
            "AMAZON_CONNECTOR_DATA_DIR", Path(tempfile.gettempdir()) / "amazon_connector-odoo"
        )
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


if __name__ == "__main__":
    found, why = find_odoo_python()
    print(found or f"none: {why}")
    sys.exit(0 if found else 1)
