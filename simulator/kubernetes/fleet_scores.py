"""A node's resource scores for a pod class in the fleet scheduler: the per-item formulas
(:mod:`simulator.kubernetes.scores`) folded into one integer function per mode, since they run
for every node state the fleet meets.
"""

from __future__ import annotations

from simulator.kubernetes.constants import (
    LEAST_ALLOCATED_CPU_WEIGHT,
    LEAST_ALLOCATED_MEMORY_WEIGHT,
    MAX_NODE_SCORE,
    MAX_PRIORITY_LEGACY,
)


def _least_requested(requested: int, capacity: int, max_score: int) -> int:
    if capacity == 0 or requested > capacity:
        return 0
    return (capacity - requested) * max_score // capacity


def legacy_resource_score(cpu: int, memory: int, allocatable_cpu: int, allocatable_memory: int) -> int:
    """LeastRequestedPriority + BalancedResourceAllocation (2019, 0–10 each), both on non-zero requests.

    ``cpu``/``memory``: the node's non-zero requests with the pod (millicores, bytes); allocatable likewise.
    """
    cpu_score = (
        0
        if allocatable_cpu == 0 or cpu > allocatable_cpu
        else (allocatable_cpu - cpu) * 10 // allocatable_cpu
    )
    memory_score = (
        0
        if allocatable_memory == 0 or memory > allocatable_memory
        else (allocatable_memory - memory) * 10 // allocatable_memory
    )
    cpu_fraction = 1.0 if allocatable_cpu == 0 else cpu / allocatable_cpu
    memory_fraction = 1.0 if allocatable_memory == 0 else memory / allocatable_memory
    if cpu_fraction >= 1 or memory_fraction >= 1:
        return (cpu_score + memory_score) // 2
    return (cpu_score + memory_score) // 2 + int(
        (1 - abs(cpu_fraction - memory_fraction)) * MAX_PRIORITY_LEGACY
    )


def framework_resource_score(
    cpu: int,
    memory: int,
    allocatable_cpu: int,
    allocatable_memory: int,
    real_cpu: int,
    real_memory: int,
    balanced: bool = True,
) -> int:
    """NodeResourcesFit (LeastAllocated, non-zero requests) + BalancedAllocation (real requests), 0–100 each."""
    if allocatable_cpu and allocatable_memory:
        cpu_score = 0 if cpu > allocatable_cpu else (allocatable_cpu - cpu) * 100 // allocatable_cpu
        memory_score = (
            0 if memory > allocatable_memory else (allocatable_memory - memory) * 100 // allocatable_memory
        )
        score = (cpu_score * LEAST_ALLOCATED_CPU_WEIGHT + memory_score * LEAST_ALLOCATED_MEMORY_WEIGHT) // (
            LEAST_ALLOCATED_CPU_WEIGHT + LEAST_ALLOCATED_MEMORY_WEIGHT
        )
        if not balanced:
            return score
        cpu_fraction = real_cpu / allocatable_cpu
        memory_fraction = real_memory / allocatable_memory
        std = abs(
            (
                (cpu_fraction if cpu_fraction < 1.0 else 1.0)
                - (memory_fraction if memory_fraction < 1.0 else 1.0)
            )
            / 2
        )
        return score + int((1 - std) * MAX_NODE_SCORE)
    # A resource with nothing allocatable leaves both plugins (least_allocated_score, balanced_allocation_score).
    score = 0
    if allocatable_cpu:
        score = _least_requested(cpu, allocatable_cpu, MAX_NODE_SCORE)
    elif allocatable_memory:
        score = _least_requested(memory, allocatable_memory, MAX_NODE_SCORE)
    return score + MAX_NODE_SCORE if balanced else score
