from __future__ import annotations

from django.apps import AppConfig


class CfvizConfig(AppConfig):
    name = "cfviz"
    verbose_name = "cfviz"
