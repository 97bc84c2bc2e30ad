"""Type stubs for the native module ``offramp._offramp`` (the classes ``offramp`` exports)."""

import datetime
import os
from typing import Any, Callable, Iterable, Literal, Mapping, Sequence, Union, final, overload

import pyarrow

# pandas and polars are optional: a stub is never run, and for a user without them the names
# below are unknown to the type checker (so any value passes there).
import pandas
import polars

from offramp._enums import (
    CaseEvent,
    CaseStatus,
    ChargeStatus,
    Consent,
    Disposition,
    Flag,
    Intercept,
    InterceptBasis,
    Need,
    Pathway,
    Responder,
    Source,
    Truth,
    WarningCode,
    Willing,
)

_Path = Union[str, os.PathLike[str]]
_Time = Union[datetime.datetime, str]
_EncounterInput = Union["Encounter", Mapping[str, Any], str, bytes]
#: What ``route_many`` and ``offramp.sim`` read many encounters from: an Arrow table (or
#: anything with the Arrow C stream interface), a data frame, or encounters one by one.
_Encounters = Union[
    pyarrow.Table,
    pyarrow.RecordBatch,
    pyarrow.RecordBatchReader,
    pandas.DataFrame,
    polars.DataFrame,
    Iterable[Union["Encounter", Mapping[str, Any]]],
]

__all__ = [
    "__version__",
    "Program",
    "Diagnostic",
    "Directory",
    "DirectoryWarning",
    "Encounter",
    "Router",
    "Decision",
    "ProgramRef",
    "EligiblePathway",
    "IneligiblePathway",
    "Reason",
    "Warning",
    "ChargeHold",
    "ProviderOption",
    "ProviderGap",
    "Evidence",
    "OffenseRef",
    "NeededInformation",
    "Trace",
    "TracedRule",
    "TracedPathway",
    "TracedOffense",
    "Case",
    "CaseTransition",
    "check",
    "json_schema",
    "test_program",
    "Mismatch",
    "ScenarioResult",
    "ScenarioReport",
    "Analysis",
    "AnalysedProgram",
    "Condition",
    "Gap",
    "Overlap",
    "DeadRule",
    "WholeExclusion",
    "CoverageCell",
    "case_graph",
    "_vocabulary",
    "_encounter_fields",
    "_read_encounters",
    "_diff",
    "_analyze",
    "_scenario_from_file",
    "_scenario_from_text",
    "_scenario_to_toml",
    "_simulate",
    "_sim_tables",
    "SimCsv",
    "_work_estimate",
    "_WORK_BUDGET",
]

__version__: str
_WORK_BUDGET: int

