"""``offramp.diff``: what changed between two versions of a program, and whose decisions
change. The comparison is the Rust core's; ``ProgramDiff`` holds the same content as
``offramp diff --format json``."""

from __future__ import annotations

import copy
import json
import os
from typing import Any, Iterable, Mapping, Optional, Union, cast

from offramp._offramp import Encounter, Program, _diff

_ProgramLike = Union[Program, str, "os.PathLike[str]"]


def _program(value: object, keyword: str) -> Program:
    if isinstance(value, Program):
        return value
    if isinstance(value, (str, os.PathLike)):
        return Program.from_file(value)
    raise TypeError(
        f"{keyword} must be a Program or the path of a program file, not {type(value).__name__}"
    )


class ProgramDiff:
    """What changed between two versions of a program (see ``offramp.diff``).

    Each attribute holds plain data, as ``offramp diff --format json`` writes it: ``pathways``
    (``added``, ``removed``, ``reranked``), ``rules`` (each with ``pathway``, ``kind``,
    ``change``, ``id``, ``old`` and ``new`` in canonical form), ``settings`` and ``wording``
    (each with ``key``, ``old``, ``new``), and ``decisions`` when encounters were given
    (``compared``, ``changed``, ``first_pathway`` transitions, ``other`` changes, ``failed``,
    ``failures``).
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data: dict[str, Any] = dict(data)

    @property
    def old(self) -> dict[str, Any]:
        """The first version: ``id``, ``version`` and ``hash``."""
        return dict(self._data["old"])

    @property
    def new(self) -> dict[str, Any]:
        """The second version: ``id``, ``version`` and ``hash``."""
        return dict(self._data["new"])

    @property
    def pathways(self) -> dict[str, list[dict[str, Any]]]:
        """Pathways ``added``, ``removed`` and ``reranked``, with their ranks."""
        return cast("dict[str, list[dict[str, Any]]]", copy.deepcopy(self._data["pathways"]))

    @property
    def rules(self) -> list[dict[str, Any]]:
        """Rules, exclusions and amnesties added, removed, changed or renamed."""
        return cast("list[dict[str, Any]]", copy.deepcopy(self._data["rules"]))

    @property
    def settings(self) -> list[dict[str, Any]]:
        """Settings that decide something (law switches, windows, terms, ...) that differ."""
        return cast("list[dict[str, Any]]", copy.deepcopy(self._data["settings"]))

    @property
    def wording(self) -> list[dict[str, Any]]:
        """Words that decide nothing (reasons, descriptions) that differ."""
        return cast("list[dict[str, Any]]", copy.deepcopy(self._data["wording"]))

    @property
    def decisions(self) -> Optional[dict[str, Any]]:
        """The decisions that change, when encounters were given; otherwise ``None``."""
        d = self._data.get("decisions")
        return None if d is None else cast("dict[str, Any]", copy.deepcopy(d))

    def is_empty(self) -> bool:
        """True when nothing is listed and no decision changes."""
        p = self._data["pathways"]
        d = self._data.get("decisions")
        return bool(
            not (p["added"] or p["removed"] or p["reranked"])
            and not self._data["rules"]
            and not self._data["settings"]
            and not self._data["wording"]
            and (d is None or d["changed"] == 0)
        )

    def to_dict(self) -> dict[str, Any]:
        """Everything, as plain data (a copy)."""
        return copy.deepcopy(self._data)

    def to_json(self) -> str:
        """Everything as JSON, as ``offramp diff --format json`` prints it."""
        return json.dumps(self._data, indent=2)

    def __repr__(self) -> str:
        d = self._data.get("decisions")
        changed = "" if d is None else f", decisions_changed={d['changed']}"
        return (
            f"ProgramDiff(old={self._data['old']['id']!r}, new={self._data['new']['id']!r}, "
            f"rules={len(self._data['rules'])}, settings={len(self._data['settings'])}{changed})"
        )


def diff(
    old: _ProgramLike,
    new: _ProgramLike,
    encounters: Union[
        Iterable[Union[Encounter, Mapping[str, Any]]], str, "os.PathLike[str]", None
    ] = None,
) -> ProgramDiff:
    """What changed between two versions of a program.

    ``old`` and ``new`` are ``Program``s or paths of program files. ``encounters``, when
    given, is a list of encounters (``Encounter``s or dicts), a data frame or Arrow table, the
    path of a JSON lines file, or the path of a scenario file (a name ending in ``.toml``,
    the format ``test_program`` reads): each encounter is decided under both versions and the
    decisions that change are counted by transition of the first pathway offered. In a list,
    an encounter that is not valid raises ``EncounterError`` naming its row; in a file, a bad
    line is counted in ``decisions["failures"]`` with its line number and the others are
    compared. For a scenario file, the examples of each transition are the scenarios' names,
    and a file that does not read raises ``OfframpError`` starting ``encounters:``.
    """
    old_program = _program(old, "old")
    new_program = _program(new, "new")
    return ProgramDiff(json.loads(_diff(old_program, new_program, encounters)))
