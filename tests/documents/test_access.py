"""Need to know: documents are for the case's members; locked-down ones for the people named."""

import pytest
from django.urls import reverse

from roundtable.access import policy
from roundtable.api.services import do_create_token
from roundtable.documents.models import Document, WithheldDocument
from tests.conftest import force_sign_in
from tests.documents.factories import DocumentFactory
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = ["documents:detail", "documents:download", "documents:play", "documents:change_access"]
API = ["/api/v1/documents/{pk}", "/api/v1/documents/{pk}/download"]


@pytest.fixture
def setting(cast):
    owner, named, unnamed = cast["practitioner"], cast["panel_chair"], cast["panel_admin"]
    case = CaseFactory(owner=owner, members=[named, unnamed])
    open_document = DocumentFactory(case=case, title="Open minutes")
    locked = DocumentFactory(case=case, title="Disclosure from police", original_name="disclosure.pdf",
                             restricted_to=[named])  # fmt: skip
    return {"case": case, "open": open_document, "locked": locked, "named": named, "unnamed": unnamed}


def api_get(client, user, path):
    _, raw = do_create_token(user, name="test", days=1)
    return client.get(path, headers={"Authorization": f"Bearer {raw}"})


@pytest.mark.parametrize("who", ["org_admin", "auditor", "system_admin", "other_org_admin", "other_org_practitioner"])
def test_people_not_on_the_case_get_404_for_every_document_page_and_route(client, cast, setting, who):
    user = cast[who]
    force_sign_in(client, user)
    document = setting["open"]
    assert client.get(reverse("documents:case_documents", args=[setting["case"].pk])).status_code == 404
    assert client.get(reverse("documents:upload", args=[setting["case"].pk])).status_code == 404
    for name in PAGES:
        assert client.get(reverse(name, args=[document.pk])).status_code == 404, name
    for path in [*API, "/api/v1/documents/case/{case}"]:
        url = path.format(pk=document.pk, case=setting["case"].pk)
        assert api_get(client, user, url).status_code == 404, url


def test_guessed_document_ids_are_404_like_missing_ones(client, cast, setting):
    force_sign_in(client, cast["other_org_practitioner"])
    missing = Document.objects.order_by("-pk").first().pk + 1000
    for pk in (setting["open"].pk, setting["locked"].pk, missing):
        for name in PAGES:
            assert client.get(reverse(name, args=[pk])).status_code == 404


def test_a_member_not_named_on_a_restricted_document_gets_404_everywhere(client, setting):
    force_sign_in(client, setting["unnamed"])
    for name in PAGES:
        assert client.get(reverse(name, args=[setting["locked"].pk])).status_code == 404, name
    for path in API:
        assert api_get(client, setting["unnamed"], path.format(pk=setting["locked"].pk)).status_code == 404


def test_a_member_not_named_sees_that_it_exists_when_by_whom_and_whom_to_ask_but_not_its_title(client, setting):
    force_sign_in(client, setting["unnamed"])
    page = client.get(reverse("documents:case_documents", args=[setting["case"].pk])).content.decode()
    owner = setting["case"].owner
    assert "Open minutes" in page
    assert "Restricted documents" in page
    assert f"Ask {owner.full_name} if you need to see it." in page
    assert "Disclosure from police" not in page
    assert "disclosure.pdf" not in page
    assert f"/documents/{setting['locked'].pk}/" not in page


def test_the_api_list_withholds_restricted_documents_from_those_not_named(client, setting):
    response = api_get(client, setting["unnamed"], f"/api/v1/documents/case/{setting['case'].pk}")
    data = response.json()
    assert [item["title"] for item in data["documents"]] == ["Open minutes"]
    assert len(data["restricted"]) == 1
    assert "Disclosure" not in response.content.decode()
    assert set(data["restricted"][0]) == {"uploaded_at", "uploaded_by", "ask"}


@pytest.mark.parametrize("who", ["named", "uploader"])
def test_the_named_people_and_the_uploader_can_open_a_restricted_document(client, setting, who):
    user = setting["named"] if who == "named" else setting["case"].owner
    force_sign_in(client, user)
    assert client.get(reverse("documents:download", args=[setting["locked"].pk])).status_code == 200
    page = client.get(reverse("documents:case_documents", args=[setting["case"].pk])).content.decode()
    assert "Disclosure from police" in page


def test_a_document_on_a_restricted_entry_is_withheld_from_those_not_named_on_the_entry(cast, setting):
    from tests.factories import EntryFactory

    entry = EntryFactory(case=setting["case"], is_restricted=True)
    entry.restricted_to.set([setting["named"]])
    document = DocumentFactory(case=setting["case"], entry=entry)
    assert not policy.visible(setting["unnamed"], Document.objects.filter(pk=document.pk)).exists()
    assert policy.visible(setting["unnamed"], WithheldDocument.objects.filter(pk=document.pk)).exists()
    assert policy.visible(setting["named"], Document.objects.filter(pk=document.pk)).exists()


def test_someone_removed_from_the_case_loses_the_documents(client, setting):
    from roundtable.cases.models import CaseMembership

    CaseMembership.objects.filter(user=setting["named"]).delete()
    force_sign_in(client, setting["named"])
    assert client.get(reverse("documents:download", args=[setting["locked"].pk])).status_code == 404


def test_only_the_uploader_can_change_who_sees_a_document(client, setting):
    url = reverse("documents:change_access", args=[setting["open"].pk])
    force_sign_in(client, setting["named"])
    assert client.post(url, {"restrict": "on", "restricted_to": [setting["unnamed"].pk]}).status_code == 404
    force_sign_in(client, setting["case"].owner)
    response = client.post(url, {"restrict": "on", "restricted_to": [setting["named"].pk]})
    assert response.status_code == 302
    setting["open"].refresh_from_db()
    assert setting["open"].is_restricted
    assert not policy.visible(setting["unnamed"], Document.objects.filter(pk=setting["open"].pk)).exists()


def test_a_user_of_another_organisation_added_to_the_case_sees_its_documents(client, cast, setting):
    partner = UserFactory(organisation=cast["other_org_practitioner"].organisation)
    from roundtable.cases.models import CaseMembership

    CaseMembership.objects.create(case=setting["case"], user=partner, role=CaseMembership.Role.VIEWER)
    force_sign_in(client, partner)
    assert client.get(reverse("documents:detail", args=[setting["open"].pk])).status_code == 200
    assert client.get(reverse("documents:detail", args=[setting["locked"].pk])).status_code == 404
