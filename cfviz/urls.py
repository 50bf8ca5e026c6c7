from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from cfviz import views

app_name = "cfviz"

cfviz_patterns = [
    path("", views.home, name="home"),
    path("runs/", views.run_create, name="run-create"),
    path("runs/<uuid:run_id>/", views.run_detail, name="run-detail"),
    path("runs/<uuid:run_id>/events.jsonl", views.run_events, name="run-events"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include((cfviz_patterns, "cfviz"))),
]
