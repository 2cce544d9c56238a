"""Panel meetings: one a month per panel over the scale's history, the next one planned
with its agenda published (so its people may read the cases on it), the one after that
planned and still being built. Agendas take the panel's open cases (Channel cases for a
Channel panel, linked cases for a behaviour panel) and end with other business."""

import random
from datetime import UTC, date, datetime, time, timedelta

from roundtable.datagen.cases import CaseStreams
from roundtable.datagen.world import World
from roundtable.datagen.writers import Stream
from roundtable.meetings.models import AgendaItem, Meeting
from roundtable.panels.models import Panel

DECISIONS = ("Continue to support; review next month", "Adopt as a Channel case", "Signpost to early help",
             "Recommend exit", "Further information needed", "No further action")  # fmt: skip
PLACES = ("Council offices, committee room 2", "Police headquarters, meeting room 4", "Online", "Civic centre")


def write_meetings(writer, world: World, cases: CaseStreams, seed: int, now: datetime, today: date) -> dict:
    rng = random.Random(f"{seed}:meetings")
    meetings = Stream(
        Meeting,
        ("id", "panel_id", "starts_at", "ends_at", "place", "video_link", "status", "agenda_published_at",
         "agenda_published_by_id", "started_at", "closed_at", "created_by_id", "created_at", "updated_at"),
    )  # fmt: skip
    items = Stream(
        AgendaItem,
        ("id", "meeting_id", "case_id", "kind", "title", "position", "lead_id", "proposed", "minutes_text",
         "decision", "decision_reasons", "discussed_at", "added_by_id", "created_at", "updated_at"),
    )  # fmt: skip
    meeting_id = item_id = 0
    bench = {}
    for area in world.areas:
        admin = area.roles["admin"]
        for offset, (kind, panel_id) in enumerate(area.panels.items()):
            pool = cases.agenda_pools.get(panel_id, [])
            for month in range(-world.scale.meeting_months, 2):
                meeting_id += 1
                day = today + timedelta(days=30 * month + 5 + offset)
                starts = datetime.combine(day, time(9 + offset, 30), UTC)
                ends = starts + timedelta(hours=2, minutes=30)
                past = starts < now
                published = starts - timedelta(days=7) if month <= 0 else None
                if published and published > now:
                    published = now - timedelta(days=1)
                status = Meeting.Status.PLANNED
                if past:
                    status = Meeting.Status.CLOSED if month == -1 else Meeting.Status.MINUTES_APPROVED
                place = rng.choice(PLACES)
                video = "https://video.example/meet/" + f"{panel_id}-{meeting_id}" if place == "Online" else ""
                created = starts - timedelta(days=28)
                writer.add(
                    meetings,
                    (meeting_id, panel_id, starts, ends, place, video, status, published,
                     admin if published else None, starts if past else None, ends if past else None, admin,
                     created, min(now, ends)),
                )  # fmt: skip
                chosen = rng.sample(pool, min(len(pool), rng.randint(5, 10)))
                if month == 0 and kind == Panel.Kind.CHANNEL and area is world.areas[0]:
                    bench = {"meeting": meeting_id, "panel": panel_id}
                    chosen = [cases.grid_case] + [c for c in chosen if c != cases.grid_case]
                for position, case_id in enumerate(chosen, start=1):
                    item_id += 1
                    kind_ = AgendaItem.Kind.NEW_REFERRAL if rng.random() < 0.3 else AgendaItem.Kind.REVIEW
                    discussed = starts + timedelta(minutes=10 * position) if past else None
                    decision = rng.choice(DECISIONS) if past else ""
                    minutes = "Partners shared updates; the panel agreed the actions below." if past else ""
                    writer.add(
                        items,
                        (item_id, meeting_id, case_id, kind_, "", position, None, False, minutes, decision,
                         "Agreed by the panel." if past else "", discussed, admin, created, created),
                    )  # fmt: skip
                item_id += 1
                writer.add(
                    items,
                    (item_id, meeting_id, None, AgendaItem.Kind.OTHER_BUSINESS, "Any other business",
                     len(chosen) + 1, None, False, "", "", "", None, admin, created, created),
                )  # fmt: skip
    return bench
