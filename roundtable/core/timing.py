"""Server-Timing: how long a request took in the app and in its SQL, on the response itself.

Off by default (SERVER_TIMING=false): the middleware then removes itself from the stack at
start-up, so production pays nothing. With SERVER_TIMING=true every response carries

    Server-Timing: app;dur=41.7, db;dur=12.3, q;desc="14"

- app: milliseconds from this middleware receiving the request (it is first in the stack, so
  sessions, sign-in checks, the view, templates and the audit write are all inside) until the
  response object is ready;
- db:  milliseconds spent executing SQL (summed over every query, via
  ``connection.execute_wrapper``); opening a database connection is not a query and counts
  in app only;
- q:   how many queries ran.

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
from contextlib import ExitStack

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


def server_timing(app_seconds: float, timer: QueryTimer) -> str:
    return f'app;dur={app_seconds * 1000:.1f}, db;dur={timer.seconds * 1000:.1f}, q;desc="{timer.count}"'


class ServerTimingMiddleware:
    def __init__(self, get_response):
        if not getattr(settings, "SERVER_TIMING", False):
            raise MiddlewareNotUsed  # off: not even a function call per request
        self.get_response = get_response

    def __call__(self, request):
        timer = QueryTimer()
        started = time.perf_counter()
        with ExitStack() as wrappers:
            for connection in connections.all():
                wrappers.enter_context(connection.execute_wrapper(timer))
            response = self.get_response(request)
        response["Server-Timing"] = server_timing(time.perf_counter() - started, timer)
        return response
