"""How fast are the pages people use most, at small and at national scale? (issue 7)

    python bench/pages.py                 # small and national (make bench)
    python bench/pages.py --quick         # small only, well under 5 minutes (make bench-quick)
    python bench/pages.py --scales national --reuse   # trust the national data already there

Not part of the test suite. For each scale it makes sure the generated data is there
(``manage.py generate_data`` into a PostgreSQL database of its own, rt_bench_<scale>; an
existing database is reused while its manifest was written by the same generator code
with the same seed, because national takes a long while to load), then runs the app as
in production: uvicorn serving roundtable.asgi with several worker processes,
ROUNDTABLE_ENV=production (DEBUG off, secure cookies, behind a TLS proxy as the README's
deployment describes: requests carry X-Forwarded-Proto: https), PostgreSQL and Redis.
The one difference from production is SERVER_TIMING=true, so each response says how long
the app and its SQL took (roundtable/core/timing.py).

It signs in as the manifest's users through the real sign-in pages (password, then the
one-time code of their authenticator, read with ``manage.py totp_code``), then measures
each page:

1. one user: requests one after another on one connection, pages interleaved, in rounds;
2. 20 users at once: 20 connections, each going round the same mix of pages, for a fixed
   time; requests per second across the mix.

Every response must be a 200 carrying what the page is for (the case's links, 50 entries
of the chronology, the expected person in the search results...), or it counts as an error.
Server time is measured by the client on the loopback (request written to last byte read);
SQL time, query count and the app's own time come from the Server-Timing header of the
same response. The load is made here, in Python (asyncio and a small keep-alive HTTP/1.1
client), rather than with wrk or locust: it reads Server-Timing and checks the content of
every response, needs no new dependency, and costs the server little CPU on a two-core
machine where the load generator competes with the server.

Results go to bench/RESULTS.md (a dated section, earlier runs kept) with the machine, the
PostgreSQL version, the commit and a plain statement of which of issue 7's targets are met.
"""

# ruff: noqa: S603, S607  (a benchmark that starts this project's own programs, git and psql)
import argparse
import asyncio
import datetime
import hashlib
import html
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/, also when a test loads this file
from machine_info import commit, machine  # noqa: E402
from stats import percentile  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
UVICORN = ROOT / ".venv" / "bin" / "uvicorn"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SECTION = "## Pages people use most (bench/pages.py)"

# Issue 7's targets.
P95_TARGET_MS = 100  # every page at national, one user
SEARCH_P95_TARGET_MS = 150  # person search over 1,000,000 people
SCALE_RATIO_TARGET = 1.5  # p95 national / p95 small
SQL_RATIO_TARGET = 2.0  # page time / SQL time, where SQL takes over 10 ms
SQL_RATIO_FLOOR_MS = 10
OUTSIDE_SQL_TARGET_MS = 30  # p95 of time outside SQL, every page
RPS_TARGET = 150  # 20 users across the mix

SERVER_TIMING = re.compile(r"app;dur=([\d.]+), db;dur=([\d.]+), q;desc=\"(\d+)\"(?:, cpu;dur=([\d.]+))?")
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
ENTRY_MARKER = b'class="moj-timeline__item rt-entry"'
# The chronology's page size (issue 7 says "newest 50"; the app shows 25 a page). Read from
# the source so the check follows the app without importing Django here.
ENTRY_PAGE_SIZE = int(
    re.search(r"^ENTRY_PAGE_SIZE = (\d+)", (ROOT / "roundtable/cases/queries.py").read_text(), re.M)[1]
)


# --- A small keep-alive HTTP/1.1 client on asyncio ---------------------------------------------
@dataclass
class Response:
    status: int
    headers: dict
    cookies: dict
    body: bytes
    ms: float


