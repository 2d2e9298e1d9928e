"""Data: the seed rows of the operating model that are facts in the shared standards note, not in a CSV.

The indicator frameworks (U4SSC, ISO 37120, local), the 19 ISO 37120:2018 themes, the delivery principles
(4 [P] headings, 7 [R] from TGF/PAS 181) and the 9 key-risk areas ([R]). Each row is editable afterwards.
The CSV reference data (U4SSC KPIs, ISO 37101 matrix) is loaded by `cityhall operating load-reference`,
because it lives outside the repository (../shared/standards/data).
"""

from django.db import migrations


def seed(apps, schema_editor):
    # Reversing 0001 drops the tables, so going back needs nothing here.
    from cityhall.operating.reference import seed_reference

    seed_reference(apps)


class Migration(migrations.Migration):
    dependencies = [("operating", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop, elidable=False)]
