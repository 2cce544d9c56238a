"""Server-Timing: how long a request took in the app and in its SQL, on the response itself.

Off by default (SERVER_TIMING=false): the middleware then removes itself from the stack at
start-up, so production pays nothing. With SERVER_TIMING=true every response carries

    Server-Timing: app;dur=41.7, db;dur=12.3, q;desc="14", cpu;dur=25.1

- app: milliseconds from this middleware receiving the request (it is first in the stack, so
  sessions, sign-in checks, the view, templates and the audit write are all inside) until the
  response object is ready;
- db:  milliseconds spent in the database: every query (via ``connection.execute_wrapper``)
  and every transaction's BEGIN and COMMIT or ROLLBACK (a page's audit write commits, and a
  commit waits for the write-ahead log to reach the disk); opening a database connection is
  not counted here, only in app;
- q:   how many statements that makes, counted as Django's own query log counts them (BEGIN
  and COMMIT included), so it equals the numbers the query-count tests assert;
- cpu: milliseconds of CPU the request's thread used (Python building queries, reading rows,
  rendering templates). Unlike app it hardly changes when other work shares the machine,
  so it is the fairest figure for our own code on a busy benchmark host.

bench/pages.py reads these from the very requests it times, so "page time / SQL time"
compares like with like. It is a measuring aid, not a monitoring system: turn it on for a
benchmark or to look at a slow page, not on a public server (it tells anyone who can load a
page how long our SQL takes).

Under uvicorn (ASGI) Django runs this synchronous stack, view included, in one worker
thread per request, and database connections belong to a thread, so the wrapper sees every
query of that request and none of another's. A streaming response's body is produced after
the middleware has returned (the header has already been sent), so its figures cover only
the work done before the first byte; the CSV export and file downloads are such responses.
"""

import time
from contextlib import ExitStack, contextmanager

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections


class QueryTimer:
    """An execute wrapper that counts queries and adds up the time they take."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def server_timing(app_seconds: float, timer: QueryTimer, cpu_seconds: float) -> str:
    return (
        f'app;dur={app_seconds * 1000:.1f}, db;dur={timer.seconds * 1000:.1f}, q;desc="{timer.count}", '
        f"cpu;dur={cpu_seconds * 1000:.1f}"
    )


@contextmanager
def _timed_transactions(connection, timer: QueryTimer):
    """Time BEGIN, COMMIT and ROLLBACK too: Django sends them outside execute wrappers.

    The connection object belongs to this request's thread, so wrapping its methods for the
    length of the request touches no other request. These are the methods Django's own
    query log times (``debug_transaction``); the tests prove the counts still agree."""
    names = ("_commit", "_rollback", "_set_autocommit")

    def timed(method, counted):
        def run(*args, **kwargs):
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                timer.seconds += time.perf_counter() - started
                timer.count += counted(*args)

        return run

    originals = {name: getattr(connection, name) for name in names}
    connection._commit = timed(originals["_commit"], lambda: 1 if connection.connection is not None else 0)
    connection._rollback = timed(originals["_rollback"], lambda: 1 if connection.connection is not None else 0)
    connection._set_autocommit = timed(originals["_set_autocommit"], lambda autocommit: 0 if autocommit else 1)
    try:
        yield
    finally:
        for name in names:
            del connection.__dict__[name]


class ServerTimingMiddleware:
    def __init__(self, get_response):
        if not getattr(settings, "SERVER_TIMING", False):
            raise MiddlewareNotUsed  # off: not even a function call per request
        self.get_response = get_response

    def __call__(self, request):
        timer = QueryTimer()
        started, cpu_started = time.perf_counter(), time.thread_time()
        with ExitStack() as wrappers:
            for connection in connections.all():
                wrappers.enter_context(connection.execute_wrapper(timer))
                wrappers.enter_context(_timed_transactions(connection, timer))
            response = self.get_response(request)
        cpu = time.thread_time() - cpu_started
        response["Server-Timing"] = server_timing(time.perf_counter() - started, timer, cpu)
        return response
