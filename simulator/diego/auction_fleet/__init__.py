"""The auctioneer's round over arrays, for fleet mode (docs/fleet.md §2.1).

:func:`schedule_round_fleet` places a round's LRPs and Tasks by the rules of
:func:`simulator.diego.auction.schedule_round` (diego.md §1.3–§1.8): the same order, filters and
their errors, resource fit, scores (term by term, with the same float operations), AZ balancing,
in-flight limit and reservations. Only the random draws differ, not their distribution:

* Equal items come in a uniformly random order (a permutation, then a stable sort).
* Ties. The per-item code shuffles all n cells and takes the first tied cell, walking zones in
  the order their first cell appears, then the shuffled order within a zone. Of the zones holding
  tied cells, the first to appear is the one holding the earliest of all their cells, which is
  uniform over those zones' cells: zone z wins with probability size_z / Σ size (size: every
  cell of the zone in the round). Within z the shuffle is exchangeable, so the first tied cell is
  uniform among z's tied cells. That is what is drawn here, with exact integer draws, and only
  when there is a tie.

How it is fast. An item's score on a cell depends on the item only through its lane (kind,
memory, disk, filter) and, for LRPs, the 1000-per-instance locality of its app. For each lane and
zone a :class:`~.queues.Queue` keeps the zone's fitting cells bucketed by exact score under a heap of the
distinct scores: the lowest bucket is the best cell and every cell tied with it. Queues catch up
lazily from a per-zone log of reserved cells: re-bucketing a few, or rebuilding with numpy after
many. The few cells holding an LRP's app are scored one by one beside the queue; an app held by
many cells gets queues of its own that include its locality. A run of a lane's items takes its
winners from one tie at once (:func:`~.placing.bulk`): each winner is checked to score above the
tie once placed, so the cells left stay tied and only the draws remain. Lanes with few items so
far are scored directly with numpy, which costs less than building their queues, and so are
lanes used so seldom that keeping their queues up with every change would cost more.

The queues are kept on the :class:`FleetCells` from round to round: a fleet run makes tens of
thousands of rounds of a dozen items, and between two of them only a few cells change (their
reservations, a container started, a task finished). A round begins by comparing the arrays
with its working copy of them (which also catches changes not recorded in ``changed``) and
logging the cells that differ; the queues catch up with them as with their own reservations.
A caller that records every change in ``changed`` may say so (``changed_complete``), and the
round then reads just those cells.

Modules: ``arrays`` (the cells, a round's work and its result), ``order`` (the items' order),
``queues`` (filters, lanes, score queues), ``state`` (the working state kept between rounds:
scores, draws, reservations), ``placing`` (one item or a run of them), ``schedule`` (the round)
and ``tuning`` (where numpy pays off against plain Python).
"""

from simulator.diego.auction_fleet.arrays import FleetCells, RoundResult, WorkBatch, fleet_cells, work_batch
from simulator.diego.auction_fleet.order import fleet_order
from simulator.diego.auction_fleet.schedule import schedule_round_fleet

__all__ = [
    "FleetCells",
    "RoundResult",
    "WorkBatch",
    "fleet_cells",
    "fleet_order",
    "schedule_round_fleet",
    "work_batch",
]
