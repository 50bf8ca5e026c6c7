"""How the fleet auction trades numpy against plain Python: tuning, not Diego's numbers.

Read as ``tuning.NAME`` at call time, so tests can set them.
"""

from __future__ import annotations

# Tuning, measured with benchmarks/scale.py at 1,000 cells (not numbers of Diego's):
# a lane (kind, memory, disk, filter) with fewer items in a round is scored directly with numpy;
QUEUE_MIN_ITEMS = 8
# a queue re-buckets at most this many reserved cells one by one, else rebuilds with numpy;
REBUCKET_LIMIT = 96
# a round of at most this many items is ordered and split into lanes in plain Python;
SMALL_BATCH = 64
# a zone's log of changed cells is trimmed once longer than this (the queues kept across rounds);
LOG_KEEP = 4096
# an app held by more cells gets queues scored with its own locality term;
FEW_HOLDERS = 16
# a run of items drawn from one tie at once needs at least this many tied cells and items;
BULK_MIN = 16
# a lane whose queues would re-bucket more changed cells per item than this (on average) is
# scored directly instead, and goes back to queues below the lower mark: a rarely used lane
# would pay for every change between its items (a numpy pass costs about 40 re-bucketings).
DIRECT_ABOVE, QUEUE_BELOW = 60.0, 30.0