@final
class Diagnostic:
    """One problem found in a program file, with where it is."""

    @property
    def file(self) -> str:
        """The file (or the name given for text)."""
    @property
    def line(self) -> int:
        """1-based line."""
    @property
    def column(self) -> int:
        """1-based column, in characters."""
    @property
    def message(self) -> str:
        """What is wrong."""
    @property
    def help(self) -> str | None:
        """A hint, such as the name that was probably meant."""
    @property
    def span(self) -> tuple[int, int]:
        """The byte range in the file, as ``(start, end)``."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Program:
    """One agency's deflection program: pathways, eligibility rules, exclusions and law
    switches, checked and compiled when it loads."""

    @staticmethod
    def from_file(path: _Path) -> Program:
        """Loads a program from a ``.toml`` or ``.json`` file."""
    @staticmethod
    def from_toml(text: str, name: str = "<program.toml>") -> Program:
        """Loads a program from TOML text; ``name`` is used in diagnostics."""
    @staticmethod
    def from_json(text: str, name: str = "<program.json>") -> Program:
        """Loads a program from JSON text; ``name`` is used in diagnostics."""
    @property
    def id(self) -> str:
        """The program's id."""
    @property
    def hash(self) -> str:
        """A content hash of the compiled program (``sha256:...``)."""
    @property
    def name(self) -> str | None:
        """The program's name, when it has one."""
    @property
    def jurisdiction(self) -> str:
        """The jurisdiction it serves."""
    @property
    def timezone(self) -> str:
        """Its IANA time zone, such as ``America/Los_Angeles``."""
    @property
    def version(self) -> str | None:
        """The program's own version label, when it has one."""
    @property
    def pathways(self) -> list[Pathway]:
        """The pathways offered, in rank order."""
    @property
    def rule_count(self) -> int:
        """The number of rules and exclusions."""
    @property
    def warnings(self) -> list[Diagnostic]:
        """What is questionable in a program that loaded (an officer-intervention rule that
        can only admit encounters that pathway never takes, for one), each with its line and
        column; empty when there is nothing."""
    def to_toml(self) -> str:
        """The program in canonical TOML (loading it gives the same program and hash)."""
    def to_json(self) -> str:
        """The program as JSON (the same structure as the TOML form)."""
    def to_dict(self) -> dict[str, Any]:
        """The program as a dict (the JSON form)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class DirectoryWarning:
    """Something incomplete in a directory that did not stop it loading."""

    @property
    def file(self) -> str:
        """The file."""
    @property
    def record(self) -> str:
        """The record (``service 8a2c...``, ``row 4``)."""
    @property
    def field(self) -> str | None:
        """The field, when one."""
    @property
    def message(self) -> str:
        """What is incomplete or was ignored."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Directory:
    """A checked directory of partner providers: organizations and services with hours,
    eligibility, places and capacity."""

    @staticmethod
    def from_hsds(
        path: _Path, *, timezone: str | None = None, taxonomy: _Path | None = None
    ) -> Directory:
        """Reads an HSDS 3.0 directory: a JSON file, or a folder holding a tabular data
        package."""
    @staticmethod
    def from_hsds_json(
        text: str,
        name: str = "<hsds.json>",
        *,
        timezone: str | None = None,
        taxonomy: _Path | None = None,
    ) -> Directory:
        """Reads HSDS 3.0 JSON text."""
    @staticmethod
    def from_datapackage(
        path: _Path, *, timezone: str | None = None, taxonomy: _Path | None = None
    ) -> Directory:
        """Reads an HSDS 3.0 tabular data package (a folder with ``datapackage.json``)."""
    @staticmethod
    def from_toml(text: str, name: str = "<directory.toml>") -> Directory:
        """Reads offramp's own directory format from TOML text."""
    @staticmethod
    def from_file(
        path: _Path, *, timezone: str | None = None, taxonomy: _Path | None = None
    ) -> Directory:
        """Reads a directory from a path as the ``offramp`` command does."""
    @property
    def services(self) -> list[dict[str, Any]]:
        """The services, as dicts in offramp's directory format."""
    @property
    def organizations(self) -> list[dict[str, Any]]:
        """The organizations, as dicts (``id``, ``name``)."""
    @property
    def warnings(self) -> list[DirectoryWarning]:
        """What was incomplete when the directory loaded."""
    @property
    def service_ids(self) -> list[str]:
        """The ids of the services, in directory order."""
    def to_hsds_json(self) -> str:
        """The directory as HSDS 3.0 JSON."""
    def to_toml(self) -> str:
        """The directory in offramp's own format, as TOML."""
    def __len__(self) -> int: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class Encounter:
    """One encounter: time, responder, source, needs, overdose, offences, flags, age,
    language, consent, place and declared attributes, under a pseudonymous id."""

    def __new__(
        cls,
        id: str,
        at: _Time,
        *,
        responder: Responder | str | None = None,
        source: Source | str | None = None,
        needs: Sequence[Need | str] | None = None,
        overdose: Mapping[str, Any] | None = None,
        offenses: Sequence[Mapping[str, Any]] | None = None,
        flags: Sequence[Flag | str] | None = None,
        age: int | None = None,
        language: str | None = None,
        consent: Consent | str | None = None,
        willing: Willing | str | None = None,
        history: Sequence[Mapping[str, Any]] | None = None,
        location: Mapping[str, float] | None = None,
        intercept: Intercept | int | None = None,
        attributes: Mapping[str, bool | int | float | str] | None = None,
    ) -> Encounter: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Encounter:
        """An encounter from a dict in its JSON shape."""
    @staticmethod
    def from_json(text: str) -> Encounter:
        """An encounter from one line of JSON."""
    @property
    def id(self) -> str:
        """The pseudonymous id."""
    @property
    def at(self) -> datetime.datetime:
        """When the contact happened, as an aware datetime."""
    @property
    def responder(self) -> Responder | None:
        """Who is on scene."""
    @property
    def source(self) -> Source | None:
        """How the contact came about."""
    @property
    def needs(self) -> list[Need]:
        """What the person may need."""
    @property
    def flags(self) -> list[Flag]:
        """Facts on scene that bear on eligibility."""
    @property
    def overdose(self) -> dict[str, Any] | None:
        """A recent overdose as ``{"at": ..., "naloxone": ...}``."""
    @property
    def offenses(self) -> list[dict[str, Any]]:
        """Offences that could be charged, as dicts of their recorded fields (``nibrs``, ``level``, and
        any of ``violent``, ``activity``, ``drug_types``, ``quantity``)."""
    @property
    def age(self) -> int | None:
        """Age in years."""
    @property
    def language(self) -> str | None:
        """Preferred language (ISO 639-3)."""
    @property
    def consent(self) -> Consent | None:
        """Consent to share information."""
    @property
    def willing(self) -> Willing | None:
        """The person's stated willingness to engage (not the same as consent)."""
    @property
    def history(self) -> list[dict[str, Any]] | None:
        """The person's earlier events as ``{"kind", "date", "nibrs", "level"}`` dicts, or None
        when not recorded."""
    @property
    def location(self) -> dict[str, float] | None:
        """Where the contact happened, as ``{"lat": ..., "lon": ...}``."""
    @property
    def intercept(self) -> Intercept | None:
        """The intercept the encounter gives, or None when it is to be derived."""
    @property
    def derived_intercept(self) -> Intercept:
        """The intercept: the encounter's own, or derived from who responded and how."""
    @property
    def attributes(self) -> dict[str, bool | int | float | str]:
        """Extra attributes the program declares."""
    def to_dict(self) -> dict[str, Any]:
        """The encounter as a dict in its JSON shape."""
    def to_json(self) -> str:
        """The encounter as one line of JSON."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class ProgramRef:
    """Which program decided, and which version of it."""

    @property
    def id(self) -> str:
        """The program's id."""
    @property
    def hash(self) -> str:
        """The content hash of the compiled program."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class ChargeHold:
    """Charges held in abeyance while the person follows the plan."""

    @property
    def term(self) -> str:
        """The program's term, such as ``90d``."""
    @property
    def deadline(self) -> datetime.datetime:
        """When the hold ends, in the program's time zone."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Reason:
    """Why a pathway does not apply: one rule or exclusion, in words."""

    @property
    def rule(self) -> str:
        """The id of the rule or exclusion."""
    @property
    def clause(self) -> str:
        """The clause that decided, in canonical form."""
    @property
    def because(self) -> str:
        """The reason as a sentence, with the values and limits that decided."""
    @property
    def evidence(self) -> Evidence | None:
        """What decided, as data; None for a reason that is not a clause."""
    def to_dict(self) -> dict[str, Any]:
        """The record as a dict (its JSON form)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class OffenseRef:
    """One offence of the encounter as an explanation names it: position, NIBRS code, name."""

    @property
    def index(self) -> int:
        """Its position in the encounter's ``offenses``, from 0."""
    @property
    def nibrs(self) -> str:
        """Its NIBRS code, such as ``35A``."""
    @property
    def name(self) -> str:
        """The code's name in the NIBRS table."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Evidence:
    """A clause's three-valued result and what decided it."""

    @property
    def clause(self) -> str:
        """The clause in canonical form, the program's constants folded."""
    @property
    def result(self) -> Truth:
        """True, false, or unknown when a value it reads was not recorded."""
    @property
    def field(self) -> str | None:
        """The field the clause reads directly (``age``, ``overdose.at``)."""
    @property
    def value(self) -> str | None:
        """The coded value it read, written as a rule writes it (``16``, ``73h``)."""
    @property
    def limit(self) -> str | None:
        """The limit a comparison holds the value to (``18``, ``72h``)."""
    @property
    def offense(self) -> OffenseRef | None:
        """The offence this evidence is about, inside a quantifier over offences."""
    @property
    def event(self) -> int | None:
        """The history event this evidence is about (its position in ``history``)."""
    @property
    def parts(self) -> list[Evidence]:
        """The parts below: alternatives, conjuncts, the operand of ``not``, quantifier items."""
    def detail(self) -> str:
        """What decided, as a phrase (``age 16; needs 18 or more``)."""
    def to_dict(self) -> dict[str, Any]:
        """The record as a dict (its JSON form)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class NeededInformation:
    """A field not recorded whose recording could change the decision."""

    @property
    def field(self) -> str:
        """The field as the encounter names it (``age``, ``attributes.screened``)."""
    @property
    def pathways(self) -> list[Pathway]:
        """Pathways whose eligibility it could decide, in the program's order."""
    @property
    def exclusions(self) -> list[str]:
        """Exclusions it could decide, by id."""
    def decides(self) -> str:
        """What it decides, in words."""
    def to_dict(self) -> dict[str, Any]:
        """The record as a dict (its JSON form)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Warning:
    """Something the person reading the decision should know."""

    @property
    def code(self) -> WarningCode:
        """A stable code."""
    @property
    def message(self) -> str:
        """The warning in words."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class ProviderOption:
    """A partner service that fits this person, as offered in a decision."""

    @property
    def service_id(self) -> str:
        """The HSDS service id."""
    @property
    def service(self) -> str:
        """The service's name."""
    @property
    def organization(self) -> str:
        """The organization's name."""
    @property
    def site(self) -> str | None:
        """The site offered, when the service has places."""
    @property
    def open_now(self) -> bool:
        """Whether it is open at the encounter's time."""
    @property
    def open_until(self) -> datetime.datetime | None:
        """When the current opening ends."""
    @property
    def next_open(self) -> datetime.datetime | None:
        """When it next opens."""
    @property
    def distance_km(self) -> float | None:
        """Great-circle distance from the encounter, in km."""
    @property
    def available(self) -> int | None:
        """Places free now, when reported."""
    @property
    def unit(self) -> str | None:
        """What a place is (``bed``, ``slot``), when capacity is reported."""
    @property
    def preferred_partner(self) -> bool:
        """Whether the program names it as a preferred partner."""
    @property
    def reasons(self) -> list[str]:
        """Why it was chosen, in words."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class ProviderGap:
    """An eligible pathway that no partner can take the person on now."""

    @property
    def message(self) -> str:
        """The gap in words."""
    @property
    def next_open(self) -> datetime.datetime | None:
        """The next time a fitting service opens, when one does within a year."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class EligiblePathway:
    """A pathway this person is eligible for, with its rank, admitting rule, charge hold and
    partner options."""

    @property
    def pathway(self) -> Pathway:
        """The pathway."""
    @property
    def rank(self) -> int:
        """1 for the pathway to offer first."""
    @property
    def rule(self) -> str:
        """The id of the rule that admitted it."""
    @property
    def charge_hold(self) -> ChargeHold | None:
        """The charge hold, when the pathway holds charges and an offence is chargeable."""
    @property
    def providers(self) -> list[ProviderOption] | None:
        """Partner services that fit, best first."""
    @property
    def provider_gap(self) -> ProviderGap | None:
        """Set when no partner can take the person now."""
    def to_dict(self) -> dict[str, Any]:
        """The record as a dict (its JSON form)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class IneligiblePathway:
    """A pathway the program offers that this person is not eligible for, with every reason."""

    @property
    def pathway(self) -> Pathway:
        """The pathway."""
    @property
    def reasons(self) -> list[Reason]:
        """Every rule that failed, or the exclusion that applied."""
    def to_dict(self) -> dict[str, Any]:
        """The record as a dict (its JSON form)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Decision:
    """The router's answer for one encounter: an audit record with stable field names."""

    @staticmethod
    def from_json(text: str) -> Decision:
        """Reads a decision back from its JSON form."""
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Decision:
        """Reads a decision back from its dict form."""
    @property
    def encounter_id(self) -> str:
        """The encounter's pseudonymous id."""
    @property
    def program(self) -> ProgramRef:
        """The program that decided, and its version hash."""
    @property
    def intercept(self) -> Intercept:
        """The Sequential Intercept point."""
    @property
    def intercept_basis(self) -> InterceptBasis:
        """How the intercept was decided."""
    @property
    def disposition(self) -> Disposition:
        """Deflection, pre-arrest diversion, or none."""
    @property
    def eligible(self) -> list[EligiblePathway]:
        """Eligible pathways, best first."""
    @property
    def ineligible(self) -> list[IneligiblePathway]:
        """Pathways the program offers that do not apply, with reasons."""
    @property
    def warnings(self) -> list[Warning]:
        """Things to know."""
    @property
    def needs_information(self) -> list[NeededInformation]:
        """Fields not recorded whose recording could change the decision, most decisive first."""
    @property
    def pathways(self) -> list[Pathway]:
        """The eligible pathways alone, best first."""
    def to_dict(self) -> dict[str, Any]:
        """The decision as a dict (its JSON form)."""
    def to_json(self) -> str:
        """The decision as one line of JSON, as ``offramp route`` prints it."""
    def explain(self) -> str:
        """The decision in plain sentences, for a person."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class Router:
    """Routes encounters through one program, and through a provider directory when given one."""

    def __new__(cls, program: Program, directory: Directory | _Path | None = None) -> Router: ...
    def route(self, encounter: _EncounterInput) -> Decision:
        """Routes one encounter: an ``Encounter``, a dict in the JSON shape, or JSON text."""
    def explain(self, encounter: _EncounterInput) -> str:
        """Routes one encounter and explains the decision in sentences."""
    def trace(self, encounter: _EncounterInput) -> Trace:
        """Routes one encounter and traces every rule, exclusion and amnesty of the program."""
    @overload
    def route_many(
        self,
        data: _Encounters,
        *,
        errors: Literal["raise"] = "raise",
        shape: Literal["pathways", "decisions"] = "pathways",
    ) -> pyarrow.Table:
        """Routes many encounters on every core and returns a ``pyarrow.Table`` of decisions,
        one row per encounter and eligible pathway (``shape="pathways"``) or one row per
        encounter (``shape="decisions"``, for counting); a row that cannot be decided raises
        ``EncounterError`` naming its row and field."""
    @overload
    def route_many(
        self,
        data: _Encounters,
        *,
        errors: Literal["collect"],
        shape: Literal["pathways", "decisions"] = "pathways",
    ) -> tuple[pyarrow.Table, pyarrow.Table]:
        """Routes every row that can be decided and returns ``(decisions, failures)``:
        ``failures`` has one row per row left out, with columns ``row``, ``field`` and
        ``message`` (never the value)."""
    def update_capacity(
        self,
        service_id: str,
        available: int | None,
        *,
        maximum: int | None = None,
        unit: str = "bed",
        updated: _Time | None = None,
    ) -> None:
        """Sets one service's capacity while other threads may be routing."""
    @property
    def program(self) -> Program:
        """The program this router uses."""
    @property
    def directory(self) -> Directory | None:
        """The directory this router matches providers from."""
    @property
    def has_directory(self) -> bool:
        """Whether provider matching is on."""
    @property
    def columns(self) -> list[str]:
        """The names of the columns ``route_many`` returns in its default shape."""
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __setstate__(self, state: str, /) -> None: ...

