"""How much does the server's memory grow while it receives a 1 GiB upload?

    python bench/upload_memory.py                 # 1 GiB, the default
    python bench/upload_memory.py --mib 256       # a quicker run

Not part of the test suite. It starts the app as in production — uvicorn serving
roundtable.asgi, DEBUG off, the full middleware stack — against a throwaway SQLite
database and media directory in a temporary folder (nothing is shared with var/). It
creates a user and a case, signs the user in by creating a verified session on the
server side (the same session the two-step sign-in produces), and then uploads a
generated PDF through the upload page and through the API. The client streams the
multipart body from a generator, so it never holds the file either. While each upload
runs, the server process's resident memory (VmRSS in /proc/<pid>/status) is sampled every
20 ms; the figure is the peak minus the resident memory just before the upload started.

Prints the result and appends it to bench/RESULTS.md with the machine, date and commit.
Target (issue 3): growth under 100 MB for 1 GiB.
"""

# ruff: noqa: S603, S607  (a benchmark that starts this project's own programs and git)
import argparse
import contextlib
import datetime
import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/, also when a test loads this file
from machine_info import commit, machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
UVICORN = ROOT / ".venv" / "bin" / "uvicorn"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TARGET_MB = 100
CHUNK = 1024 * 1024

SETUP = """
import json, time
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from roundtable.accounts.models import Area, Organisation, Role, User
from roundtable.accounts.middleware import LAST_SEEN, SIGNED_IN_AT
from roundtable.api.services import do_create_token
from roundtable.cases.models import Case, CaseMembership
from roundtable.people.models import Person

area = Area.objects.create(name="Benchshire")
org = Organisation.objects.create(name="Bench Council", area=area, sector="local_authority")
user = User.objects.create_user(email="bench@example.invalid", password="bench-password-not-real",
                                full_name="Bench User", organisation=org, role=Role.PRACTITIONER)
device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
person = Person.objects.create(given_name="Fictional", family_name="Benchperson", area=area, created_by=user)
case = Case.objects.create(reference="RT-BENCH-1", person=person, kind="referral", title="Benchmark case",
                           owner=user, lead_organisation=org, area=area)
CaseMembership.objects.create(case=case, user=user, role="owner")
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "roundtable.accounts.backends.UserBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session[DEVICE_ID_SESSION_KEY] = device.persistent_id
session[SIGNED_IN_AT] = session[LAST_SEEN] = time.time()
session.create()
_, token = do_create_token(user, name="bench", days=1)
print("BENCH" + json.dumps({"case": case.pk, "session": session.session_key, "token": token}))
"""


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def tree_rss_kib(pid: int) -> int:
    """The server and any children it has (uvicorn with one worker has none)."""
    total = rss_kib(pid)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        for child in children.read_text().split():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                total += rss_kib(int(child))
    return total


class Sampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self):
        while self.running:
            self.peak = max(self.peak, tree_rss_kib(self.pid))
            time.sleep(0.02)


