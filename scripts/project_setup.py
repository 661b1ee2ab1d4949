"""Set a machine up for the demo and the tests: Odoo 18 and PostgreSQL, found or made.

Stdlib only: it runs before anything is installed. ``scripts/setup`` runs it alone;
``scripts/demo`` and ``scripts/test`` run it first.

Odoo 18 is looked up as ``odoo_env.find_odoo_python`` says. When none is found, Odoo 18.0 is
installed into ``.local/`` (git-ignored):

- its source from ``$ODOO_SOURCE`` (a source archive, a checkout folder, or an http(s) URL of
  an archive), by default Odoo's official 18.0 nightly source archive;
- ``.local/venv``, a virtual environment with the pinned packages of
  ``scripts/odoo18-requirements.txt`` (binary wheels only, so no compiler or header files are
  needed) and a ``.pth`` file that makes the source importable;
- this repository's requirements: the addon's, the emulator (``pip install -e .``) and, for
  the tests, ``requirements-dev.txt``.

PostgreSQL is the server that ``PGHOST``/``PGPORT``/``PGUSER`` point at. When none answers and
PostgreSQL's ``initdb`` and ``pg_ctl`` are on the machine, a private cluster is made in
``.local/postgres`` and started on a free port of 127.0.0.1 (as the ``postgres`` system user
when the current user is root, since PostgreSQL refuses to run as root); the PG* variables of
this process then point at it, so everything started afterwards uses it.

Each step prints its duration; a second run finds everything in seconds; a failure raises
``SetupError`` whose message says what to do.
"""

import ast
import getpass
import hashlib
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
import zipfile
from pathlib import Path

import odoo_env

REPO = odoo_env.REPO
LOCAL = REPO / ".local"
VENV = LOCAL / "venv"
SOURCE_DIR = LOCAL / "odoo-source"
PG_DIR = LOCAL / "postgres"
PINS = REPO / "scripts" / "odoo18-requirements.txt"
MOTO_VENV = LOCAL / "moto-venv"
MOTO_PINS = REPO / "scripts" / "moto-requirements.txt"
DEFAULT_ODOO_SOURCE = "https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz"
# Pure-Python packages published only as source; everything else must come as a wheel.
SOURCE_ONLY = "docopt,ofxparse,vobject"
SUPPORTED_PYTHONS = ("3.11",)
DEMO_IMPORTS = "import odoo.release, sp_api, httpx, boto3, jsonschema, spapi_emulator"
TEST_IMPORTS = DEMO_IMPORTS + ", pytest, pytest_odoo, freezegun, whool, websocket"


class SetupError(Exception):
    """A set-up step failed; the message says what happened and what to do."""


def say(message):
    print(f"== setup: {message}", flush=True)


class Step:
    """``with Step("what"):`` prints what is done and how long it took."""

    def __init__(self, what):
        self.what = what
        self.started = 0.0

    def __enter__(self):
        self.started = time.monotonic()
        return self

    def __exit__(self, kind, value, traceback):
        elapsed = time.monotonic() - self.started
        outcome = "done" if kind is None else "FAILED"
        say(f"{self.what}: {outcome} in {elapsed:.1f} s")
        return False


def run(command, what, **kwargs):
    """Run ``command``; on failure raise SetupError with the end of its output."""
    result = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    if result.returncode:
        output = (result.stdout + result.stderr).strip().splitlines()
        tail = "\n   ".join(output[-15:])
        raise SetupError(f"{what} failed (exit {result.returncode}):\n   {tail}")
    return result.stdout


# -- Odoo ------------------------------------------------------------------------------------


def ensure_odoo(purpose="test"):
    """Return a Python that imports Odoo 18 and this project's requirements for ``purpose``
    ("demo" or "test"), installing what is missing."""
    with Step("Odoo 18"):
        python, why_not = odoo_env.find_odoo_python()
        if python and Path(python) == odoo_env.LOCAL_PYTHON:
            say(f"Odoo 18 found in {LOCAL}")
            python = refresh_local_odoo()
        elif python:
            say(f"Odoo 18 found: {python}")
        else:
            say(f"no Odoo 18 found ({why_not}); installing one into {LOCAL}")
            python = install_local_odoo()
    with Step("this repository's requirements"):
        ensure_requirements(python, purpose)
    if purpose == "test":
        with Step("Chromium for the browser tests"):
            ensure_browser()
        with Step("an SQS-compatible server (moto) for the notification tests"):
            ensure_sqs_server()
    return python


BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def ensure_browser():
    """Chromium or Chrome on PATH, as Odoo's HttpCase looks for it; installs Debian's package
    when this runs as root on a Debian-like system. Says what to do otherwise (the browser
    tests then fail, they are never silently skipped)."""
    found = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
    if found:
        say(f"found {found}")
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("not found; installing Debian's chromium package")
        run(["apt-get", "update", "-qq"], "apt-get update")
        run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
            "installing chromium",
            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
        )
        return shutil.which("chromium")
    say(
        "not found: install Chromium or Google Chrome (Debian/Ubuntu: apt-get install "
        "chromium; macOS: brew install --cask chromium) for the browser tests"
    )
    return None


def ensure_sqs_server():
    """``.local/moto-venv/bin/moto_server``: moto's server mode, the real SQS-compatible server
    the notification tests talk to, in a virtual environment of its own (its Flask and Werkzeug
    are not Odoo's pins); reused while ``scripts/moto-requirements.txt`` is unchanged."""
    server = MOTO_VENV / "bin" / "moto_server"
    stamp = MOTO_VENV / ".moto-setup"
    wanted = file_hash(MOTO_PINS)
    if server.exists() and stamp.exists() and stamp.read_text() == wanted:
        say(f"found {server}")
        return server
    LOCAL.mkdir(exist_ok=True)
    if not (MOTO_VENV / "bin" / "python").exists():
        run([sys.executable, "-m", "venv", str(MOTO_VENV)], "creating moto's virtual environment")
    say(f"installing {MOTO_PINS.name} into {MOTO_VENV}")
    pip_install(MOTO_VENV / "bin" / "python", ["-r", str(MOTO_PINS)], "installing moto")
    stamp.write_text(wanted)
    return server


def install_local_odoo():
    LOCAL.mkdir(exist_ok=True)
    source = os.environ.get("ODOO_SOURCE") or DEFAULT_ODOO_SOURCE
    with Step(f"Odoo 18.0 source from {source}"):
        odoo_dir = odoo_source(source)
    with Step(f"virtual environment {VENV} with Odoo's pinned packages"):
        python = odoo_venv(odoo_dir)
    return python


def refresh_local_odoo():
    """Keep the project-local Odoo as it is unless ``$ODOO_SOURCE`` or the pins changed."""
    source = os.environ.get("ODOO_SOURCE")
    if source:
        odoo_dir = odoo_source(source)
    else:
        stamp = VENV / ".odoo-setup"
        if not stamp.exists():
            return str(odoo_env.LOCAL_PYTHON)  # made by hand: leave it as it is
        odoo_dir = json.loads(stamp.read_text())["odoo"]
    return odoo_venv(odoo_dir)


def odoo_source(source):
    """The folder that holds Odoo 18's ``odoo`` package, unpacked from ``source`` if needed."""
    path = Path(source).expanduser()
    if path.is_dir():
        found = find_odoo_root(path)
        if not found:
            raise SetupError(
                f"ODOO_SOURCE={source} is a folder without Odoo's source (no odoo/release.py)."
                "\n   Point ODOO_SOURCE at a checkout of Odoo's 18.0 branch or at its source "
                "archive."
            )
        return found
    identity = source_identity(source, path)
    stamp = SOURCE_DIR / ".source"
    if stamp.exists() and stamp.read_text() == identity:
        found = find_odoo_root(SOURCE_DIR)
        if found:
            say(f"already unpacked in {found}")
            return found
    archive = path if path.is_file() else download(source)
    shutil.rmtree(SOURCE_DIR, ignore_errors=True)
    SOURCE_DIR.mkdir(parents=True)
    unpack(archive, SOURCE_DIR)
    found = find_odoo_root(SOURCE_DIR)
    if not found:
        raise SetupError(f"{source} holds no Odoo source (no odoo/release.py inside).")
    complete_trimmed_source(found)
    stamp.write_text(identity)
    say(f"unpacked into {found}")
    return found


# -- Trimmed source archives ------------------------------------------------------------------
# A source archive trimmed to some modules (such as the one these machines carry) still holds
# modules that refer to modules it left out: base's data names module categories that only
# their manifests create, ``payment`` loads their icons, ``payment`` and ``resource`` import
# them. Odoo cannot create a database from such a source. The set-up completes its own unpacked
# copy (never a checkout of the user's) with an uninstallable placeholder per missing module,
# holding just what is referred to, and says so.

