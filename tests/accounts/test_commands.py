import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from roundtable.accounts.models import Organisation, User
from roundtable.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_create_organisation_then_create_user_prints_the_secret_once():
    call_command("create_organisation", "Westshire Police", area="Westshire", sector="police", stdout=io.StringIO())
    organisation = Organisation.objects.get(name="Westshire Police")
    out = io.StringIO()
    call_command(
        "create_user", organisation="Westshire Police", role="practitioner", email="Officer@Example.test",
        name="An Officer", password="a-long-enough-password", stdout=out,
    )  # fmt: skip
    user = User.objects.get(email="officer@example.test")
    assert user.organisation == organisation and user.is_active
    assert "TOTP secret" in out.getvalue()
    assert AuditEvent.objects.filter(action="user.created", object_id=str(user.pk)).exists()


def test_create_user_names_the_problem_with_a_bad_organisation_or_password():
    call_command("create_organisation", "Westshire Police", area="Westshire", sector="police", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No single organisation"):
        call_command("create_user", organisation="Nowhere", role="practitioner", email="a@example.test", name="A")
    with pytest.raises(CommandError, match="too short"):
        call_command(
            "create_user", organisation="Westshire Police", role="practitioner", email="a@example.test", name="A",
            password="short",
        )  # fmt: skip


def test_a_duplicate_organisation_is_refused():
    call_command("create_organisation", "Westshire Police", area="Westshire", sector="police", stdout=io.StringIO())
    with pytest.raises(CommandError, match="already has an organisation"):
        call_command("create_organisation", "westshire police", area="Westshire", sector="police")


def test_loading_the_demo_twice_changes_nothing_the_second_time():
    call_command("load_demo", stdout=io.StringIO())
    counts = (User.objects.count(), Organisation.objects.count(), AuditEvent.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (User.objects.count(), Organisation.objects.count(), AuditEvent.objects.count()) == counts
    assert Organisation.objects.count() >= 10
