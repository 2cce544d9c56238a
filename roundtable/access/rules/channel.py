"""Channel: a Channel case and everything recorded on it are visible with its case
(need to know: case membership). The police Prevent team of a panel see their queue;
the deconfliction search on a referral is for the panel's Prevent officers only.
Who may make each workflow transition is declared in roundtable/channel/workflow.py.
"""

from roundtable.access import policy
from roundtable.access.policy import rule, scope
from roundtable.accounts.models import Role

REFERRERS = (Role.PRACTITIONER, Role.PANEL_CHAIR, Role.PANEL_ADMIN, Role.ORG_ADMIN)


def _visible_cases(user):
    from roundtable.cases.models import Case

    return policy.visible(user, Case.objects.all()).values("pk")


@scope("channel.channelcase")
def channel_cases(user, qs):
    return qs.filter(case__in=_visible_cases(user))


@scope("channel.referral")
@scope("channel.screening")
@scope("channel.nextstep")
@scope("channel.paneldecision")
@scope("channel.review")
@scope("channel.transferoffer")
def channel_records(user, qs):
    return qs.filter(channel_case__case__in=_visible_cases(user))


@rule("channel.refer")
def refer(user, obj):
    # Anyone who works with cases may refer from inside Roundtable (the public page needs no account).
    return user.role in REFERRERS


@rule("channel.queue")
def see_queue(user, obj):
    from roundtable.channel.services import is_prevent_officer

    return is_prevent_officer(user)


@rule("channel.view")
def view_channel_case(user, channel_case):
    return policy.can(user, "case.view", channel_case.case)


@rule("channel.deconfliction")
def see_deconfliction(user, channel_case):
    """The panel's police Prevent officers screen referrals against existing profiles."""
    from roundtable.channel.workflow import roles_of

    return policy.can(user, "case.view", channel_case.case) and "police" in roles_of(user, channel_case)