# Python names imported from left-out modules, and what stands in for them.
STAND_INS = {
    ("hr_work_entry_contract.models.hr_work_intervals", "WorkIntervals"): (
        "from odoo.addons.resource.models.utils import Intervals as WorkIntervals"
    ),
}
# The smallest valid PNG (1x1, transparent), for image files that are referred to.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def complete_trimmed_source(odoo_dir):
    addons = odoo_dir / "odoo" / "addons"
    present = {p.parent.name for p in addons.glob("*/__manifest__.py")}
    placeholders = {}

    def placeholder(module):
        return placeholders.setdefault(module, {"category": None, "files": {}})

    missing_categories, known = missing_module_categories(addons)
    for xmlid, category in category_names(known, missing_categories).items():
        placeholder(f"placeholder_{xmlid}")["category"] = category
    for module, relative in referenced_files(addons):
        if module not in present:
            content = PNG_1X1 if relative.endswith(".png") else b""
            placeholder(module)["files"][relative] = content
    for module, dotted, name in python_imports(addons):
        if module in present:
            continue
        files = placeholder(module)["files"]
        parts = dotted.split(".")[1:]
        for depth in range(len(parts)):
            files.setdefault("/".join([*parts[:depth], "__init__.py"]), b"")
        if name:
            stand_in = STAND_INS.get((dotted, name))
            if not stand_in:
                raise SetupError(
                    f"this Odoo source lacks the module '{module}', from which other modules "
                    f"import {dotted}.{name}.\n   Use a complete Odoo 18.0 source (ODOO_SOURCE)."
                )
            module_file = "/".join(parts) + ".py" if parts else "__init__.py"
            files[module_file] = (stand_in + "\n").encode()
    for module, content in placeholders.items():
        write_placeholder(addons / module, content["category"], content["files"])
    if placeholders:
        say(
            f"this source is trimmed: added {len(placeholders)} uninstallable placeholder "
            f"modules for what its modules refer to ({', '.join(sorted(placeholders))})"
        )


def write_placeholder(folder, category, files):
    folder.mkdir(exist_ok=True)
    manifest = {
        "name": f"Placeholder for {folder.name}",
        "summary": "Left out of a trimmed Odoo source; added by amazon_connector's scripts/setup",
        "license": "LGPL-3",
        "installable": False,
    }
    if category:
        manifest["category"] = category
    (folder / "__manifest__.py").write_text(repr(manifest) + "\n")
    (folder / "__init__.py").touch()
    for relative, content in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if relative.endswith(".py") and target.exists() and not content:
            continue
        target.write_bytes(content)


def referenced_files(addons):
    """(module, path) of every ``file="module/path"`` in the modules' XML data."""
    found = set()
    for xml in addons.glob("*/**/*.xml"):
        if "/tests/" in str(xml):
            continue
        for module, relative in re.findall(r'file="([a-z0-9_]+)/([^"]+)"', xml.read_text()):
            found.add((module, relative))
    return sorted(found)


def python_imports(addons):
    """(module, dotted path, name or None) of ``odoo.addons.X`` imports outside tests."""
    found = set()
    pattern = re.compile(
        r"^\s*(?:from\s+odoo\.addons\.([\w.]+)\s+import\s+(\w+)|import\s+odoo\.addons\.([\w.]+))",
        re.MULTILINE,
    )
    for source in addons.glob("*/**/*.py"):
        if "/tests/" in str(source):
            continue
        for dotted_from, name, dotted_import in pattern.findall(source.read_text(errors="replace")):
            dotted = dotted_from or dotted_import
            found.add((dotted.split(".")[0], dotted, name or None))
    return sorted(found, key=lambda item: (item[0], item[1], item[2] or ""))


def missing_module_categories(addons):
    """Module categories that base's data refers to but nothing in this source defines, and
    the category names that are known (xml id -> path).

    A new database takes its module categories (``base.module_category_*``) from the
    manifests of the modules it finds and from base's category data."""
    base_data = addons / "base" / "data"
    wanted = set(
        re.findall(
            r'ref="base\.(module_category_\w+)"',
            (base_data / "ir_module_module.xml").read_text(),
        )
    )
    category_data = (base_data / "ir_module_category_data.xml").read_text()
    known = dict(
        re.findall(r'id="(module_category_\w+)">\s*<field name="name">([^<]+)<', category_data)
    )
    defined = set(re.findall(r'id="(module_category_\w+)"', category_data))
    for manifest in addons.glob("*/__manifest__.py"):
        category = ast.literal_eval(manifest.read_text()).get("category", "Uncategorized")
        parts = category.split("/")
        for depth in range(1, len(parts) + 1):
            known[category_xmlid(parts[:depth])] = "/".join(parts[:depth])
    return sorted(wanted - defined - known.keys()), known


