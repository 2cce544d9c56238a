"""The fictional Northshire Channel Panel (see core/management/commands/load_demo.py).

Idempotent: the panel is recognised by its name; the two local-authority Prevent leads
are demo users of their own, recognised by e-mail."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from roundtable.accounts.models import Role, User
from roundtable.audit.services import record
from roundtable.panels.models import Panel

PANEL_NAME = "Northshire Channel Panel"
# (e-mail local part, full name, job title): both at Northshire County Council.
LEADS = [
    ("adultslead", "Ada Lead", "Prevent lead for adults"),
    ("childrenlead", "Chris Lead", "Prevent lead for children and families"),
]


def _lead(context: dict, local: str, full_name: str, job_title: str) -> User:
    from roundtable.core.management.commands.load_demo import DEMO_DOMAIN, DEMO_PASSWORD, demo_key

    email = f"{local}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            full_name=full_name,
            job_title=job_title,
            role=Role.PRACTITIONER,
            organisation=context["organisations"]["Northshire County Council"],
        )
        record(None, "user.created", user, actor_label="load_demo", role=Role.PRACTITIONER)
    TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Demo authenticator", "key": demo_key(email)}
    )
    context["users"][local] = user
    return user


def load(context: dict) -> None:
    """Add this app's fictional demo records (idempotent)."""
    users = context["users"]
    adults, children = (_lead(context, *lead) for lead in LEADS)
    panel = Panel.objects.filter(area=context["area"], name=PANEL_NAME).first()
    if panel is None:
        panel = Panel.objects.create(
            name=PANEL_NAME,
            kind=Panel.Kind.CHANNEL,
            area=context["area"],
            chair=users["chair"],
            police_lead=users["police"],
            adults_lead=adults,
            children_lead=children,
        )
        panel.administrators.set([users["paneladmin"]])
        panel.prevent_team.set([users["police"]])
        panel.members.set([users[key] for key in ("practitioner", "teacher", "orgadmin") if key in users])
        record(None, "panel.created", panel, actor_label="load_demo", kind=panel.kind)
    context["panels"] = {PANEL_NAME: panel}
