"""Channel on other apps' pages: the case summary shows a Channel case's state and its flags
(escalated outside Channel, risk of significant harm, referred to social care) with their
reasons, so nobody opening the case can miss them."""

from django import template

register = template.Library()


@register.inclusion_tag("channel/_case_summary.html")
def channel_summary(case) -> dict:
    """For a case the page has already checked the user may see; nothing for other kinds."""
    from roundtable.cases.models import Case
    from roundtable.channel.models import ChannelCase

    if case is None or case.kind != Case.Kind.CHANNEL:
        return {}
    return {"case": case, "channel_case": ChannelCase.objects.filter(case_id=case.pk).first()}
