"""Give every existing scenario its parts, read from its spec, so the admin can edit it.

A spec that no longer parses is left as it is (with no parts); the admin then shows it empty.
"""

from django.db import migrations

from cfviz.scenario_parts import PARTS, parts_from_spec
from simulator.scenario import ScenarioError, parse_scenario

PART_MODELS = {
    "zones": "Zone",
    "cell_groups": "CellGroup",
    "apps": "App",
    "timeline": "TimelineAction",
    "narration": "NarrationStep",
}


def parts_from_specs(apps, schema_editor):
    Scenario = apps.get_model("cfviz", "Scenario")
    for scenario in Scenario.objects.all():
        try:
            parts = parts_from_spec(parse_scenario(scenario.spec))
        except ScenarioError:
            continue
        for name, value in parts.scenario.items():
            setattr(scenario, name, value)
        scenario.save()
        for part in PARTS:
            Model = apps.get_model("cfviz", PART_MODELS[part])
            # Parts gained fields in later migrations (an app's copies); a spec saved before this
            # one has them at their defaults, which those migrations give.
            known = {f.name for f in Model._meta.fields}
            Model.objects.bulk_create(
                Model(scenario=scenario, **{k: v for k, v in values.items() if k in known})
                for values in getattr(parts, part)
            )


class Migration(migrations.Migration):
    dependencies = [("cfviz", "0004_scenario_parts")]

    operations = [migrations.RunPython(parts_from_specs, migrations.RunPython.noop)]
