"""Well-known question ids: the ids another part of Roundtable reads answers by.

The Channel referral reads a referral form's answers by the ids in
roundtable/channel/referral_form.py (``CORE``); an information request reads an information
return's by those in roundtable/inforequests/return_form.py. Those modules own the ids and
the checks a form must pass to be chosen or published (their ``problems``); this module only
asks them, by the form's purpose, so the builder can list the ids in its hint and refuse a
question that could never feed them — with the very same sentences the choice would give.
"""

from roundtable.formbuilder.models import Purpose


def _consumer(purpose: str):
    if purpose == Purpose.REFERRAL:
        from roundtable.channel import referral_form

        return referral_form, "a Channel panel uses this form for referrals, the Channel referral"
    if purpose == Purpose.INFORMATION_RETURN:
        from roundtable.inforequests import return_form

        return return_form, "this form answers information requests, the request"
    return None, ""


def well_known(purpose: str) -> dict[str, str]:
    """id → what its consumer reads from it (empty: nothing reads this purpose's answers by id)."""
    module, _ = _consumer(purpose)
    return module.well_known() if module else {}


def reader(purpose: str) -> str:
    """Who reads the ids, for the hint: "a Channel panel uses this form for referrals, the Channel referral"."""
    return _consumer(purpose)[1]


def question_problems(purpose: str, question: dict, *, in_group: bool = False) -> list[str]:
    """What stops this question (with its id) from feeding its consumer; empty when the id
    is not well known for this purpose or the question suits."""
    module, _ = _consumer(purpose)
    return module.question_problems(question, in_group=in_group) if module else []
