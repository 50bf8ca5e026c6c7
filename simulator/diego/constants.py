"""Numbers Diego really uses, each with where it comes from (``../shared/reference/diego.md``)."""

from __future__ import annotations

# §1.6: every co-located instance of the same process adds 1000 to an LRP's score; for tasks,
# every task already on the cell adds 1000 (§1.7).
LOCALITY_OFFSET = 1000.0

# §1.4 / auction/auctiontypes/types.go: placement errors, word for word.
ERROR_ROOTFS = "found no compatible cell for required rootfs"
ERROR_VOLUME_DRIVERS = "found no compatible cell with required volume drivers"
ERROR_CELL_COMMUNICATION = "unable to communicate to compatible cells"
ERROR_INFLIGHT_LIMIT = "waiting to start instance: reached in-flight start limit"

# §1.2 / §1.11: the auctioneer waits this long for a cell's state before leaving it out.
CELL_STATE_TIMEOUT_S = 10.0
# §1.9: the Perform call's HTTP timeout (communication_timeout).
COMMUNICATION_TIMEOUT_S = 10.0

# §2.4: a rep's Locket presence lives 15 s without a refresh; §3.4: an evacuating rep polls
# every 10 s and gives up after 600 s.
PRESENCE_TTL_S = 15.0
EVACUATION_POLL_S = 10.0
EVACUATION_TIMEOUT_S = 600.0

# §2.3: the executor retries the start-up health check every 2 s (unhealthy_monitoring_interval)
# and, once healthy, checks liveness every 30 s (healthy_monitoring_interval).
HEALTH_CHECK_INTERVAL_S = 2.0
LIVENESS_CHECK_INTERVAL_S = 30.0
# §2.3: download steps per cell are throttled to 5 at once; Garden creates at most 32 at once.
MAX_CONCURRENT_DOWNLOADS = 5
CREATE_WORK_POOL_SIZE = 32

# §4.1: convergence runs every 30 s, measured from the end of the previous pass.
CONVERGENCE_INTERVAL_S = 30.0
# §4.2 step 3: an UNCLAIMED ActualLRP older than 30 s is re-auctioned.
STALE_UNCLAIMED_S = 30.0
# §1.10: a task is failed once it was rejected this many times before (at most 4 placements).
TASK_MAX_RETRIES = 3
# §4.4: a task PENDING for longer than this is failed.
EXPIRE_PENDING_TASK_S = 1800.0

# §3.3: restart back-off of crashed instances.
IMMEDIATE_RESTARTS = 3
CRASH_BACKOFF_BASE_S = 30.0
MAX_BACKOFF_S = 16 * 60.0
MAX_BACKOFF_COUNT = 5
MAX_RESTARTS = 200
CRASH_RESET_S = 5 * 60.0

# §5: Cloud Controller's staging minimums.
MINIMUM_STAGING_MEMORY_MB = 1024
MINIMUM_STAGING_DISK_MB = 4096

# §6.2: gorouter asks for re-registration every 20 s (its pruning is in simulator/cf/gorouter.py).
# §6.1: the route-emitter jitters its re-emission by up to 20 %.
ROUTE_REGISTER_INTERVAL_S = 20.0
ROUTE_REGISTER_JITTER = 0.2

# The port the buildpack app listens on inside its container; Diego maps it to a host port.
APP_CONTAINER_PORT = 8080
FIRST_HOST_PORT = 61000
