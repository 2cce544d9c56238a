"""The home page panel: for the police Prevent team, referrals waiting for screening; for
everyone who may refer, the way to make a referral."""

from roundtable.access import policy
from roundtable.channel import services
from roundtable.channel.workflow import REFERRED


def panel(request):
    """This app's panel on the home page (see roundtable/core/home.py)."""
    user = request.user
    may_refer = policy.can(user, "channel.refer")
    in_team = policy.can(user, "channel.queue")
    if not (may_refer or in_team):
        return None
    waiting = services.queue(user).filter(state=REFERRED).count() if in_team else 0
    return {"template": "channel/home_panel.html", "in_team": in_team, "waiting": waiting, "may_refer": may_refer}