@final
class TracedRule:
    """One rule, exclusion or amnesty, evaluated."""

    @property
    def id(self) -> str:
        """The rule's id."""
    @property
    def result(self) -> Truth:
        """The whole rule's result."""
    @property
    def clauses(self) -> list[Evidence]:
        """Each conjunct of its top-level ``and``, with its result and the values it read."""
    def to_dict(self) -> dict[str, Any]:
        """The record as a dict (its JSON form)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class TracedPathway:
    """One pathway of the program, evaluated."""

    @property
    def pathway(self) -> Pathway:
        """The pathway."""
    @property
    def responder(self) -> Truth:
        """Whether the pathway serves the encounter's responder."""
    @property
    def exclusions(self) -> list[TracedRule]:
        """The pathway's own exclusions."""
    @property
    def rules(self) -> list[TracedRule]:
        """The pathway's rules, in order; the first true one admits."""
    def to_dict(self) -> dict[str, Any]:
        """The record as a dict (its JSON form)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class TracedOffense:
    """One offence, as the law and the program's amnesties left it."""

    @property
    def offense(self) -> OffenseRef:
        """The offence."""
    @property
    def chargeable(self) -> bool:
        """Whether it is chargeable, as routing decided it."""
    @property
    def amnesties(self) -> list[TracedRule]:
        """Each amnesty's condition evaluated for this offence."""
    def to_dict(self) -> dict[str, Any]:
        """The record as a dict (its JSON form)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Trace:
    """Everything the router evaluated for one encounter, with the decision it came to."""

    @property
    def decision(self) -> Decision:
        """The decision, exactly as ``Router.route`` gives it."""
    @property
    def offenses(self) -> list[TracedOffense]:
        """Each offence's chargeability and the amnesties evaluated for it."""
    @property
    def exclusions(self) -> list[TracedRule]:
        """The program-wide exclusions."""
    @property
    def pathways(self) -> list[TracedPathway]:
        """Each pathway, in the program's order."""
    def to_dict(self) -> dict[str, Any]:
        """The trace as a dict (its JSON form)."""
    def to_json(self) -> str:
        """The trace as one line of JSON."""
    def explain(self) -> str:
        """The trace as indented text."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...

@final
class Mismatch:
    """One thing a decision got wrong in a scenario: expected against actual."""

    @property
    def field(self) -> str:
        """The scenario key checked, with its pathway: `disposition`, `because.self_referral`."""
    @property
    def expected(self) -> str:
        """What the scenario expected, as a scenario file writes it."""
    @property
    def actual(self) -> str:
        """What the decision has."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...

