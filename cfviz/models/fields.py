"""A model field for short lists of names (stacks, placement tags), typed in forms as "a, b"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models


class StringListFormField(forms.CharField):
    """One line of names separated by commas; it cleans to a list, in the order typed."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, (list, tuple)):
            return [str(v) for v in value]
        text = super().to_python(value)
        return [part.strip() for part in text.split(",") if part.strip()]


class StringListField(models.JSONField):
    """Stored as a JSON list, so a file's list comes back exactly as it was."""

    def formfield(self, **kwargs: Any) -> Any:
        # JSONField.formfield would hand its encoder and decoder to the form field; skip it.
        return models.Field.formfield(self, **{"form_class": StringListFormField, **kwargs})