def pdf_body(size: int):
    """A valid-looking PDF of exactly ``size`` bytes: a real header, then comment padding."""
    sys.path.insert(0, str(ROOT))
    from roundtable.documents.samples import tiny_pdf

    head = tiny_pdf("Benchmark upload")
    yield head
    remaining = size - len(head)
    line = (b"%" + b"x" * 1022 + b"\n") * (CHUNK // 1024)
    while remaining > 0:
        piece = line[: min(len(line), remaining)]
        remaining -= len(piece)
        yield piece


def multipart(size: int, fields: dict[str, str], boundary: str):
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    head = (
        b"".join(parts)
        + (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
    )
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + size + len(tail)

    def body():
        yield head
        yield from pdf_body(size)
        yield tail

    return length, body()


def upload(port: int, path: str, size: int, fields: dict, headers: dict) -> tuple[int, float, bytes]:
    boundary = "bench" + secrets.token_hex(8)
    length, body = multipart(size, fields, boundary)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    started = time.monotonic()
    connection.request(
        "POST",
        path,
        body=body,
        headers={
            **headers,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(length),
        },
    )
    response = connection.getresponse()
    content = response.read()
    connection.close()
    return response.status, time.monotonic() - started, content


def download(port: int, path: str, headers: dict) -> tuple[int, float, int]:
    """Read the response in 1 MiB pieces and throw them away; returns (status, seconds, bytes)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    started = time.monotonic()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    received = 0
    while piece := response.read(CHUNK):
        received += len(piece)
    connection.close()
    return response.status, time.monotonic() - started, received


def wait_for(port: int, server: subprocess.Popen) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError("the server stopped while starting")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=1024, help="upload size in MiB (default 1024 = 1 GiB)")
    parser.add_argument("--port", type=int, default=8014)
    parser.add_argument("--no-results", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args()
    size = args.mib * 1024 * 1024

    workdir = Path(tempfile.mkdtemp(prefix="rt-upload-bench-"))
    for empty in ("build", "static"):  # keep Django's static-files checks quiet; no pages are rendered
        (workdir / empty).mkdir()
    env = {
        **os.environ,
        "ROUNDTABLE_ENV": "development",
        "DEBUG": "false",
        "ROUNDTABLE_VAR_DIR": str(workdir),
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "FILE_UPLOAD_TEMP_DIR": str(workdir),
        "DOCUMENT_MAX_BYTES": str(max(size, 1024**3)),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    server = None
    try:
        subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        setup = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        ids = json.loads(setup.stdout.split("BENCH", 1)[1])
        server = subprocess.Popen(
            [
                UVICORN,
                "roundtable.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(args.port),
                "--no-access-log",
            ],
            cwd=ROOT,
            env=env,
        )
        wait_for(args.port, server)
        csrf = secrets.token_hex(16)  # a 32-character CSRF secret, as the cookie holds
        page = {
            "path": f"/documents/case/{ids['case']}/upload/",
            "fields": {"csrfmiddlewaretoken": csrf, "title": "Benchmark"},
            "headers": {"Cookie": f"sessionid={ids['session']}; csrftoken={csrf}"},
        }
        api = {
            "path": f"/api/v1/documents/case/{ids['case']}",
            "fields": {"title": "Benchmark"},
            "headers": {"Authorization": f"Bearer {ids['token']}"},
        }
        # Warm up: the first request imports and initialises everything once.
        for route in (page, api):
            status, _, _ = upload(args.port, route["path"], 64 * 1024, route["fields"], route["headers"])
            assert status in (201, 302), f"warm-up upload answered {status}"
        rows = []
        uploaded_id = None
        for label, route, ok in (("upload page", page, 302), ("API", api, 201), ("download page", None, 200)):
            baseline = tree_rss_kib(server.pid)
            sampler = Sampler(server.pid)
            sampler.start()
            if route is None:
                # The same 1 GiB back out through the streaming download view.
                status, seconds, received = download(
                    args.port, f"/documents/{uploaded_id}/download/", {"Cookie": page["headers"]["Cookie"]}
                )
                assert received == size or status != ok, f"downloaded {received} bytes of {size}"
            else:
                status, seconds, content = upload(args.port, route["path"], size, route["fields"], route["headers"])
                if route is api and status == ok:
                    uploaded_id = json.loads(content)["id"]
            sampler.running = False
            sampler.join()
            if status != ok:
                raise RuntimeError(f"{label} answered {status}, expected {ok}")
            growth_mb = (sampler.peak - baseline) / 1024
            rows.append((label, baseline / 1024, sampler.peak / 1024, growth_mb, seconds))
            print(
                f"{label}: {args.mib} MiB in {seconds:.1f} s; server RSS {baseline / 1024:.1f} MB before, "
                f"peak {sampler.peak / 1024:.1f} MB, growth {growth_mb:.1f} MB "
                f"({'within' if growth_mb < TARGET_MB else 'OVER'} the {TARGET_MB} MB target)"
            )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)

    if not args.no_results:
        when = datetime.datetime.now(datetime.UTC).strftime("%d %B %Y %H:%M UTC")
        lines = []
        if not RESULTS.exists() or "## Upload memory" not in RESULTS.read_text():
            lines += [
                "",
                "## Upload memory (bench/upload_memory.py)",
                "",
                "Peak growth of the uvicorn process's resident memory while it receives one upload "
                "(and sends the file back through the download view) "
                f"(target: under {TARGET_MB} MB for 1 GiB).",
                "",
                "| date | commit | machine | what | size | RSS before | peak | growth | time |",
                "|---|---|---|---|---|---|---|---|---|",
            ]
        for label, before, peak, growth, seconds in rows:
            lines.append(
                f"| {when} | {commit()} | {machine()} | {label} | {args.mib} MiB | {before:.1f} MB | {peak:.1f} MB "
                f"| **{growth:.1f} MB** | {seconds:.1f} s |"
            )
        with RESULTS.open("a") as results:
            if not RESULTS.stat().st_size:
                results.write("# Benchmark results\n")
            results.write("\n".join(lines) + "\n")
        print(f"Appended to {RESULTS.relative_to(ROOT)}")
    return 0 if all(row[3] < TARGET_MB for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