@final
class ScenarioResult:
    """The result of one scenario."""

    @property
    def name(self) -> str:
        """The scenario's name."""
    @property
    def passed(self) -> bool:
        """Whether the decision matched every expectation."""
    @property
    def mismatches(self) -> list[Mismatch]:
        """What did not match; empty when it passed."""
    @property
    def reasons(self) -> list[str]:
        """For a failed scenario, the decision's reasons for each pathway involved."""

@final
class ScenarioReport:
    """The results of a scenario file run against one program."""

    @property
    def program(self) -> str:
        """The program's id."""
    @property
    def passed(self) -> int:
        """How many scenarios passed."""
    @property
    def failed(self) -> int:
        """How many scenarios failed."""
    @property
    def results(self) -> list[ScenarioResult]:
        """One result per scenario, in file order."""

@final
class AnalysedProgram:
    """One analysed program."""

    @property
    def id(self) -> str:
        """The program's id."""
    @property
    def name(self) -> str:
        """The program's name."""
    @property
    def hash(self) -> str:
        """The compiled program's content hash."""

@final
class Condition:
    """One condition of a gap: a field and the values it takes there."""

    @property
    def field(self) -> str:
        """The field, as rules name it (`age`, `responder`, `attributes.sale_for_profit`)."""
    @property
    def text(self) -> str:
        """The values, in words (`under 18`)."""

