"""The case summary PDF: who may take the whole case away as one document.

Reading a case on screen and carrying all of it off in one file are different risks: a
PDF leaves the system, is printed, e-mailed and filed. So not every member may produce
one. It is for the people who answer for the record:

- the case's **owners** (they decide who is on the case and who reads locked-down entries);
- **panel chairs** who are members of the case (they chair the panel that decides on it,
  and are the ones asked for the record by a court or a serious case review);
- the **chair of the Channel panel** a Channel case sits with, when a member of the case
  (whatever their account's role).

Contributors and viewers read everything they may see on the case's pages, and ask an owner
or the chair for a summary. System administrators and auditors never read case content.
What goes *into* the summary is decided by the rules of each section (lock-down included),
for the person producing it: see roundtable/casesummary/queries.py.
"""

import importlib.util

from roundtable.access.policy import has_role, rule
from roundtable.access.rules.cases import OWNER, membership
from roundtable.accounts.models import Role

CASE_WORKERS = (Role.PRACTITIONER, Role.PANEL_CHAIR, Role.PANEL_ADMIN, Role.ORG_ADMIN)


def _chairs_its_channel_panel(user, case) -> bool:
    if getattr(case, "kind", None) != "channel" or importlib.util.find_spec("roundtable.channel") is None:
        return False
    from roundtable.channel.models import ChannelCase

    return ChannelCase.objects.filter(case_id=case.pk, panel__chair_id=user.pk).exists()


@rule("case.export_summary")
def export_summary(user, case):
    if case is None or not has_role(user, *CASE_WORKERS):
        return False
    role = membership(user, case)
    if role is None:
        return False
    if role == OWNER or has_role(user, Role.PANEL_CHAIR):
        return True
    return _chairs_its_channel_panel(user, case)