class Client:
    """One connection (reopened when the server closes it) and the cookies of one user."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.cookies = cookies if cookies is not None else {}
        self.reader = self.writer = None

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def request(self, method: str, path: str, form: dict | None = None) -> Response:
        for attempt in (1, 2):
            reused = self.writer is not None
            try:
                return await self._request(method, path, form)
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if not reused or attempt == 2:  # a keep-alive socket the server had closed: once more
                    raise
        raise AssertionError("unreachable")

    async def _request(self, method, path, form) -> Response:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        origin = f"https://127.0.0.1:{self.port}"
        body = urlencode(form).encode() if form is not None else b""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: 127.0.0.1:{self.port}",
            "X-Forwarded-Proto: https",  # the TLS proxy in front of production
            "User-Agent: roundtable-bench",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
                f"Origin: {origin}",
            ]
        started = time.perf_counter()
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
        headers, cookies = {}, {}
        for line in header_lines:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key] = rest.split(";", 1)[0]
            headers[name] = value
        if "content-length" in headers:
            content = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            content = b"".join(chunks)
        else:
            content = await self.reader.read()
            headers["connection"] = "close"
        elapsed = (time.perf_counter() - started) * 1000
        if headers.get("connection", "").lower() == "close":
            await self.close()
        self.cookies.update({k: v for k, v in cookies.items() if v and v != '""'})
        return Response(int(status_line.split(" ", 2)[1]), headers, cookies, content, elapsed)


# --- The pages ----------------------------------------------------------------------------------
@dataclass
class Page:
    key: str
    label: str
    user: str  # a key of the manifest's "users"
    paths: list  # requests go round these (person search: one path per query of the manifest)
    expects: list  # per path: substrings (bytes) the body must hold
    entries: int | None = None  # chronology: the number of entries the page must list

    def path(self, n: int) -> tuple[str, list]:
        index = n % len(self.paths)
        return self.paths[index], self.expects[index]


def _search_expectation(expected) -> list:
    """The expected person among the profiles the user may open, or, when the access policy
    hides that profile from them, the deconfliction answer that a partner holds a match."""
    if isinstance(expected, int):
        return [(f'href="/people/{expected}/"'.encode(), b"A possible match is held by")]
    return [(html.escape(str(expected)).encode(), b"A possible match is held by")]


def _search_path(query) -> str:
    if isinstance(query, dict):
        fields = {k: v for k, v in query.items() if k in ("given_name", "family_name", "postcode")}
    else:  # "Given Family"
        given, _, family = str(query).strip().rpartition(" ")
        fields = {"given_name": given, "family_name": family}
    return "/people/?" + urlencode(fields)


def pages_for(manifest: dict) -> list[Page]:
    cases, meeting = manifest["cases"], manifest["meeting"]
    huge, typical, grid = cases["huge"], cases["typical"], manifest["inforequest_case"]
    nav = b'class="moj-sub-navigation'  # every case page carries the case's sections

    def case_links(pk):
        return [f'href="/cases/{pk}/chronology/"'.encode(), nav]

    searches = manifest.get("search") or []
    pages = [
        Page("home", "Home page (my tasks, my cases), practitioner", "practitioner", ["/"],
             [[b"Your tasks", b"My cases"]]),
        Page("home_prevent", "Home page, Prevent officer", "prevent_officer", ["/"], [[b"Hello,"]]),
        Page("case_list", "Case list, filtered (open, mine), practitioner", "practitioner",
             ["/cases/?state=open&mine=on&sort=updated&order=desc"], [[b"rt-case-table", b"you are a member of"]]),
        Page("case_list_prevent", "Case list, filtered (open), Prevent officer", "prevent_officer",
             ["/cases/?state=open&sort=updated&order=desc"], [[b"rt-case-table"]]),
        Page("case_huge", "Case page, 20,000-entry case", "practitioner", [f"/cases/{huge}/"], [case_links(huge)]),
        Page("case_typical", "Case page, typical case", "practitioner", [f"/cases/{typical}/"],
             [case_links(typical)]),
        Page("chronology_huge", f"Chronology, newest {ENTRY_PAGE_SIZE} of the 20,000-entry case", "practitioner",
             [f"/cases/{huge}/chronology/"], [case_links(huge)], entries=ENTRY_PAGE_SIZE),
        Page("chronology_typical", "Chronology, typical case", "practitioner", [f"/cases/{typical}/chronology/"],
             [case_links(typical)]),
        Page("search", "Person search (deconfliction), misspelt", "practitioner",
             [_search_path(s.get("params") or s["query"]) for s in searches],
             [[b'id="results"', *_search_expectation(s["expect_person"])] for s in searches]),
        Page("overdue", "Overdue tasks, chair", "chair", ["/tasks/overdue/"], [[b"Overdue tasks"]]),
        Page("inforequests", "Information requests of a case (grid), Prevent officer", "prevent_officer",
             [f"/information-requests/case/{grid}/"], [[b"Information requests", nav]]),
        Page("meeting", "Meeting agenda (meeting page), chair", "chair", [f"/meetings/{meeting}/"],
             [[b"Agenda", f'href="/meetings/{meeting}/'.encode()]]),
    ]  # fmt: skip
    return [page for page in pages if page.paths and page.user in manifest["users"]]


# The smallest signed-in page: session, user and second factor, the page shell, one short
# list. Not part of the mix: 20 users on it alone show the ceiling the framework sets on
# this machine, whatever the pages above do.
CEILING = Page("ceiling", "Smallest signed-in page (notices), practitioner", "practitioner", ["/notices/"],
               [[b"Notices"]])  # fmt: skip


def check(page: Page, n: int, response: Response) -> str | None:
    """Why this response is not the page it should be, or None."""
    if response.status != 200:
        where = response.headers.get("location", "")
        return f"{response.status}{' to ' + where if where else ''}"
    if b'action="/sign-in/' in response.body:
        return "a sign-in page"
    for needle in page.path(n)[1]:
        either = needle if isinstance(needle, tuple) else (needle,)  # a tuple: any one of them
        if not any(one in response.body for one in either):
            return f"no {' or '.join(repr(one.decode()[:60]) for one in either)} in the page"
    if page.entries is not None and response.body.count(ENTRY_MARKER) != page.entries:
        return f"{response.body.count(ENTRY_MARKER)} entries listed, not {page.entries}"
    if "server-timing" not in response.headers:
        return "no Server-Timing header (SERVER_TIMING off?)"
    return None


@dataclass
class Sample:
    page: str
    round: int
    ms: float
    app: float | None
    db: float | None
    queries: int | None
    error: str | None
    cpu: float | None = None  # the request thread's CPU time, from Server-Timing


def sample(page: Page, round_: int, n: int, response: Response) -> Sample:
    timing = SERVER_TIMING.search(response.headers.get("server-timing", ""))
    app, db, queries = (float(timing[1]), float(timing[2]), int(timing[3])) if timing else (None, None, None)
    cpu = float(timing[4]) if timing and timing[4] else None
    return Sample(page.key, round_, response.ms, app, db, queries, check(page, n, response), cpu)


# --- Signing in, as a person does -------------------------------------------------------------------
def totp_code(email: str, env: dict) -> str:
    development = {**env, "ROUNDTABLE_ENV": "development", "DEBUG": "false"}  # totp_code refuses production
    out = subprocess.run([PYTHON, "manage.py", "totp_code", email], cwd=ROOT, env=development,
                         capture_output=True, text=True, check=True)  # fmt: skip
    return out.stdout.strip()


async def sign_in(port: int, email: str, password: str, env: dict) -> dict:
    client = Client(port)
    try:
        for attempt in (1, 2):
            page = await client.request("GET", "/sign-in/")
            token = CSRF_INPUT.search(page.body)[1].decode()
            answer = await client.request("POST", "/sign-in/", {"csrfmiddlewaretoken": token, "email": email,
                                                                 "password": password})  # fmt: skip
            if answer.status != 302 or "/sign-in/code/" not in answer.headers.get("location", ""):
                raise RuntimeError(f"{email}: the password was not accepted ({answer.status})")
            page = await client.request("GET", urlsplit(answer.headers["location"]).path)
            token = CSRF_INPUT.search(page.body)[1].decode()
            code = totp_code(email, env)
            answer = await client.request("POST", "/sign-in/code/", {"csrfmiddlewaretoken": token, "code": code})
            if answer.status == 302:
                home = await client.request("GET", "/")
                if home.status != 200 or b"Hello," not in home.body:
                    raise RuntimeError(f"{email}: signed in but the home page answered {home.status}")
                return dict(client.cookies)
            # A code is accepted once: if this one was used a moment ago, wait for the next.
            if attempt == 1:
                await asyncio.sleep(31)
        raise RuntimeError(f"{email}: the one-time code was not accepted")
    finally:
        await client.close()


# --- Measuring ----------------------------------------------------------------------------------------
async def one_user(port, pages, sessions, rounds, per_round, warmup) -> list[Sample]:
    clients = {user: Client(port, dict(cookies)) for user, cookies in sessions.items()}
    samples = []
    try:
        for page in pages:  # compile templates, warm caches: not measured
            for n in range(warmup):
                await clients[page.user].request("GET", page.path(n)[0])
        for round_ in range(rounds):
            for page in pages:
                for i in range(per_round):
                    n = round_ * per_round + i
                    response = await clients[page.user].request("GET", page.path(n)[0])
                    samples.append(sample(page, round_, n, response))
    finally:
        for client in clients.values():
            await client.close()
    return samples


async def many_users(port, pages, sessions, users, seconds, warmup_seconds) -> tuple[list[Sample], float]:
    """``users`` connections going round the mix of pages; each starts at a different page."""
    samples: list[Sample] = []
    measuring = asyncio.Event()
    start_at = [0.0]

    async def user(number: int, deadline: float):
        clients = {name: Client(port, dict(cookies)) for name, cookies in sessions.items()}
        n = number
        try:
            while time.perf_counter() < deadline:
                page = pages[n % len(pages)]
                try:
                    response = await clients[page.user].request("GET", page.path(n // len(pages))[0])
                    result = sample(page, 0, n // len(pages), response)
                except (OSError, asyncio.IncompleteReadError) as exc:
                    result = Sample(page.key, 0, 0.0, None, None, None, f"connection: {exc!r}")
                if measuring.is_set():
                    samples.append(result)
                n += 1
        finally:
            for client in clients.values():
                await client.close()

    deadline = time.perf_counter() + warmup_seconds + seconds
    tasks = [asyncio.create_task(user(n, deadline)) for n in range(users)]
    await asyncio.sleep(warmup_seconds)
    measuring.set()
    start_at[0] = time.perf_counter()
    await asyncio.gather(*tasks)
    return samples, time.perf_counter() - start_at[0]


@dataclass
class Figures:
    n: int
    errors: int
    first_error: str | None
    p50: float
    p95: float
    p99: float
    p95_rounds: float  # median over rounds of each round's p95 (issue 7: medians of repeated runs)
    app50: float
    app95: float
    db50: float
    db95: float
    outside95: float  # p95 of (app - SQL)
    cpu50: float  # the app's own CPU per request (hardly moved by other work on the machine)
    ratio: float  # median page time / median SQL time
    queries: int | None  # the most common count
    query_range: tuple


def figures(samples: list[Sample]) -> Figures:
    ok = [s for s in samples if s.error is None]
    errors = [s for s in samples if s.error is not None]
    timed = [s for s in ok if s.app is not None]
    by_round = defaultdict(list)
    for s in ok:
        by_round[s.round].append(s.ms)
    counts = Counter(s.queries for s in timed)
    nan = float("nan")
    app50 = percentile([s.app for s in timed], 50) if timed else nan
    db50 = percentile([s.db for s in timed], 50) if timed else nan
    return Figures(
        n=len(samples),
        errors=len(errors),
        first_error=errors[0].error if errors else None,
        p50=percentile([s.ms for s in ok], 50),
        p95=percentile([s.ms for s in ok], 95),
        p99=percentile([s.ms for s in ok], 99),
        p95_rounds=statistics.median(percentile(v, 95) for v in by_round.values()) if by_round else nan,
        app50=app50,
        app95=percentile([s.app for s in timed], 95) if timed else nan,
        db50=db50,
        db95=percentile([s.db for s in timed], 95) if timed else nan,
        outside95=percentile([s.app - s.db for s in timed], 95) if timed else nan,
        cpu50=percentile([s.cpu for s in timed if s.cpu is not None], 50) if timed else nan,
        ratio=app50 / db50 if timed and db50 > 0 else nan,
        queries=counts.most_common(1)[0][0] if counts else None,
        query_range=(min(counts), max(counts)) if counts else (None, None),
    )


# --- Data: generated once per scale and seed, reused while the generator is unchanged --------------
def psql(url: str, sql: str) -> subprocess.CompletedProcess:
    return subprocess.run(["psql", "-qtAX", url, "-c", sql], capture_output=True, text=True)


# The search keys it writes come from the matcher, so a new key scheme means new data.
GENERATOR = ["roundtable/datagen", "roundtable/people/matching.py"]


def generator_fingerprint() -> str:
    """The generator's own code (data made by other code is made again)."""
    paths = [ROOT / name for name in GENERATOR]
    files = sorted(file for path in paths for file in (path.rglob("*.py") if path.is_dir() else [path]))
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _git(*command: str) -> str:
    return subprocess.run(["git", *command], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def made_by_this_generator(path: Path, stamp_path: Path, manifest: dict, args) -> bool:
    """Was this manifest written by the generator as it is now, with our seed?

    Our own stamp says so when this benchmark generated the data. A manifest written by
    ``generate_data`` run by hand (or by its author) has none: it counts when it is newer
    than the generator's last commit and the generator has no uncommitted changes."""
    if manifest.get("seed") != args.seed:
        return False
    if args.reuse:
        return True
    content = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    if stamp_path.exists():
        stamp = json.loads(stamp_path.read_text())
        if stamp.get("manifest") == content:
            return stamp.get("generator") == generator_fingerprint()
    last_change = _git("log", "-1", "--format=%ct", "--", *GENERATOR)
    changed = _git("status", "--porcelain", "--", *GENERATOR)
    return bool(last_change) and not changed and path.stat().st_mtime > int(last_change)


def database_url(args, manifest: dict | None, scale: str) -> str:
    name = (manifest or {}).get("database") or f"rt_bench_{scale}"
    return name if "://" in name else f"{args.postgres}/{name}"


def manage(env: dict, *command: str, capture: bool = False) -> subprocess.CompletedProcess:
    development = {**env, "ROUNDTABLE_ENV": "development", "DEBUG": "false"}
    return subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=development, check=True,
                          capture_output=capture, text=True)  # fmt: skip