@final
class Gap:
    """A region of encounters that reaches no pathway."""

    @property
    def conditions(self) -> list[Condition]:
        """What holds in the region; a field not listed may take any value."""
    @property
    def summary(self) -> str:
        """The region in one sentence."""
    @property
    def intercepts(self) -> list[Intercept]:
        """The intercepts the region's encounters sit at."""
    @property
    def classes(self) -> int:
        """How many classes of encounters the region holds."""
    @property
    def encounters(self) -> int | None:
        """How many encounters of the encounters given fall in it; None without encounters."""
    @property
    def example(self) -> Encounter:
        """One encounter of the region, built by the analysis, that any router can route."""

@final
class Overlap:
    """Two pathways of one program that overlap."""

    @property
    def program(self) -> str:
        """The program's id."""
    @property
    def kind(self) -> Literal["always_together", "shadowed"]:
        """How they overlap."""
    @property
    def pathway(self) -> Pathway:
        """The higher-ranked pathway."""
    @property
    def other(self) -> Pathway:
        """The lower-ranked pathway, the shadowed one."""
    @property
    def summary(self) -> str:
        """The overlap in one sentence."""

@final
class DeadRule:
    """A rule that can never admit anyone."""

    @property
    def program(self) -> str:
        """The program's id."""
    @property
    def pathway(self) -> Pathway:
        """The pathway the rule belongs to."""
    @property
    def rule(self) -> str:
        """The rule's id."""
    @property
    def summary(self) -> str:
        """Why, in one sentence."""

