"""Two members have the same chronology open; one adds an entry; the other's page shows it
without a reload (Channels over a real ASGI server, Debian's Chromium via Playwright).

The ASGI server is uvicorn in a thread of the test process, over the transactional test
database. With SQLite's in-memory test database the server shares the test's connection
(as Django's own LiveServerTestCase does), because a separate process or connection could
not see it; on PostgreSQL every thread uses its own connection."""

import socket
import threading
import time

import pytest
from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.db import connections
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import force_sign_in


class _SharedConnections:
    """Stands in for Django's per-thread connection storage: every thread gets this one."""


def _forget_the_servers_channel_layer():
    """The channel layer is one object per process, and channels_redis binds its reads to the
    event loop that started them. The server's loop stops with reads still open (a socket the
    browser closed is not always seen off first), so that layer would refuse every later test's
    read in this process ("Two event loops are trying to receive() on one channel layer at
    once!"). The next user gets a new one, as a new server process would."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()


@pytest.fixture
def asgi_server(transactional_db):
    import uvicorn

    from roundtable.asgi import application

    connection = connections["default"]
    original = connections._connections
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        connection.inc_thread_sharing()
        shared = _SharedConnections()
        shared.default = connection
        connections._connections = shared
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        ASGIStaticFilesHandler(application), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the ASGI server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    _forget_the_servers_channel_layer()
    if connections._connections is not original:
        connections._connections = original
        connection.dec_thread_sharing()


@pytest.fixture
def chromium(browser):
    return browser  # the shared session browser from tests/conftest.py


def _signed_in_page(chromium, base_url, user):
    client = Client()
    force_sign_in(client, user)
    context = chromium.new_context(base_url=base_url, locale="en-GB")
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": base_url}]
    )  # fmt: skip
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


@pytest.mark.browser
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="An in-memory SQLite database shared by the ASGI server's threads and the test fails "
    "intermittently ('cannot open savepoint - SQL statements in progress'); proved on PostgreSQL.",
)
def test_a_new_entry_appears_on_another_members_open_chronology_without_a_reload(asgi_server, chromium, team):
    case = team["case"]
    chronology = reverse("cases:chronology", args=[case.pk])
    writer, writer_errors = _signed_in_page(chromium, asgi_server, team["owner"])
    reader, reader_errors = _signed_in_page(chromium, asgi_server, team["viewer"])

    reader.goto(chronology)
    timeline = reader.locator("#chronology")
    expect(timeline).to_have_attribute("data-live", "connected")
    reader.evaluate("window.stillTheSamePage = true")

    writer.goto(reverse("cases:entry_create", args=[case.pk]))
    writer.get_by_label("What kind of entry is this?").select_option("home_visit")
    writer.get_by_label("Summary").fill("Visited the family at home")
    writer.get_by_label("Full account (optional)").fill("Everyone was well.")
    writer.get_by_role("button", name="Add to the chronology").click()
    expect(writer.locator("#chronology")).to_contain_text("Visited the family at home")

    expect(timeline).to_contain_text("Visited the family at home")
    expect(timeline).to_contain_text("Everyone was well.")
    assert reader.evaluate("window.stillTheSamePage") is True

    # A restricted entry reaches the same page only as its placeholder.
    writer.goto(reverse("cases:entry_create", args=[case.pk]))
    writer.get_by_label("What kind of entry is this?").select_option("information_received")
    writer.get_by_label("Summary").fill("Confidential police information")
    writer.get_by_label("Full account (optional)").fill("Only for the owner")
    writer.get_by_label("Restrict this entry to named people").check()
    writer.get_by_role("button", name="Add to the chronology").click()
    expect(writer.locator("#chronology")).to_contain_text("Confidential police information")

    expect(timeline).to_contain_text("Restricted entry, information received recorded")
    expect(timeline).not_to_contain_text("Confidential police information")
    expect(timeline).not_to_contain_text("Only for the owner")
    assert reader.evaluate("window.stillTheSamePage") is True
    assert not writer_errors and not reader_errors
