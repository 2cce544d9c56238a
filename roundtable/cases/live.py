"""Live chronology: tell the open pages of a case that an entry changed.

A message carries IDs only ("entry N changed on case M"), never content. Each browser
that hears one fetches the entry through the ordinary permission-checked fragment view,
so a restricted entry can never reach the wrong person through this channel."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)


def case_group(case_id: int) -> str:
    return f"case-{int(case_id)}"


def entry_changed_message(case_id: int, entry_id: int) -> dict:
    return {"type": "entry.changed", "case": int(case_id), "entry": int(entry_id)}


def send_entry_changed(case_id: int, entry_id: int) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(case_group(case_id), entry_changed_message(case_id, entry_id))
    except Exception:  # noqa: BLE001 - a dropped live update must never undo or fail a saved entry
        log.warning("Could not publish a live update for entry %s on case %s", entry_id, case_id, exc_info=True)


def publish_entry_changed(case_id: int, entry_id: int) -> None:
    """Publish once the surrounding transaction has committed (nothing is announced that rolled back)."""
    transaction.on_commit(lambda: send_entry_changed(case_id, entry_id))