@final
class WholeExclusion:
    """An exclusion that leaves a pathway (or every pathway) with no one to admit."""

    @property
    def program(self) -> str:
        """The program's id."""
    @property
    def exclusion(self) -> str:
        """The exclusion's id."""
    @property
    def pathway(self) -> Pathway | None:
        """The pathway it empties; None for a program-wide exclusion that empties them all."""
    @property
    def summary(self) -> str:
        """Why, in one sentence."""

@final
class CoverageCell:
    """One cell of the Sequential Intercept Model grid."""

    @property
    def intercept(self) -> Intercept:
        """The column."""
    @property
    def pathway(self) -> Pathway:
        """The row."""
    @property
    def programs(self) -> list[str]:
        """The programs that admit someone here, by id."""
    @property
    def responders(self) -> list[Responder]:
        """The responders on scene when someone is admitted here."""
    @property
    def partner_kinds(self) -> list[str]:
        """The partner service kinds the programs ask for on this pathway."""
    @property
    def gap(self) -> bool:
        """Whether encounters at this intercept reach no pathway somewhere."""
    def covered(self) -> bool:
        """Whether some program admits someone in this cell."""

@final
class Analysis:
    """Gaps, overlaps, rules that can never admit and the intercept grid of one program, or of
    several taken together (see ``offramp.analyze``). ``str()`` gives the report
    ``offramp analyze`` prints."""

    @property
    def programs(self) -> list[AnalysedProgram]:
        """The programs analysed, in the order given."""
    @property
    def encounters_examined(self) -> int:
        """How many classes of encounters were examined (one encounter routed for each)."""
    @property
    def gaps(self) -> list[Gap]:
        """Regions of encounters no program admits to any pathway, most common first."""
    @property
    def gaps_left_out(self) -> int:
        """Gap regions past the most listed, counted but not listed."""
    @property
    def overlaps(self) -> list[Overlap]:
        """Pathways always offered together, or always behind a higher-ranked one."""
    @property
    def dead_rules(self) -> list[DeadRule]:
        """Rules that can never admit anyone."""
    @property
    def whole_exclusions(self) -> list[WholeExclusion]:
        """Exclusions that leave a pathway (or every pathway) with no one to admit."""
    @property
    def coverage(self) -> list[CoverageCell]:
        """The Sequential Intercept Model grid: one cell per intercept and pathway."""
    def to_dict(self) -> dict[str, Any]:
        """Everything as plain data, as ``offramp analyze --format json`` writes it."""
    def to_json(self) -> str:
        """Everything as JSON, as ``offramp analyze --format json`` prints it."""

