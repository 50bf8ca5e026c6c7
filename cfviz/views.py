"""Pages: the home page (scenarios and recent runs) and a run's live page."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cfviz import selectors, services
from cfviz.models import Run
from simulator.scenario import ScenarioError


def _require_public_or_staff(request: HttpRequest) -> None:
    if not settings.RUNS_PUBLIC and not request.user.is_staff:
        raise Http404("runs are visible to staff only on this deployment")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cfviz/home.html",
        {
            "scenarios": selectors.scenario_list(),
            "recent_runs": selectors.run_recent(),
            "platform_choices": Run.Platform.choices,
        },
    )


@require_POST
def run_create(request: HttpRequest) -> HttpResponseBase:
    _require_public_or_staff(request)
    slug = request.POST.get("scenario", "")
    scenario = selectors.scenario_by_slug(slug)
    if scenario is None:
        messages.error(request, f"There is no scenario {slug!r}.")
        return redirect("cfviz:home")
    # The run belongs to this browser session (and the user, if logged in): make sure it has one.
    if request.session.session_key is None:
        request.session.save()
    platform = request.POST.get("platform") or None
    try:
        run = services.run_create(
            scenario=scenario,
            user=request.user,
            session_key=request.session.session_key or "",
            platform=platform,
        )
    except (ScenarioError, ValueError) as exc:
        messages.error(request, f"Scenario {scenario.name!r} cannot run: {exc}")
        return redirect("cfviz:home")
    return redirect(run)


@require_GET
def run_detail(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    _require_public_or_staff(request)
    run = selectors.run_get(run_id)
    if run is None:
        raise Http404("no such run")
    moment = _permalink_moment(request)
    # Runs at fleet scale get the fleet view (docs/fleet.md); the rest the component diagrams.
    page = "cfviz/fleet_run.html" if run.parsed().is_fleet else "cfviz/run.html"
    return render(
        request,
        page,
        {
            "run": run,
            "run_config": {
                "run_id": str(run.id),
                "ws_path": f"/ws/runs/{run.id}/",
                "scenario_name": run.scenario_name,
                "platforms": list(run.platforms),
                # A permalink's moment: the page detaches, switches branch and seeks there.
                "moment": moment,
            },
        },
    )


@require_GET
def run_events(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    """A finished run's event log as JSON Lines, the format of ``manage.py simulate --out``."""
    _require_public_or_staff(request)
    run = selectors.run_get(run_id)
    if run is None or not run.event_log:
        raise Http404("no finished event log for this run")
    response = HttpResponse(run.event_log, content_type="application/jsonl")
    response["Content-Disposition"] = f'attachment; filename="cfviz-run-{run.id}.jsonl"'
    return response


def _permalink_moment(request: HttpRequest) -> dict[str, float | int] | None:
    """``?t=<seconds>&branch=<id>`` from a permalink; a malformed one is said and ignored."""
    if "t" not in request.GET and "branch" not in request.GET:
        return None
    try:
        t = float(request.GET.get("t", "0"))
        branch = int(request.GET.get("branch", "0"))
        if not (t >= 0 and t != float("inf")) or branch < 0:
            raise ValueError
    except ValueError:
        messages.error(request, "This link's moment (t, branch) is not valid; showing the live run instead.")
        return None
    return {"t": t, "branch": branch}
