#!/usr/bin/env python3
"""A real SQS-compatible server for the notification tests and benchmarks: moto's server mode
(``.local/moto-venv``, installed by ``scripts/setup``), on a free port of 127.0.0.1.

``scripts/test`` starts one for the whole run and exports its URL as ``AMAZON_TEST_SQS_ENDPOINT``
(the tests create a queue of their own each); ``scripts/benchmark_day`` starts its own. Run
alone, it serves until Ctrl-C and prints the variable to export::

    scripts/sqs_server.py [--port 4566]

Stdlib only.
"""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MOTO_SERVER = REPO / ".local" / "moto-venv" / "bin" / "moto_server"
ENDPOINT_VARIABLE = "AMAZON_TEST_SQS_ENDPOINT"


class SqsServerError(RuntimeError):
    """The server could not be started; the message says why and what to do."""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SqsServer:
    """``with SqsServer() as server:`` moto's server runs, at ``server.endpoint``, until the
    block ends."""

    def __init__(self, port=0, executable=MOTO_SERVER, startup_timeout=60):
        self.port = port or free_port()
        self.executable = Path(executable)
        self.startup_timeout = startup_timeout
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self):
        if not self.executable.exists():
            raise SqsServerError(
                f"{self.executable} is missing: run scripts/setup (it installs moto's server "
                "from scripts/moto-requirements.txt)."
            )
        self.process = subprocess.Popen(
            [str(self.executable), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SqsServerError(
                    f"moto_server exited with {self.process.returncode} on port {self.port}"
                )
            if self.answers():
                return self
            time.sleep(0.2)
        self.stop()
        raise SqsServerError(
            f"moto_server did not answer on {self.endpoint} within {self.startup_timeout} s"
        )

    def answers(self):
        """Whether the server answers an SQS ListQueues (query protocol)."""
        try:
            with urllib.request.urlopen(f"{self.endpoint}/?Action=ListQueues", timeout=2) as answer:
                return answer.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def main(argv):
    port = int(argv[argv.index("--port") + 1]) if "--port" in argv else 0
    try:
        with SqsServer(port) as server:
            print(f"export {ENDPOINT_VARIABLE}={server.endpoint}", flush=True)
            print("serving; Ctrl-C stops it", flush=True)
            server.process.wait()
    except SqsServerError as exc:
        print(f"!! {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
