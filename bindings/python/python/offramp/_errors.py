"""The exceptions offramp raises. Every one derives from ``OfframpError``; none repeats a value
from the input, so messages can be logged without leaking personal data."""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Any, List, Optional

if TYPE_CHECKING:
    from offramp._offramp import Diagnostic

__all__ = [
    "CaseError",
    "DirectoryError",
    "EncounterError",
    "OfframpError",
    "ProgramError",
    "ProgramNotFoundError",
    "SimulationError",
]


class OfframpError(Exception):
    """Base class of every error offramp raises (an internal error, too, is one of these)."""


class ProgramError(OfframpError):
    """A program could not be loaded: every problem found, each with its file, line and column.

    ``path``, ``line``, ``column`` and ``message`` describe the first problem (``line`` and
    ``column`` are None when the file could not be read); ``diagnostics`` lists them all, and
    ``rendered`` is the report ``offramp check`` prints, with source snippets.
    """

    path: str
    line: Optional[int]
    column: Optional[int]
    message: str
    diagnostics: List[Diagnostic]
    rendered: str

    def __init__(
        self,
        text: str,
        *,
        path: str = "",
        line: Optional[int] = None,
        column: Optional[int] = None,
        message: str = "",
        diagnostics: Optional[List[Diagnostic]] = None,
        rendered: str = "",
    ) -> None:
        super().__init__(text)
        self.path = path
        self.line = line
        self.column = column
        self.message = message or text
        self.diagnostics = list(diagnostics or [])
        self.rendered = rendered or text


class ProgramNotFoundError(ProgramError, FileNotFoundError):
    """A program file that does not exist. It is a ``ProgramError`` (``path`` and ``message``
    as for any unreadable program) and the ``FileNotFoundError`` Python code expects (``errno``
    ``ENOENT``, ``filename`` the path)."""

    def __init__(self, text: str, **kwargs: Any) -> None:
        ProgramError.__init__(self, text, **kwargs)
        self.errno = errno.ENOENT
        self.strerror = "No such file or directory"
        self.filename = self.path


class EncounterError(OfframpError, ValueError):
    """An encounter could not be read.

    ``field`` names where (``offenses[0].level``; ``.`` for the whole encounter), ``message``
    says what was wrong, ``line`` and ``column`` locate it in JSON text when known, and ``row``
    is the encounter's position in a ``route_many`` batch.
    """

    field: str
    message: str
    line: Optional[int]
    column: Optional[int]
    row: Optional[int]

    def __init__(
        self,
        text: str,
        *,
        field: str = ".",
        message: str = "",
        line: Optional[int] = None,
        column: Optional[int] = None,
        row: Optional[int] = None,
    ) -> None:
        super().__init__(text)
        self.field = field
        self.message = message or text
        self.line = line
        self.column = column
        self.row = row


class DirectoryError(OfframpError):
    """A provider directory could not be read, or a capacity update named an unknown service.

    ``file``, ``record`` and ``field`` say where (``-`` when not known).
    """

    file: str
    record: str
    field: str

    def __init__(self, text: str, *, file: str = "-", record: str = "-", field: str = "-") -> None:
        super().__init__(text)
        self.file = file
        self.record = record
        self.field = field


class CaseError(OfframpError):
    """A case event was refused (the case is left as it was), or a stored case is invalid."""


class SimulationError(OfframpError):
    """A scenario could not be read or does not make sense, or a simulation could not run.

    ``field`` is the dotted path of the value at fault (``behaviour.accept.default``) when the
    error is about one value; ``line`` and ``column`` locate it in the scenario's text when
    known. (A scenario whose program or directory does not load raises ``ProgramError`` or
    ``DirectoryError``.)
    """

    field: Optional[str]
    line: Optional[int]
    column: Optional[int]

    def __init__(
        self,
        text: str,
        *,
        field: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
    ) -> None:
        super().__init__(text)
        self.field = field
        self.line = line
        self.column = column
