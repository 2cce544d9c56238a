from django.db import migrations

TABLE = "panels_workflowevent"


def install(apps, schema_editor):
    from roundtable.core import append_only

    append_only.install(schema_editor.connection, TABLE)


def drop(apps, schema_editor):
    from roundtable.core import append_only

    append_only.drop(schema_editor.connection, TABLE)


class Migration(migrations.Migration):
    dependencies = [("panels", "0001_initial")]

    operations = [migrations.RunPython(install, drop)]