def prepare_data(args, scale: str, base_env: dict) -> dict:
    """The manifest of ``scale``'s data, generating it when missing or made by other code."""
    path = args.data_dir / f"{scale}.json"
    stamp_path = args.data_dir / f"{scale}.bench-stamp.json"
    if path.exists() and not args.regenerate:
        manifest = json.loads(path.read_text())
        url = database_url(args, manifest, scale)
        huge = int(manifest["cases"]["huge"])
        present = psql(url, f"SELECT count(*) FROM cases_case WHERE id = {huge}")  # noqa: S608 (an int)
        if present.stdout.strip() != "1":
            print(f"[{scale}] generating: the database of {path.relative_to(ROOT)} is gone")
        elif not made_by_this_generator(path, stamp_path, manifest, args):
            print(f"[{scale}] generating: the generator or the seed changed since {path.relative_to(ROOT)}")
        else:
            print(f"[{scale}] reusing {url.rsplit('/', 1)[-1]} ({path.relative_to(ROOT)})")
            manage({**base_env, "DATABASE_URL": url}, "migrate", "--noinput", "-v", "0")  # newer migrations
            return manifest
    name = f"rt_bench_{scale}"
    psql(f"{args.postgres}/postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    created = psql(f"{args.postgres}/postgres", f"CREATE DATABASE {name}")
    if created.returncode != 0:
        raise SystemExit(f"Cannot create {name}: {created.stderr}")
    started = time.perf_counter()
    env = {**base_env, "DATABASE_URL": f"{args.postgres}/{name}"}
    manage(env, "generate_data", "--scale", scale, "--seed", str(args.seed), "--manifest", str(path))
    print(f"[{scale}] generated in {time.perf_counter() - started:.0f} s")
    content = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    stamp = {"scale": scale, "seed": args.seed, "generator": generator_fingerprint(), "manifest": content}
    stamp_path.write_text(json.dumps(stamp) + "\n")
    return json.loads(path.read_text())


# --- The server, as in production ---------------------------------------------------------------------
def port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def start_server(args, env: dict) -> subprocess.Popen:
    if not port_free(args.port):
        raise SystemExit(f"Port {args.port} is in use: stop what is listening there or choose --port")
    server = subprocess.Popen(
        [UVICORN, "roundtable.asgi:application", "--host", "127.0.0.1", "--port", str(args.port),
         "--workers", str(args.workers), "--no-access-log", "--lifespan", "off"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit("The server stopped while starting (see above)")
        try:
            socket.create_connection(("127.0.0.1", args.port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("The server did not start within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def production_env(args, database: str) -> dict:
    dropped = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    return {
        **{k: v for k, v in os.environ.items() if k not in dropped},
        "ROUNDTABLE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_TLS_PROXY": "true",
        "DATABASE_URL": database,
        "REDIS_URL": args.redis,
        "LOG_LEVEL": "WARNING",
        "SERVER_TIMING": "true",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


def measure_scale(args, scale: str, manifest: dict, env: dict) -> dict:
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())  # other work on the machine, before ours
    pages = pages_for(manifest)
    if args.pages:
        pages = [p for p in pages if p.key in args.pages]
    server = start_server(args, env)
    try:

        async def run():
            sessions = {}
            wanted = {page.user for page in pages}
            for user in sorted(wanted):
                sessions[user] = await sign_in(args.port, manifest["users"][user], manifest["password"], env)
            print(f"[{scale}] signed in: {', '.join(sorted(wanted))}")
            single = await one_user(args.port, pages, sessions, args.rounds, args.requests, args.warmup)
            print(f"[{scale}] one user: {len(single)} requests")
            concurrent, seconds = await many_users(args.port, pages, sessions, args.users, args.seconds, 3)
            print(f"[{scale}] {args.users} users: {len(concurrent)} requests in {seconds:.1f} s")
            ceiling = []
            if CEILING.user in sessions and args.ceiling_seconds > 0:
                ceiling = await many_users(args.port, [CEILING], sessions, args.users, args.ceiling_seconds, 2)
                print(f"[{scale}] {args.users} users on {CEILING.paths[0]}: {len(ceiling[0])} requests")
            return single, concurrent, seconds, ceiling

        single, concurrent, seconds, ceiling = asyncio.run(run())
    finally:
        stop_server(server)
    by_page = defaultdict(list)
    for s in single:
        by_page[s.page].append(s)
    by_page_many = defaultdict(list)
    for s in concurrent:
        by_page_many[s.page].append(s)
    ok = sum(1 for s in concurrent if s.error is None)
    return {
        "scale": scale,
        "load": load,
        "manifest": manifest,
        "pages": pages,
        "one": {p.key: figures(by_page[p.key]) for p in pages},
        "many": {p.key: figures(by_page_many[p.key]) for p in pages},
        "many_total": figures(concurrent),
        "rps": ok / seconds if seconds else 0.0,
        "seconds": seconds,
        "ceiling": _ceiling(ceiling),
    }


def _ceiling(run) -> dict | None:
    if not run or not run[1]:
        return None
    samples, seconds = run
    ok = [s for s in samples if s.error is None]
    return {"rps": len(ok) / seconds, "figures": figures(samples)}


# --- Reporting ----------------------------------------------------------------------------------------


def ms(value: float) -> str:
    return "–" if value != value else f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def scale_table(result: dict) -> list[str]:
    lines = [
        f"**{result['scale']}** ({_counts(result['manifest'])}; load average before, 1 / 5 / 15 min: "
        f"{result['load']}). One user, requests one after another:",
        "",
        "| page | requests | errors | p50 / p95 / p99 ms | p95, median of rounds | app p50 / p95 | SQL p50 / p95 "
        "| page ÷ SQL | outside SQL p95 | app CPU p50 | queries |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for page in result["pages"]:
        f = result["one"][page.key]
        queries = (
            f.queries
            if f.query_range[0] == f.query_range[1]
            else f"{f.queries} ({f.query_range[0]}–{f.query_range[1]})"
        )
        lines.append(
            f"| {page.label} | {f.n} | {f.errors}{' (' + f.first_error + ')' if f.errors else ''} "
            f"| {ms(f.p50)} / **{ms(f.p95)}** / {ms(f.p99)} | {ms(f.p95_rounds)} | {ms(f.app50)} / {ms(f.app95)} "
            f"| {ms(f.db50)} / {ms(f.db95)} | {f.ratio:.1f} | {ms(f.outside95)} | {ms(f.cpu50)} | {queries} |"
        )
    total = result["many_total"]
    lines += [
        "",
        f"{result['many_total'].n} requests from {len(result['pages'])} pages by 20 users at once over "
        f"{result['seconds']:.0f} s: **{result['rps']:.0f} pages per second**, {total.errors} errors"
        f"{' (first: ' + total.first_error + ')' if total.errors else ''}, "
        f"p50 / p95 / p99 {ms(total.p50)} / {ms(total.p95)} / {ms(total.p99)} ms.",
        "",
        *_ceiling_line(result),
        "| page (20 users) | requests | errors | p50 / p95 / p99 ms | SQL p50 / p95 |",
        "|---|---|---|---|---|",
    ]
    for page in result["pages"]:
        f = result["many"][page.key]
        lines.append(f"| {page.label} | {f.n} | {f.errors} | {ms(f.p50)} / {ms(f.p95)} / {ms(f.p99)} "
                     f"| {ms(f.db50)} / {ms(f.db95)} |")  # fmt: skip
    return lines


def _ceiling_line(result: dict) -> list[str]:
    ceiling = result.get("ceiling")
    if not ceiling:
        return []
    f = ceiling["figures"]
    return [
        f"For comparison, 20 users on the {CEILING.label.split(',')[0].lower()} ({CEILING.paths[0]}) alone: "
        f"**{ceiling['rps']:.0f} pages per second**, {f.errors} errors, app CPU p50 {ms(f.cpu50)} ms, "
        f"{f.queries} queries — the most this machine serves of any signed-in page.",
        "",
    ]


def _counts(manifest: dict) -> str:
    counts = manifest.get("counts") or {}
    tables = {"people_person": "people", "cases_case": "cases", "cases_chronologyentry": "chronology entries",
              "tasks_task": "tasks", "inforequests_informationrequest": "information requests",
              "accounts_user": "users", "audit_auditevent": "audit events"}  # fmt: skip
    shown = [f"{counts[table]:,} {name}" for table, name in tables.items() if table in counts]
    return ", ".join(shown) or "counts not in the manifest"


def verdicts(results: dict, args) -> list[str]:
    """Issue 7's targets, one line each: met, not met (and where), or not measured."""
    lines = []
    national, small = results.get("national"), results.get("small")
    if national:
        one = national["one"]
        slow = [f"{p.label} {ms(one[p.key].p95_rounds)} ms" for p in national["pages"]
                if p.key != "search" and not one[p.key].p95_rounds <= P95_TARGET_MS]  # fmt: skip
        lines.append(_verdict(f"p95 ≤ {P95_TARGET_MS} ms for every page at national, one user", slow))
        if small:
            ratios = {p.label: one[p.key].p95_rounds / small["one"][p.key].p95_rounds for p in national["pages"]}
            over = [f"{label} ×{ratio:.2f}" for label, ratio in ratios.items() if not ratio <= SCALE_RATIO_TARGET]
            lines.append(_verdict(f"p95 national ÷ p95 small ≤ {SCALE_RATIO_TARGET} for every page", over))
            moved = [f"{p.label} {small['one'][p.key].queries} → {one[p.key].queries}" for p in national["pages"]
                     if small["one"][p.key].queries != one[p.key].queries]  # fmt: skip
            lines.append(_verdict("query counts per page the same at small and national", moved))
        search = one.get("search")
        if search:
            problems = [] if search.p95_rounds <= SEARCH_P95_TARGET_MS else [f"p95 {ms(search.p95_rounds)} ms"]
            problems += [search.first_error] if search.errors else []
            target = f"person search at national: p95 ≤ {SEARCH_P95_TARGET_MS} ms, finding the misspelt names"
            lines.append(_verdict(target, problems))
    else:
        lines.append("- NOT MEASURED: the national targets (this run was small only).")
    for scale, result in results.items():
        one = result["one"]
        heavy = [f"{p.label} ×{one[p.key].ratio:.1f}" for p in result["pages"]
                 if one[p.key].db50 > SQL_RATIO_FLOOR_MS and not one[p.key].ratio <= SQL_RATIO_TARGET]  # fmt: skip
        target = f"{scale}: page ÷ SQL ≤ {SQL_RATIO_TARGET} where SQL takes over {SQL_RATIO_FLOOR_MS} ms"
        lines.append(_verdict(target, heavy))
        outside = [f"{p.label} {ms(one[p.key].outside95)} ms" for p in result["pages"]
                   if not one[p.key].outside95 <= OUTSIDE_SQL_TARGET_MS]  # fmt: skip
        lines.append(_verdict(f"{scale}: time outside SQL ≤ {OUTSIDE_SQL_TARGET_MS} ms p95 on every page", outside))
        total = result["many_total"]
        busy = [] if result["rps"] >= RPS_TARGET and total.errors == 0 else [
            f"{result['rps']:.0f} per second, {total.errors} errors"]  # fmt: skip
        if busy and result.get("ceiling"):
            busy.append(f"the smallest signed-in page alone reaches {result['ceiling']['rps']:.0f} per second here")
        lines.append(_verdict(f"{scale}: {args.users} users at once, ≥ {RPS_TARGET} pages per second, no errors", busy))
        errors = sum(f.errors for f in one.values())
        if errors:
            lines.append(f"- {scale}: {errors} responses of the one-user run were not the page (see the table).")
    return lines


def _verdict(target: str, problems: list) -> str:
    return f"- NOT MET: {target} ({'; '.join(map(str, problems))})" if problems else f"- MET: {target}"


def write_results(results: dict, args, started: str, pg_version: str) -> None:
    lines = [
        f"### {started}: {', '.join(results)}",
        "",
        f"Commit {commit()}; {machine()}; PostgreSQL {pg_version}; uvicorn with {args.workers} worker processes, "
        f"ROUNDTABLE_ENV=production, Redis; load from the same machine (asyncio, keep-alive; docs/benchmarks.md). "
        f"One user: {args.rounds} rounds × {args.requests} requests per page after {args.warmup} warm-up; "
        f"{args.users} users: {args.seconds} s after 3 s warm-up. Times in ms; server time measured by the "
        f"client on the loopback, app and SQL from Server-Timing; page ÷ SQL = app p50 ÷ SQL p50.",
        "",
    ]
    for result in results.values():
        lines += scale_table(result) + [""]
    lines += ["Targets (issue 7):", "", *verdicts(results, args)]
    if args.note:
        lines += ["", args.note]
    append_section("\n".join(lines) + "\n")


def append_section(text: str) -> None:
    """Add a run at the end of this benchmark's section, leaving other benchmarks' sections alone."""
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if SECTION not in current:
        intro = (
            f"\n{SECTION}\n\nServer time of each page with one user and with 20 at once, the SQL behind it "
            "(Server-Timing) and queries per page, at small and national scale (`make bench`; "
            "`make bench-quick` for small only). Newest run last.\n"
        )
        RESULTS.write_text(current.rstrip("\n") + "\n" + intro + "\n" + text)
        return
    start = current.index(SECTION)
    following = current.find("\n## ", start + len(SECTION))
    end = len(current) if following == -1 else following + 1
    section = current[start:end].rstrip("\n") + "\n\n" + text
    RESULTS.write_text(current[:start] + section + ("\n" + current[end:] if following != -1 else ""))


# --- Main -------------------------------------------------------------------------------------------------
def print_result(result: dict) -> None:
    print(f"\n== {result['scale']} ==")
    print(f"{'page':<52} {'p50':>6} {'p95':>6} {'p99':>6} {'SQL50':>6} {'out95':>6} {'cpu50':>6} {'q':>4} {'err':>4}")
    for page in result["pages"]:
        f = result["one"][page.key]
        print(f"{page.label[:52]:<52} {ms(f.p50):>6} {ms(f.p95):>6} {ms(f.p99):>6} {ms(f.db50):>6} "
              f"{ms(f.outside95):>6} {ms(f.cpu50):>6} {f.queries!s:>4} {f.errors:>4}")  # fmt: skip
        if f.first_error:
            print(f"    error: {f.first_error}")
    total = result["many_total"]
    print(f"20 users: {result['rps']:.0f} pages/s, {total.errors} errors, p95 {ms(total.p95)} ms"
          + (f" (first error: {total.first_error})" if total.first_error else ""))  # fmt: skip
    if result.get("ceiling"):
        ceiling = result["ceiling"]
        print(f"20 users on {CEILING.paths[0]}: {ceiling['rps']:.0f} pages/s, {ceiling['figures'].errors} errors, "
              f"app CPU p50 {ms(ceiling['figures'].cpu50)} ms")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small scale only, fewer requests (under 5 minutes)")
    parser.add_argument("--scales", default="small,national")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--manifest", action="append", default=[], help="use this manifest and its database as "
                        "they are (no generation); repeat for several scales")  # fmt: skip
    parser.add_argument("--reuse", action="store_true", help="reuse a scale's data whose manifest has the seed, "
                        "even if the generator's code changed since it was written")  # fmt: skip
    parser.add_argument("--regenerate", action="store_true", help="generate every scale's data again")
    parser.add_argument("--pages", nargs="*", help="only these page keys")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=None, help="requests per page per round (one user)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=None, help="length of the 20-user run per scale")
    parser.add_argument("--ceiling-seconds", type=int, default=10,
                        help="length of the 20-user run on the smallest signed-in page (0: skip it)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (one per core)")
    parser.add_argument("--port", type=int, default=8151)
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6"))
    parser.add_argument("--postgres", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--note", default="", help="a sentence to add under this run in RESULTS.md")
    parser.add_argument("--no-results", action="store_true", help="do not write bench/RESULTS.md")
    args = parser.parse_args()
    if args.quick:
        args.scales = "small"
    args.requests = args.requests or (8 if args.quick else 30)
    args.seconds = args.seconds or (15 if args.quick else 40)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["pg_isready", "-q", "-d", f"{args.postgres}/postgres"]).returncode != 0:
        raise SystemExit(f"PostgreSQL is not reachable at {args.postgres} (make services)")
    started = datetime.datetime.now(datetime.UTC).strftime("%d %B %Y %H:%M UTC").lstrip("0")
    pg_version = psql(f"{args.postgres}/postgres", "SHOW server_version").stdout.strip().split(" ")[0]

    results: dict = {}
    plan = [(json.loads(Path(p).read_text()), p) for p in args.manifest]
    if not plan:
        plan = [(None, scale) for scale in args.scales.split(",")]
    for manifest, scale_or_path in plan:
        base_env = production_env(args, "")
        if manifest is None:
            manifest = prepare_data(args, scale_or_path, base_env)
        scale = manifest["scale"]
        env = {**base_env, "DATABASE_URL": database_url(args, manifest, scale)}
        results[scale] = measure_scale(args, scale, manifest, env)
        print_result(results[scale])
    if not args.no_results:
        write_results(results, args, started, pg_version)
        print(f"\nAppended to {RESULTS.relative_to(ROOT)}")
    print("\n".join(["", "Targets:", *verdicts(results, args)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
