"""The scenario editor's forms.

The scenario form checks the whole scenario, its parts included, while the admin validates it:
the part formsets of the same request register with it, and its ``full_clean()`` builds the draft
from all of them and runs ``parse_scenario``. Each problem goes back to the field it is about
(``apps[2].memory_mb`` is the third app's memory), or to the part or the scenario as a whole.
The admin saves only when the form and every formset are valid, in one transaction, so an
invalid scenario saves nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cfviz import selectors
from cfviz.models import Scenario
from cfviz.scenario_parts import (
    PARTS,
    SCENARIO_FIELDS,
    SETTINGS,
    Parts,
    Place,
    draft_from_parts,
    problem_place,
)
from simulator.scenario import Scenario as ScenarioSpec
from simulator.scenario import ScenarioError, parse_scenario
from simulator.scenario_files import MAX_FILE_BYTES, guess_format, load_scenario_text

# The scenario's own fields that its spec holds (the rest, slug aside, are derived or fixed).
SCENARIO_VALUES = (*SCENARIO_FIELDS, *(name for names in SETTINGS.values() for name in names))


class PartFormSet(BaseInlineFormSet):
    """The forms of one of a scenario's parts (zones, cells, …)."""

    def __init__(self, *args: Any, siblings: list[PartFormSet] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The scenario form of the same request checks every part together.
        if siblings is not None:
            siblings.append(self)

    @property
    def part(self) -> str:
        return self.fk.remote_field.related_name

    def kept_forms(self) -> list[forms.ModelForm]:
        """The forms that will be saved: neither deleted nor an extra form left as it was."""
        return [
            form
            for form in self.forms
            if not (self.can_delete and self._should_delete_form(form))
            and not (form.empty_permitted and not form.has_changed())
        ]


class ScenarioForm(forms.ModelForm):
    # The admin sets this on the form class it makes for each request.
    part_formsets: list[PartFormSet] | None = None

    class Meta:
        model = Scenario
        fields = ["slug", *SCENARIO_VALUES]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The scenario as checked, all parts included: what the admin saves as its spec.
        self.checked: ScenarioSpec | None = None

    def full_clean(self) -> None:
        super().full_clean()
        # After the fields' own checks (the model's validators too), so each says its own first.
        if self.is_bound and self.part_formsets is not None:
            self.checked = ScenarioCheck(self, self.part_formsets).run()


class ScenarioCheck:
    """One check of a scenario form and its part formsets, as ``parse_scenario`` sees them."""

    def __init__(self, form: ScenarioForm, formsets: list[PartFormSet]) -> None:
        self.form = form
        self.formsets = {formset.part: formset for formset in formsets}
        for formset in formsets:
            formset.errors  # noqa: B018 (cleans the formset, once)
        self.forms = {part: formset.kept_forms() for part, formset in self.formsets.items()}

    def parts(self) -> Parts:
        form = self.form
        scenario = {name: getattr(form.instance, name) for name in SCENARIO_VALUES if name not in form.fields}
        scenario.update(
            {name: form.cleaned_data[name] for name in SCENARIO_VALUES if name in form.cleaned_data}
        )
        saved = selectors.scenario_parts(form.instance) if form.instance.pk else Parts(scenario={})
        items = {
            part: [f.cleaned_data for f in self.forms[part]] if part in self.forms else getattr(saved, part)
            for part in PARTS
        }
        return Parts(scenario=scenario, **items)

    def run(self) -> ScenarioSpec | None:
        draft = draft_from_parts(self.parts())
        problems = list(draft.problems)
        spec = None
        try:
            spec = parse_scenario(draft.data)
        except ScenarioError as exc:
            problems += exc.problems
        for problem in problems:
            self.show(problem_place(problem, draft), problem)
        return None if problems else spec

    def show(self, place: Place, problem: str) -> None:
        message = capfirst(place.text)
        if place.part == "scenario":
            self._add(self.form, place.field, message, whole=problem)
            return
        formset = self.formsets.get(place.part)
        if formset is None:
            self.form.add_error(None, problem)
        elif place.index is None:
            formset.non_form_errors().append(message)
        elif place.index < len(self.forms[place.part]):
            self._add(self.forms[place.part][place.index], place.field, message, whole=problem)
        else:
            self.form.add_error(None, problem)

    @staticmethod
    def _add(form: forms.BaseForm, field: str | None, message: str, *, whole: str) -> None:
        if field is not None and field in form.fields:
            # A field already wrong for itself says so; a second message would repeat it.
            if field not in form.errors:
                form.add_error(field, message)
        elif whole not in form.non_field_errors() and message not in form.non_field_errors():
            form.add_error(None, message if field is None else whole)


class ScenarioImportForm(forms.Form):
    file = forms.FileField(
        label=_("Scenario file"),
        help_text=_("A .json, .yaml or .yml file of at most 5 MB, as docs/scenarios.md describes."),
    )
    slug = forms.SlugField(
        label=_("Slug"),
        required=False,
        max_length=100,
        help_text=_("Leave empty to make one from the scenario's name."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec: ScenarioSpec | None = None

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(
                _("The file is %(size)s bytes; a scenario file may be at most %(limit)s."),
                params={"size": f"{upload.size:,}", "limit": f"{MAX_FILE_BYTES:,}"},
            )
        try:
            self.spec = load_scenario_text(upload.read(), guess_format(upload.name))
        except ScenarioError as exc:
            raise ValidationError([ValidationError(p, code="scenario") for p in exc.problems]) from None
        return upload

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if slug and Scenario.objects.filter(slug=slug).exists():
            raise ValidationError(_("A scenario with this slug exists already; choose another."))
        return slug
