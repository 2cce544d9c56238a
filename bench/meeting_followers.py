"""How long does the chair's "next item" take to move 30 followers' screens?

    python bench/meeting_followers.py              # 30 followers, 40 measured moves
    python bench/meeting_followers.py --moves 10   # a quicker run

Not part of the test suite. It runs the app as in production — two uvicorn processes
serving roundtable.asgi on two ports, DEBUG off, the full middleware stack, Redis as the
channel layer (so a move made through one process reaches sockets held by the other) —
against a throwaway PostgreSQL database (or SQLite, with --sqlite or when PostgreSQL is
unreachable). It makes a panel with a chair and 30 members, a meeting in session whose
published agenda holds case items (each case with some chronology), and signed-in
sessions for everyone (the server-side session the two-step sign-in produces).

The 30 followers open the meeting's WebSocket, half on each process. For each move the
chair presses "Next item" (or "Previous item" on the way back) through the page's own
control (a POST to the live control view, as the page's script sends it). Each follower
does what the page's script does (assets/static/roundtable/js/meeting-live.mjs): when
the message brings the item as this follower may see it (roundtable/meetings/follow.py),
that is the new screen; when it brings the IDs only, the follower fetches the item's
fragment through the ordinary permission-checked view from the process it is connected
to. Two latencies per follower and move, both from just before the chair's POST:

- screen moved (the headline): the follower has the new item's content — from the
  message, or from its own fetch (the browser's DOM update, a millisecond or two, is not
  included);
- message: the "meeting.moved" message arrives on the follower's socket.

Prints p50, p95 and the slowest of each (and of the 30th follower per move), how many
screens came with the message, and appends them to bench/RESULTS.md with the machine,
date, commit and the load average before the run (other work on the machine slows it).
Target (issue 5): every follower's screen has moved, p95 under 250 ms.
"""

# ruff: noqa: S603, S607  (a benchmark that starts this project's own programs and git)
import argparse
import asyncio
import datetime
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/, also when a test loads this file
from machine_info import commit, machine  # noqa: E402
from stats import percentile  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
UVICORN = ROOT / ".venv" / "bin" / "uvicorn"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TARGET_MS = 250

SETUP = """
import json, time
from importlib import import_module
from django.conf import settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from roundtable.accounts.models import Area, Organisation, Role, User
from roundtable.accounts.middleware import LAST_SEEN, SIGNED_IN_AT
from roundtable.cases.models import Case, CaseMembership, ChronologyEntry
from roundtable.meetings.models import AgendaItem, Meeting
from roundtable.panels.models import Panel
from roundtable.people.models import Person

FOLLOWERS, ITEMS = {followers}, {items}
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
area = Area.objects.create(name="Benchshire")
council = Organisation.objects.create(name="Bench Council", area=area, sector="local_authority")

def person(email, name, role=Role.PRACTITIONER):
    user = User.objects.create_user(email=email, password="bench-password-not-real", full_name=name,
                                    organisation=council, role=role)
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[-1]  # the model backend
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SIGNED_IN_AT] = session[LAST_SEEN] = time.time()
    session.create()
    return user, session.session_key

chair, chair_session = person("chair@bench.invalid", "Bench Chair", Role.PANEL_CHAIR)
followers = [person(f"member{{n}}@bench.invalid", f"Bench Member {{n}}") for n in range(FOLLOWERS)]
panel = Panel.objects.create(name="Bench Behaviour Panel", kind="behaviour_secondary", area=area, chair=chair)
panel.members.set([user for user, _ in followers])
now = timezone.now()
meeting = Meeting.objects.create(panel=panel, starts_at=now, place="Bench room", created_by=chair,
                                 agenda_published_at=now, status="in_session", started_at=now)
owner = chair
for n in range(ITEMS):
    who = Person.objects.create(given_name="Fictional", family_name=f"Benchperson{{n}}", area=area, created_by=owner)
    case = Case.objects.create(reference=f"RT-BENCH-{{n:04d}}", person=who, kind="referral", title="Benchmark case",
                               owner=owner, lead_organisation=council, area=area)
    CaseMembership.objects.create(case=case, user=owner, role="owner")
    for k in range(6):
        ChronologyEntry.objects.create(case=case, kind="note", summary=f"Note {{k}}", body="Benchmark text.",
                                       occurred_at=now, author=owner, organisation=council)
    AgendaItem.objects.create(meeting=meeting, case=case, kind="review", position=n + 1, added_by=chair)
first = meeting.items.order_by("position").first()
Meeting.objects.filter(pk=meeting.pk).update(current_item=first)
print("BENCH" + json.dumps({{"meeting": meeting.pk, "chair": chair_session,
                            "followers": [key for _, key in followers]}}))
"""