def category_xmlid(parts):
    """The xml id Odoo gives a category path (odoo/modules/db.py, create_categories)."""
    name = "_".join(part.lower() for part in parts).replace("&", "and").replace(" ", "_")
    return f"module_category_{name}"


def category_names(known, xmlids):
    """Category paths for the xml ids: the longest known parent ("Services", from
    ``module_category_services``), then the rest of the id in words ("Project")."""
    names = {}
    for xmlid in xmlids:
        parent = max(
            (k for k in known if xmlid.startswith(k + "_")), key=len, default="module_category"
        )
        rest = xmlid.removeprefix(parent + "_").replace("_", " ").title()
        names[xmlid] = f"{known[parent]}/{rest}" if parent in known else rest
    return names


def source_identity(source, path):
    if path.is_file():
        info = path.stat()
        return f"{path.resolve()}:{info.st_size}:{int(info.st_mtime)}"
    if source.startswith(("http://", "https://", "file://")):
        return source
    raise SetupError(
        f"ODOO_SOURCE={source} is neither a file, a folder nor an http(s) URL.\n"
        f"   Unset it to use Odoo's nightly archive ({DEFAULT_ODOO_SOURCE}), or point it at "
        "an Odoo 18.0 source archive or checkout."
    )


def download(url):
    target = LOCAL / "downloads" / "odoo-18.0-source.tar.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    say(f"downloading {url}")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(partial, "wb") as out:
            shutil.copyfileobj(response, out, length=1 << 20)
    except OSError as exc:
        raise SetupError(
            f"downloading Odoo's source from {url} failed: {exc}.\n"
            "   Without internet access, download an Odoo 18.0 source archive elsewhere (e.g. "
            f"{DEFAULT_ODOO_SOURCE}) and run with ODOO_SOURCE=/path/to/archive.tar.gz, or "
            "ODOO_SOURCE=/path/to/odoo-checkout."
        ) from exc
    partial.rename(target)
    return target


def unpack(archive, target):
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(target)
        return
    try:
        with tarfile.open(archive) as tar:
            # The "data" filter (Python 3.11.4+, 3.10.12+) refuses links and paths that leave
            # the target; older Pythons lack the argument.
            options = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(target, **options)
    except (tarfile.TarError, OSError) as exc:
        raise SetupError(f"{archive} is not a readable source archive: {exc}") from exc


def find_odoo_root(folder):
    """The folder containing ``odoo/release.py`` with version 18, at most two levels down."""
    for candidate in [folder, *sorted(folder.glob("*")), *sorted(folder.glob("*/*"))]:
        release = candidate / "odoo" / "release.py"
        if release.is_file():
            if "version_info = (18," not in release.read_text(errors="replace").replace("( ", "("):
                raise SetupError(f"{release} is not Odoo 18.0; this addon needs Odoo 18.")
            return candidate.resolve()
    return None


def odoo_venv(odoo_dir):
    """``.local/venv`` with the pinned packages, Odoo importable; reused when unchanged."""
    python = VENV / "bin" / "python"
    stamp = VENV / ".odoo-setup"
    wanted = json.dumps({"odoo": str(odoo_dir), "pins": file_hash(PINS)})
    if stamp.exists() and stamp.read_text() == wanted and odoo_importable(python):
        say("already set up")
        return str(python)
    base_python = setup_python()
    if not python.exists():
        run([base_python, "-m", "venv", str(VENV)], "creating the virtual environment")
    say(f"installing {PINS.name} into {VENV} (binary wheels; a few minutes the first time)")
    pip_install(
        python,
        ["--only-binary=:all:", f"--no-binary={SOURCE_ONLY}", "-r", str(PINS)],
        "installing Odoo's pinned Python packages",
    )
    site = run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        "locating the virtual environment's site-packages",
    ).strip()
    (Path(site) / "odoo18-source.pth").write_text(f"{odoo_dir}\n")
    if not odoo_importable(python):
        raise SetupError(f"Odoo 18 does not import from {python} after installing it.")
    stamp.write_text(wanted)
    return str(python)


