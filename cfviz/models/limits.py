"""What an author may type: the simulator's own limits, and ceilings on numbers so large that
they can only be typos (and would overflow the database). Messages are in the authors' words."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from simulator.scenario import NAME_PATTERN

# Seeds stay below 2**53 so they survive JSON in every browser.
MAX_SEED = 2**53 - 1
# Far beyond any cell or VM today (4 TiB of memory, 64 TiB of disk, 10,000 containers).
MAX_MEMORY_MB = 4 * 1024 * 1024
MAX_DISK_MB = 64 * 1024 * 1024
MAX_CONTAINERS = 10_000
# A package, droplet or image layer: 1 TiB.
MAX_SIZE_MB = 1024 * 1024
MAX_BANDWIDTH_MB_S = 100_000
MAX_LATENCY_S = 3600
MAX_CPU_MILLIS = 1_000_000
MAX_REGISTRY_CONCURRENCY = 1000
MAX_WEIGHT = 100
# Zone, stack, buildpack, tag and version names.
MAX_LABEL_CHARS = 100


def validate_positive(value: float) -> None:
    if value is not None and value <= 0:
        raise ValidationError(_("Must be more than 0."), code="positive")


validate_name = RegexValidator(
    NAME_PATTERN,
    _("Use lower-case letters, digits and hyphens (at most 63), starting and ending with a letter or digit."),
    code="name",
)


def validate_labels(value: Any) -> None:
    """Names in a list: each non-empty, short, without commas (the editor separates them with
    commas), and none twice."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("Must be a list of names."), code="labels")
    for item in value:
        if not item.strip():
            raise ValidationError(_("A name must not be empty."), code="labels")
        if "," in item:
            raise ValidationError(
                _("%(name)r contains a comma: names are separated by commas here."),
                params={"name": item},
                code="labels",
            )
        if len(item) > MAX_LABEL_CHARS:
            raise ValidationError(
                _("%(name)r is longer than %(limit)d characters."),
                params={"name": item[:20] + "…", "limit": MAX_LABEL_CHARS},
                code="labels",
            )
    if len(set(value)) != len(value):
        raise ValidationError(_("Name each one once."), code="labels")
