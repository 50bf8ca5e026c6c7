"""Hand-built auction inputs: a rep's cell state and work items with readable defaults.

Defaults follow the reference deployment (diego.md §2.2): 32 GiB memory, 64 GiB disk,
250 containers, one preloaded stack, no placement tags, an empty cell.
"""

from __future__ import annotations

from simulator.diego.auction import CellState, LRPWork, TaskWork

STACK = "cflinuxfs4"


def make_cell(
    name: str,
    *,
    zone: str = "z1",
    index: int = 0,
    stacks: tuple[str, ...] = (STACK,),
    placement_tags: tuple[str, ...] = (),
    optional_placement_tags: tuple[str, ...] = (),
    total_memory_mb: int = 32768,
    total_disk_mb: int = 65536,
    total_containers: int = 250,
    available_memory_mb: int | None = None,
    available_disk_mb: int | None = None,
    available_containers: int | None = None,
    starting_containers: int = 0,
    lrp_counts: dict[str, int] | None = None,
    task_count: int = 0,
    proxy_memory_mb: int = 0,
) -> CellState:
    """A cell state; available resources default to the totals (an empty cell)."""
    return CellState(
        name=name,
        zone=zone,
        index=index,
        stacks=stacks,
        placement_tags=placement_tags,
        optional_placement_tags=optional_placement_tags,
        total_memory_mb=total_memory_mb,
        total_disk_mb=total_disk_mb,
        total_containers=total_containers,
        available_memory_mb=total_memory_mb if available_memory_mb is None else available_memory_mb,
        available_disk_mb=total_disk_mb if available_disk_mb is None else available_disk_mb,
        available_containers=(total_containers if available_containers is None else available_containers),
        starting_containers=starting_containers,
        lrp_counts=dict(lrp_counts or {}),
        task_count=task_count,
        proxy_memory_mb=proxy_memory_mb,
    )


def make_lrp(
    app: str = "web",
    index: int = 0,
    *,
    memory_mb: int = 256,
    disk_mb: int = 1024,
    stack: str = STACK,
    placement_tags: tuple[str, ...] = (),
) -> LRPWork:
    return LRPWork(app, index, memory_mb, disk_mb, stack, placement_tags)


def make_task(
    guid: str = "task-1",
    *,
    app: str = "web",
    memory_mb: int = 256,
    disk_mb: int = 1024,
    stack: str = STACK,
    placement_tags: tuple[str, ...] = (),
) -> TaskWork:
    return TaskWork(guid, app, memory_mb, disk_mb, stack, placement_tags)