def setup_python():
    """A Python of a version the pins are made for, to build the virtual environment from."""
    candidates = [os.environ.get("ODOO_SETUP_PYTHON")] + [
        f"python{version}" for version in SUPPORTED_PYTHONS
    ]
    candidates += ["python3", sys.executable]
    for candidate in filter(None, candidates):
        found = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if not found:
            continue
        version = odoo_env.python_says(found, "import sys; print('%d.%d' % sys.version_info[:2])")
        if version in SUPPORTED_PYTHONS:
            return found
    raise SetupError(
        f"no Python {' or '.join(SUPPORTED_PYTHONS)} found to run Odoo 18 "
        f"({PINS.name} pins packages for it).\n"
        "   Install one (Debian/Ubuntu: apt-get install python3.11 python3.11-venv) or point "
        "ODOO_SETUP_PYTHON at it; or install Odoo 18 yourself and set ODOO_PYTHON."
    )


def odoo_importable(python):
    return odoo_env.odoo_major(str(python)) == "18"


def ensure_requirements(python, purpose):
    """The addon's requirements, the emulator and (for tests) the test tools in ``python``."""
    imports = TEST_IMPORTS if purpose == "test" else DEMO_IMPORTS
    check = subprocess.run([python, "-c", imports], capture_output=True, text=True, check=False)
    if check.returncode == 0:
        say(f"found in {python}")
        return
    missing = check.stderr.strip().splitlines()[-1]
    say(f"installing into {python} ({missing})")
    files = ["-r", str(REPO / "requirements.txt")]
    if purpose == "test":
        files = ["-r", str(REPO / "requirements-dev.txt")]
    constraints = ["-c", str(PINS)] if Path(python).resolve().is_relative_to(VENV) else []
    pip_install(python, [*files, *constraints, "-e", str(REPO)], "installing the requirements")


def pip_install(python, args, what):
    run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", *args],
        what + " (pip; packages come from PyPI)",
    )


