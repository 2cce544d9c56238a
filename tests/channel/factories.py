"""Channel test data: referrals go through the real service, so every case is built the way users build them."""

from datetime import date

from roundtable.channel.models import ChannelCase, Referral
from roundtable.channel.services import do_submit_referral


def referral_details(**overrides) -> dict:
    details = {
        "given_name": "Jordan",
        "family_name": "Ashdown",
        "date_of_birth": date(2010, 4, 2).isoformat(),
        "sex": "male",
        "postcode": "NS1 4AB",
        "address": "12 Mill Lane\nNorthtown",
        "school_or_employer": "Millford Academy",
        "concern": "Has been sharing extremist videos with classmates.",
        "indicators": ["material", "behaviour_change"],
        "urgency": "routine",
        "referrer_name": "A Teacher",
        "referrer_organisation": "Millford Academy",
        "referrer_email": "teacher@example.test",
        "referrer_sector": "education",
        "person_aware": "no",
        "family_aware": "not_known",
        "consent": "not_asked",
    }
    details.update(overrides)
    return details


def submit(panel, submitter=None, source=Referral.Source.PUBLIC, **overrides) -> ChannelCase:
    referral = do_submit_referral(submitter, panel, referral_details(**overrides), source=source)
    return ChannelCase.objects.select_related("case", "panel").get(pk=referral.channel_case_id)


SCREENING_CLEAR = {
    "deconfliction_checked": True,
    "deconfliction_date": date.today().isoformat(),
    "deconfliction_result": "clear",
    "initial_risk": "Low risk to others; vulnerable to online grooming.",
}