@final
class CaseTransition:
    """One recorded step in a case's history."""

    @property
    def track(self) -> Literal["referral", "charges"]:
        """The track the step moved."""
    @property
    def before(self) -> CaseStatus | ChargeStatus:
        """The state before the event."""
    @property
    def after(self) -> CaseStatus | ChargeStatus:
        """The state after the event."""
    @property
    def event(self) -> CaseEvent:
        """What happened."""
    @property
    def at(self) -> datetime.datetime:
        """When it happened."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Case:
    """One referral followed after the routing decision."""

    def __new__(
        cls,
        encounter_id: str,
        pathway: Pathway | str,
        at: _Time,
        charge_hold_deadline: _Time | None = None,
    ) -> Case: ...
    @staticmethod
    def open(encounter: _EncounterInput, eligible: EligiblePathway) -> Case:
        """Opens the case for an eligible pathway of an encounter's decision."""
    @staticmethod
    def from_json(text: str) -> Case:
        """Reads a stored case, replaying its history through the rules."""
    def apply(self, event: CaseEvent | str, at: _Time) -> None:
        """Applies an event at a time; raises ``CaseError`` if it is not allowed."""
    def available_events(self, at: _Time) -> list[CaseEvent]:
        """Every event that ``apply`` would accept at time ``at``."""
    @property
    def encounter_id(self) -> str:
        """The encounter this case came from."""
    @property
    def pathway(self) -> Pathway:
        """The pathway the encounter was routed to."""
    @property
    def status(self) -> CaseStatus:
        """Where the referral stands."""
    @property
    def charges(self) -> ChargeStatus | None:
        """Where held charges stand."""
    @property
    def charge_hold_deadline(self) -> datetime.datetime | None:
        """The charge hold's deadline."""
    @property
    def history(self) -> list[CaseTransition]:
        """Every applied event, oldest first."""
    @property
    def opened_at(self) -> datetime.datetime:
        """When the case was opened."""
    @property
    def last_event_at(self) -> datetime.datetime:
        """The latest moment on record."""
    @property
    def is_closed(self) -> bool:
        """Whether nothing is left to happen."""
    def to_dict(self) -> dict[str, Any]:
        """The case as a dict, with its full history."""
    def to_json(self) -> str:
        """The case as JSON, with its full history."""
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]
    def __reduce__(self) -> tuple[Any, ...]: ...

