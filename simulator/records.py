"""Event records: what a run emits, one plain JSON-ready dict per interaction.

Four kinds, each with ``seq`` (position in the log), ``t`` (simulated seconds) and ``kind``:

- ``message``: ``from`` and ``to`` components, a ``label``, the ``entities`` concerned and,
  when the message travels, its ``duration``;
- ``state``: an entity (``instance``, ``task``, ``app``, ``route``, ``cell``) reaching a new state,
  with the fields a viewer needs to draw it;
- ``log``: a ``cf logs`` style line with its ``source`` (``API/0``, ``STG/0``, ``CELL/1``,
  ``APP/PROC/WEB/1``), ``app`` and the component that produced it (``component``);
- ``decision``: one placement, with every candidate's verdict and score terms and the winner
  or the placement error.

The log is serialised with :func:`dumps`, which is byte-for-byte stable for a given log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

Record = dict[str, Any]

# Simulated times are rounded to the microsecond in records so that a log reads well and
# float noise never leaks into the byte-for-byte comparison of two runs.
TIME_DIGITS = 6


class RecordLog:
    """The append-only event log of one run."""

    def __init__(self) -> None:
        self.records: list[Record] = []

    def __len__(self) -> int:
        return len(self.records)

    def _add(self, t: float, kind: str, fields: dict[str, Any]) -> Record:
        record: Record = {"seq": len(self.records), "t": round(t, TIME_DIGITS), "kind": kind}
        record.update(fields)
        self.records.append(record)
        return record

    def message(
        self,
        t: float,
        src: str,
        dst: str,
        label: str,
        duration: float = 0.0,
        **entities: Any,
    ) -> Record:
        return self._add(
            t,
            "message",
            {
                "from": src,
                "to": dst,
                "label": label,
                "duration": round(duration, TIME_DIGITS),
                "entities": entities,
            },
        )

    def state(self, t: float, entity_type: str, entity: str, state: str, **fields: Any) -> Record:
        return self._add(t, "state", {"entity_type": entity_type, "entity": entity, "state": state, **fields})

    def log(self, t: float, app: str, source: str, component: str, line: str) -> Record:
        return self._add(t, "log", {"app": app, "source": source, "component": component, "line": line})

    def decision(self, t: float, **fields: Any) -> Record:
        return self._add(t, "decision", fields)

    def since(self, seq: int) -> list[Record]:
        return self.records[seq:]


def dumps(record: Record) -> str:
    """One record as a compact, key-sorted JSON line."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


def dumps_log(records: Iterable[Record]) -> str:
    """A whole log as JSON Lines, the format of ``manage.py simulate --out``."""
    return "".join(dumps(record) + "\n" for record in records)