# --- A minimal HTTP/1.1 client on asyncio (the venv has websockets, not an HTTP client) ------------
async def http(port: int, method: str, path: str, headers: dict, body: bytes = b"") -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    await writer.drain()
    data = await reader.read()
    writer.close()
    head, _, content = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, content


class Follower:
    def __init__(self, number: int, port: int, session: str, meeting: int):
        self.number, self.port, self.session, self.meeting = number, port, session, meeting
        self.heard: dict[int, float] = {}  # item -> when the message arrived
        self.seen: dict[int, float] = {}  # item -> when the screen had the item (message or fetch)
        self.sent = 0  # screens that came with the message
        self.fetched = 0  # screens fetched after an IDs-only message
        self.ready = asyncio.Event()
        self.fetches: set[asyncio.Task] = set()  # asyncio keeps only weak references to tasks

    async def run(self, stop: asyncio.Event):
        import websockets

        url = f"ws://127.0.0.1:{self.port}/ws/meetings/{self.meeting}/"
        headers = {"Cookie": f"sessionid={self.session}", "Origin": f"http://127.0.0.1:{self.port}"}
        async with websockets.connect(url, additional_headers=headers, open_timeout=30) as socket:
            self.ready.set()
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(socket.recv(), timeout=0.5)
                except TimeoutError:
                    continue
                message = json.loads(raw)
                if message.get("event") != "meeting.moved" or message.get("item") is None:
                    continue
                item = message["item"]
                self.heard[item] = time.perf_counter()
                if "html" in message:
                    if "RT-BENCH-" not in message["html"]:
                        print(f"follower {self.number}: the message did not carry the case", file=sys.stderr)
                    self.seen[item] = self.heard[item]
                    self.sent += 1
                    continue
                self.fetched += 1
                task = asyncio.create_task(self.fetch(item))
                self.fetches.add(task)
                task.add_done_callback(self.fetches.discard)

    async def fetch(self, item: int):
        path = f"/meetings/{self.meeting}/live/items/{item}/"
        status, content = await http(self.port, "GET", path, {"Cookie": f"sessionid={self.session}",
                                                                "HX-Request": "true"})  # fmt: skip
        if status == 200 and b"RT-BENCH-" in content:
            self.seen[item] = time.perf_counter()
        else:
            print(f"follower {self.number}: fragment answered {status}", file=sys.stderr)


def wait_for_port(port: int, server: subprocess.Popen) -> None:
    import socket

    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError("a server stopped while starting")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("a server did not start")


def postgres_reachable(url: str) -> bool:
    return subprocess.run(["pg_isready", "-q", "-d", url], capture_output=True).returncode == 0