def file_hash(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


# -- PostgreSQL ------------------------------------------------------------------------------


class PrivatePostgres:
    """A PostgreSQL cluster in ``.local/postgres``, started on a free port of 127.0.0.1."""

    def __init__(self, bindir):
        self.bindir = bindir
        self.run_as = None if os.geteuid() else "postgres"
        self.folder = PG_DIR
        self.data = self.folder / "data"
        self.sockets = self.folder / "run"
        self.log = self.folder / "server.log"
        login = getpass.getuser()
        # Odoo refuses to connect as "postgres"; any other name works with trust auth.
        self.role = login if login != "postgres" else "odoo"
        self.port = None
        self.started_here = False

    def tool(self, name):
        return str(Path(self.bindir) / name)

    def as_owner(self, command):
        if not self.run_as:
            return command
        return ["runuser", "-u", self.run_as, "--", *command]

    def prepare(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.run_as:
            try:
                owner = pwd.getpwnam(self.run_as)
            except KeyError as exc:
                raise SetupError(
                    "PostgreSQL refuses to run as root and there is no 'postgres' system "
                    "user to run the private cluster as.\n   Create one (useradd --system "
                    "postgres), run as a normal user, or point PGHOST/PGPORT at a server."
                ) from exc
            for path in (self.folder, *self.folder.rglob("*")):
                os.chown(path, owner.pw_uid, owner.pw_gid)
            probe = subprocess.run(
                self.as_owner(["test", "-w", str(self.folder)]), check=False
            ).returncode
            if probe:
                raise SetupError(
                    f"the 'postgres' user cannot write to {self.folder} (a parent folder is "
                    "closed to it).\n   Clone the repository where other users may enter, or "
                    "point PGHOST/PGPORT at a running server."
                )

    def running_port(self):
        """The port of this cluster if it already runs (from a previous demo or set-up)."""
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return None
        status = subprocess.run(
            self.as_owner([self.tool("pg_ctl"), "status", "-D", str(self.data)]),
            capture_output=True,
            check=False,
        )
        if status.returncode:
            return None
        lines = pid_file.read_text().splitlines()
        return lines[3].strip() if len(lines) > 3 else None

    def next_port(self):
        """The port used last time if it is free (config files name it), else a free one."""
        last = self.folder / "port"
        if last.exists() and port_free(int(last.read_text())):
            return last.read_text().strip()
        return str(free_port())

    def start(self):
        self.prepare()
        if not (self.data / "PG_VERSION").exists():
            say(f"creating a private PostgreSQL cluster in {self.data}")
            shutil.rmtree(self.data, ignore_errors=True)
            self.sockets.mkdir(exist_ok=True)
            self.prepare()
            run(
                self.as_owner(
                    [
                        self.tool("initdb"),
                        "-D",
                        str(self.data),
                        "-U",
                        self.role,
                        "--auth=trust",
                        "--encoding=UTF8",
                        "--locale=C",
                    ]
                ),
                "initdb",
            )
        self.port = self.running_port()
        if self.port:
            say(f"private PostgreSQL already running on 127.0.0.1:{self.port}")
        else:
            self.port = self.next_port()
            self.sockets.mkdir(exist_ok=True)
            self.prepare()
            options = (
                f"-p {self.port} -c listen_addresses=127.0.0.1 "
                f"-c unix_socket_directories={self.sockets} -c fsync=off"
            )
            run(
                self.as_owner(
                    [
                        self.tool("pg_ctl"),
                        "start",
                        "-w",
                        "-t",
                        "60",
                        "-D",
                        str(self.data),
                        "-l",
                        str(self.log),
                        "-o",
                        options,
                    ]
                ),
                f"starting PostgreSQL (log: {self.log})",
            )
            self.started_here = True
            (self.folder / "port").write_text(self.port)
            say(f"private PostgreSQL started on 127.0.0.1:{self.port}")
        os.environ.update(PGHOST="127.0.0.1", PGPORT=self.port, PGUSER=self.role)

    def stop(self):
        if not self.started_here:
            return
        with Step(f"stopping the private PostgreSQL on 127.0.0.1:{self.port}"):
            run(
                self.as_owner(
                    [self.tool("pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.data)]
                ),
                "stopping PostgreSQL",
            )
            self.started_here = False


def postgres_bindir():
    """A folder with PostgreSQL's initdb and pg_ctl, or None."""
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).parent] if on_path else []
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += [Path("/usr/local/pgsql/bin"), Path("/opt/homebrew/bin")]
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def ensure_postgres():
    """The PostgreSQL to use: the PG* server, or a private cluster (returned, to stop later).

    Returns None when the PG* server answers."""
    with Step("PostgreSQL"):
        pg = odoo_env.pg_settings()
        if odoo_env.pg_available():
            say(f"server answering on {pg['host']}:{pg['port']} (user {pg['user']})")
            return None
        bindir = postgres_bindir()
        if not bindir:
            raise SetupError(
                f"PostgreSQL does not answer on {pg['host']}:{pg['port']} and its server "
                "programs (initdb, pg_ctl) are not on this machine.\n"
                "   Install PostgreSQL (Debian/Ubuntu: apt-get install postgresql; macOS: brew "
                "install postgresql) and run this again, or set PGHOST/PGPORT/PGUSER to a "
                "server where you may create databases."
            )
        say(f"nothing answers on {pg['host']}:{pg['port']}; using a private cluster")
        cluster = PrivatePostgres(bindir)
        cluster.start()
        return cluster


def port_free(port):
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_private_postgres():
    """Stop the private cluster if it runs (``scripts/setup --stop-postgres``)."""
    bindir = postgres_bindir()
    cluster = PrivatePostgres(bindir) if bindir else None
    if not cluster or not cluster.running_port():
        say("no private PostgreSQL is running")
        return
    cluster.port = cluster.running_port()
    cluster.started_here = True
    cluster.stop()


def main(argv):
    if "--stop-postgres" in argv:
        stop_private_postgres()
        return 0
    purpose = "demo" if "--demo" in argv else "test"
    started = time.monotonic()
    try:
        python = ensure_odoo(purpose)
        cluster = ensure_postgres()
    except SetupError as exc:
        print(f"\n!! set-up failed: {exc}", file=sys.stderr)
        return 1
    say(f"ready in {time.monotonic() - started:.1f} s; Odoo's Python: {python}")
    if cluster:
        say(
            "the private PostgreSQL keeps running; use it with "
            f"PGHOST=127.0.0.1 PGPORT={cluster.port} PGUSER={cluster.role}, "
            "stop it with scripts/setup --stop-postgres"
        )
    return 0
