"""``offramp.analyze``: gaps, overlaps, rules that can never admit and the Sequential
Intercept Model grid of one program, or of several taken together. The analysis is the Rust
core's; ``Analysis`` holds the same content as ``offramp analyze --format json``, and
``str(analysis)`` is the report the command prints."""

from __future__ import annotations

import os
from typing import Any, Iterable, Mapping, Union

from offramp._diff import _ProgramLike, _program
from offramp._offramp import Analysis, Encounter, Program, _analyze


def analyze(
    programs: Union[_ProgramLike, Iterable[_ProgramLike]],
    encounters: Union[
        Iterable[Union[Encounter, Mapping[str, Any]]], str, "os.PathLike[str]", None
    ] = None,
) -> Analysis:
    """Gaps, overlaps, rules that can never admit, and the intercept grid.

    ``programs`` is a ``Program`` or the path of a program file, or a list of them: several
    programs are analysed together, so that a gap is what no program admits to any pathway.
    ``encounters``, when given, is a list of encounters (``Encounter``s or dicts), a data frame
    or Arrow table, or the path of a JSON lines file: each gap then counts how many of them
    fall in it, and the gaps are ordered by that count. An encounter that is not valid raises
    ``EncounterError`` naming its row (or its line, in a file). A set of programs too large to
    analyse exactly raises ``OfframpError`` starting ``programs:``.
    """
    if isinstance(programs, (Program, str, os.PathLike)):
        listed: list[object] = [programs]
    else:
        try:
            listed = list(programs)
        except TypeError:
            raise TypeError(
                "programs must be a Program, the path of a program file, or a list of them, "
                f"not {type(programs).__name__}"
            ) from None
    if not listed:
        raise ValueError("programs must name at least one program")
    return _analyze([_program(p, "programs") for p in listed], encounters)