async def measure(args, ids: dict, ports: tuple[int, int]) -> tuple[list, list, list, list, tuple[int, int]]:
    meeting = ids["meeting"]
    followers = [Follower(n, ports[n % 2], key, meeting) for n, key in enumerate(ids["followers"])]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(f.run(stop)) for f in followers]
    await asyncio.wait_for(asyncio.gather(*(f.ready.wait() for f in followers)), timeout=60)
    csrf = secrets.token_hex(16)
    cookie = f"sessionid={ids['chair']}; csrftoken={csrf}"
    messages, views, last_messages, last_views = [], [], [], []
    direction = "next"
    position, top = 1, args.items
    for move in range(args.warmup + args.moves):
        if (direction == "next" and position == top) or (direction == "previous" and position == 1):
            direction = "previous" if direction == "next" else "next"
        body = f"csrfmiddlewaretoken={csrf}&action={direction}".encode()
        started = time.perf_counter()
        status, content = await http(ports[move % 2], "POST", f"/meetings/{meeting}/live/control/", {
            "Cookie": cookie, "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{ports[move % 2]}/", "Origin": f"http://127.0.0.1:{ports[move % 2]}",
        }, body)  # fmt: skip
        if status != 204:
            raise RuntimeError(f"the chair's move answered {status}: {content[:300]!r}")
        position += 1 if direction == "next" else -1
        deadline = started + (60 if move < args.warmup else 10)  # the first moves load code and templates
        while time.perf_counter() < deadline:
            heard = [f.heard for f in followers]
            latest = max(heard[0], key=heard[0].get) if heard[0] else None
            if latest is not None and all(latest in f.seen and f.heard.get(latest, 0) >= started for f in followers):
                break
            await asyncio.sleep(0.002)
        else:
            missing = [f.number for f in followers if latest not in f.seen]
            raise RuntimeError(f"move {move + 1}: not every follower moved in time (item {latest}; "
                               f"not moved: followers {missing})")  # fmt: skip
        if move >= args.warmup:
            item_messages = [(f.heard[latest] - started) * 1000 for f in followers]
            item_views = [(f.seen[latest] - started) * 1000 for f in followers]
            messages += item_messages
            views += item_views
            last_messages.append(max(item_messages))
            last_views.append(max(item_views))
        for f in followers:  # the same item comes round again on the way back
            f.heard.pop(latest, None)
            f.seen.pop(latest, None)
        await asyncio.sleep(args.pause)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    delivered = (sum(f.sent for f in followers), sum(f.fetched for f in followers))
    return messages, views, last_messages, last_views, delivered


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--followers", type=int, default=30)
    parser.add_argument("--items", type=int, default=12, help="case items on the agenda")
    parser.add_argument("--moves", type=int, default=40, help="measured moves")
    parser.add_argument("--warmup", type=int, default=5, help="moves before measuring (imports, caches)")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between moves")
    parser.add_argument("--ports", default="8021,8022")
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--postgres", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--sqlite", action="store_true", help="use a throwaway SQLite file instead of PostgreSQL")
    parser.add_argument("--no-results", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args()
    ports = tuple(int(p) for p in args.ports.split(","))
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())  # other work on the machine, before ours

    workdir = Path(tempfile.mkdtemp(prefix="rt-followers-bench-"))
    for empty in ("build", "static"):
        (workdir / empty).mkdir()
    database_name = f"rt_bench_followers_{os.getpid()}"
    use_postgres = not args.sqlite and postgres_reachable(args.postgres + "/postgres")
    database_url = f"{args.postgres}/{database_name}" if use_postgres else f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "ROUNDTABLE_ENV": "development",
        "DEBUG": "false",
        "ROUNDTABLE_VAR_DIR": str(workdir),
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis,
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1",
        # Production's connection pool (settings.DB_POOL_MAX_SIZE): without it every socket's
        # and every request's database work opens a new PostgreSQL connection.
        "DB_POOL_MAX_SIZE": os.environ.get("DB_POOL_MAX_SIZE", "10"),
    }
    for port in ports:
        import socket

        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise SystemExit(f"Port {port} is in use: stop what is listening there or choose --ports")
    servers: list[subprocess.Popen] = []
    try:
        if use_postgres:
            subprocess.run(["psql", "-q", args.postgres + "/postgres", "-c", f"CREATE DATABASE {database_name}"],
                           capture_output=True, check=False)  # fmt: skip
        subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        setup = SETUP.format(followers=args.followers, items=args.items)
        out = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", setup], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        ids = json.loads(out.stdout.split("BENCH", 1)[1])
        for port in ports:
            servers.append(subprocess.Popen(
                [UVICORN, "roundtable.asgi:application", "--host", "127.0.0.1", "--port", str(port),
                 "--no-access-log", "--lifespan", "off"],
                cwd=ROOT, env=env,
            ))  # fmt: skip
        for port, server in zip(ports, servers, strict=True):
            wait_for_port(port, server)
        messages, views, last_messages, last_views, delivered = asyncio.run(measure(args, ids, ports))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()  # still draining sockets: nothing of it is needed any more
                server.wait(timeout=15)
        if use_postgres:
            drop = f"DROP DATABASE IF EXISTS {database_name}"
            subprocess.run(["psql", "-q", args.postgres + "/postgres", "-c", drop], capture_output=True, check=False)
        shutil.rmtree(workdir, ignore_errors=True)

    def row(values):
        return percentile(values, 50), percentile(values, 95), max(values)

    figures = {
        "screen moved (each follower)": row(views),
        "screen moved (30th follower of each move)": row(last_views),
        "message (each follower)": row(messages),
    }
    database = "PostgreSQL" if use_postgres else "SQLite"
    sent, fetched = delivered
    print(f"{args.followers} followers on 2 processes ({database} + Redis), {args.moves} moves:")
    for label, (p50, p95, worst) in figures.items():
        print(f"  {label}: p50 {p50:.0f} ms, p95 {p95:.0f} ms, slowest {worst:.0f} ms")
    print(f"  screens sent with the message: {sent}; fetched after an IDs-only message: {fetched}")
    p95_screen = figures["screen moved (each follower)"][1]
    met = "MET" if p95_screen < TARGET_MS else "NOT MET"
    print(f"Target: every follower's screen moved within {TARGET_MS} ms at p95: {met} (load before: {load})")

    if not args.no_results:
        when = datetime.datetime.now(datetime.UTC).strftime("%d %B %Y %H:%M UTC").lstrip("0")
        lines = []
        if "## Follow the chair: screen moved" not in RESULTS.read_text():
            lines += [
                "",
                "## Follow the chair: screen moved (bench/meeting_followers.py)",
                "",
                'From just before the chair\'s "Next item" POST until each of 30 followers (WebSockets split across '
                "two uvicorn processes, Redis channel layer) has the new item on screen: the item as that follower "
                "may see it comes with the message (roundtable/meetings/follow.py), or the follower fetches it "
                "through the permission-checked view when the message brings the IDs only. "
                f"Target: screen moved p95 under {TARGET_MS} ms. The load average is the machine's before the run: "
                "other helpers' work shares the 2 CPUs.",
                "",
                "| date | commit | machine | load before (1/5/15 min) | setup | moves | screen moved p50 / p95 | "
                "30th follower p50 / p95 | slowest | message p50 / p95 | sent / fetched | target |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|",
            ]
        screen = figures["screen moved (each follower)"]
        last = figures["screen moved (30th follower of each move)"]
        m = figures["message (each follower)"]
        lines.append(
            f"| {when} | {commit()} | {machine()} | {load} | {args.followers} followers, 2 processes, {database} "
            f"+ Redis | {args.moves} | **{screen[0]:.0f} / {screen[1]:.0f} ms** | {last[0]:.0f} / {last[1]:.0f} ms | "
            f"{screen[2]:.0f} ms | {m[0]:.0f} / {m[1]:.0f} ms | {sent} / {fetched} | {met} |"
        )
        with RESULTS.open("a") as results:
            results.write("\n".join(lines) + "\n")
        print(f"Appended to {RESULTS.relative_to(ROOT)}")
    return 0 if p95_screen < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