def check(path: _Path) -> list[Diagnostic]:
    """Checks a program file: every problem found (an empty list when it is valid)."""

def test_program(program: Program | _Path, scenarios: _Path) -> ScenarioReport:
    """Runs a scenario file against a program, as `offramp test` does."""

def json_schema(
    kind: Literal["program", "encounter", "decision", "trace", "scenarios"],
) -> dict[str, Any]:
    """The JSON Schema of a file format, as a dict."""

def case_graph(format: Literal["mermaid", "dot"] = "mermaid") -> str:
    """The referral case's state graph as Mermaid or Graphviz text."""

def _vocabulary() -> dict[str, list[str | int]]:
    """The core's vocabularies, for the test suite."""

def _encounter_fields() -> list[str]:
    """The encounter fields the shared reader reads (the fields a table may have)."""

def _read_encounters(data: _Encounters, int_attributes: list[str] = ...) -> list[Encounter]:
    """The encounters of anything ``route_many`` takes (for the tests)."""

def _diff(old: Program, new: Program, encounters: Union[_Encounters, _Path, None] = ...) -> str:
    """Two programs compared (and the encounters decided under both), as JSON text (see
    ``offramp.diff``)."""

def _analyze(programs: list[Program], encounters: Union[_Encounters, _Path, None] = ...) -> Analysis:
    """The programs analysed together (see ``offramp.analyze``)."""

def _scenario_from_file(path: _Path) -> str:
    """A scenario file, read and checked, as JSON text (see ``offramp.sim.Scenario``)."""

def _scenario_from_text(
    text: str, name: str, base: _Path | None = None, json: bool = False, keyed: bool = False
) -> str:
    """A scenario from TOML or JSON text, as JSON text; with ``keyed``, errors name dotted keys."""

def _scenario_to_toml(scenario: str) -> str:
    """A scenario's JSON text as TOML."""

@final
class SimCsv:
    """A run's results, kept to write each table's CSV text when it is first asked for."""

    def csv(self, name: str) -> str:
        """One table's CSV text, byte for byte what ``offramp simulate`` writes."""

def _sim_tables() -> list[str]:
    """The names of the simulation's result tables, in the order the command writes them."""

def _simulate(
    scenario: str,
    seed: int | None = None,
    replications: int | None = None,
    threads: int | None = None,
    encounters: _Encounters | None = None,
    allow_large: bool = False,
    progress: Callable[[int, int], object] | None = None,
) -> tuple[str, str, list[tuple[str, pyarrow.Table]], SimCsv]:
    """Runs a scenario (JSON text) without the GIL: ``run.json``, the one-page report, per
    table its name and its ``pyarrow.Table`` with the core's column types, and the ``SimCsv``
    that writes the tables' CSV text when asked. Ctrl-C stops the run;
    ``progress(done, total)`` is called with simulated days as they pass."""

def _work_estimate(
    scenario: str, replications: int | None = None, replayed: int | None = None
) -> tuple[int, int, int, int, int]:
    """A run's expected work: encounters, the budget, people, days and replications."""
