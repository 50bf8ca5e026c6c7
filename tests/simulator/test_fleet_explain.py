"""Why this cell? in fleet mode (simulator/fleet/diego_explain.py): any placement of a fleet run,
rebuilt from its trace and scored by the per-item auction."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.diego.auction_fleet import FleetCells
from simulator.fleet import diego as fleet_diego
from simulator.fleet.diego import DiegoFleet
from simulator.fleet.diego_explain import NotPlaced, cells_at, lrp_decision, staging_decision
from simulator.fleet.run import FleetRun
from tests.simulator.test_fleet_run import finished_run, fleet_scenario


def diego_of(run: FleetRun) -> DiegoFleet:
    platform = run.platforms["diego"]
    assert isinstance(platform, DiegoFleet)
    return platform


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_every_placement_is_explained_with_the_fleets_own_cell_among_the_lowest_scores(seed: int) -> None:
    diego = diego_of(finished_run(fleet_scenario(seed=seed), ("diego",)))
    apps = diego.apps

    for instance in range(apps.instance_count):
        decision = lrp_decision(diego, instance)
        assert decision["consistent"], f"instance {instance}: {decision['winner']} was not a lowest score"
        assert decision["winner"] == diego.layout.names[int(diego.trace.node[instance])]
        assert decision["t"] == pytest.approx(float(diego.trace.round_at[decision["round"] - 1]))
        scored = [c for c in decision["candidates"] if c["verdict"] == "ok"]
        assert scored, "some cell was scored"
    for app in range(apps.count):
        decision = staging_decision(diego, app)
        assert decision["consistent"]
        assert decision["work_type"] == "task"
        assert decision["winner"] == diego.layout.names[int(diego.trace.staging_node[app])]


def test_a_decision_sees_the_instances_placed_earlier_in_the_same_round() -> None:
    """web's instances are desired together, so later ones see the earlier ones' zones."""
    diego = diego_of(finished_run(fleet_scenario(), ("diego",)))
    apps = diego.apps
    app = apps.find("web-0")
    assert app is not None
    first = int(apps.first_instance[app])
    rounds = diego.lrp_round[first : first + 3].tolist()
    assert len(set(rounds)) == 1, "the app's instances were meant to share a round"

    counts = [sum(lrp_decision(diego, first + k)["zone_counts"].values()) for k in range(3)]

    # Each instance's turn comes after the ones before it: 0, 1, then 2 already placed.
    turns = diego.lrp_turn[first : first + 3].tolist()
    assert sorted(counts) == [0, 1, 2]
    assert [counts[k] for k in sorted(range(3), key=turns.__getitem__)] == [0, 1, 2]


def test_the_rebuilt_cells_are_what_the_auction_was_given_at_each_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every round's cell arrays, as handed to the auction, against the ones rebuilt from the trace."""
    seen: list[dict[str, list[int]]] = []
    schedule = fleet_diego.schedule_round_fleet

    def recording(cells: FleetCells, *args: Any) -> Any:
        seen.append(
            {
                "memory": cells.available_memory.tolist(),
                "disk": cells.available_disk.tolist(),
                "containers": cells.available_containers.tolist(),
                "starting": cells.starting.tolist(),
                "tasks": cells.task_count.tolist(),
            }
        )
        return schedule(cells, *args)

    monkeypatch.setattr(fleet_diego, "schedule_round_fleet", recording)
    diego = diego_of(finished_run(fleet_scenario(), ("diego",)))
    assert len(seen) == len(diego.trace.round_at)

    for round_, expected in enumerate(seen):
        states = cells_at(diego, round_, 0, 0)
        assert {
            "memory": [s.available_memory_mb for s in states],
            "disk": [s.available_disk_mb for s in states],
            "containers": [s.available_containers for s in states],
            "starting": [s.starting_containers for s in states],
            "tasks": [s.task_count for s in states],
        } == expected, f"round {round_}"


def test_an_instance_not_placed_yet_is_refused_by_name() -> None:
    spec = fleet_scenario()
    run = FleetRun(spec, ("diego",))
    diego = diego_of(run)
    with pytest.raises(NotPlaced, match=r"web-0/0 has not been placed"):
        lrp_decision(diego, 0)
    with pytest.raises(NotPlaced, match=r"web-0's staging task has not been placed"):
        staging_decision(diego, 0)
