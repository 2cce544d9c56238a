"""Rebuild every person's deconfliction keys: searches with two name parts now look up
pairs of name tokens (see roundtable/people/matching.py), which keys made before this
migration lack, so without it those people would silently drop out of searches."""

from django.db import migrations

BATCH = 2000


def rebuild_search_keys(apps, schema_editor):
    from roundtable.people.matching import keys_for_parts, name_parts

    Person = apps.get_model("people", "Person")
    PersonName = apps.get_model("people", "PersonName")
    SearchKey = apps.get_model("people", "SearchKey")
    last = 0
    while True:
        people = list(
            Person.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "given_name", "family_name")[:BATCH]
        )
        if not people:
            return
        last = people[-1][0]
        names = {pk: [given, family] for pk, given, family in people}
        for pk, given, family in PersonName.objects.filter(person_id__in=names).values_list(
            "person_id", "given_name", "family_name"
        ):
            names[pk] += [given, family]
        SearchKey.objects.filter(person_id__in=names).delete()
        SearchKey.objects.bulk_create(
            SearchKey(person_id=pk, key=key)
            for pk, parts in names.items()
            for key in sorted(keys_for_parts(name_parts(*parts)))
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0002_search_keys")]

    operations = [migrations.RunPython(rebuild_search_keys, migrations.RunPython.noop)]
