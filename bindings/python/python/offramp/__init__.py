"""offramp: route a first-responder encounter to the deflection and pre-arrest diversion
pathways a program offers, and to the partner providers that can take the person now.

Load a program (and, if you have one, a provider directory), make a ``Router``, and route
encounters one at a time with ``Router.route`` or in bulk with ``Router.route_many``::

    import offramp

    program = offramp.Program.from_file("examples/programs/lead-king-county.toml")
    router = offramp.Router(program)
    decision = router.route({
        "id": "e-1", "at": "2026-03-02T14:05:00-08:00",
        "responder": "law_enforcement", "source": "call_for_service", "needs": ["sud"],
        "offenses": [{"nibrs": "35A", "level": "misdemeanor"}],
    })
    assert decision.eligible[0].pathway is offramp.Pathway.OFFICER_INTERVENTION
    print(decision.explain())

The routing itself is the Rust core's; this package converts at the edge.
"""

from __future__ import annotations

from offramp._enums import (
    CaseEvent,
    CaseStatus,
    ChargeStatus,
    Consent,
    CriminalActivity,
    Disposition,
    DrugType,
    DrugUnit,
    Flag,
    HistoryKind,
    Intercept,
    InterceptBasis,
    Level,
    Need,
    Pathway,
    Responder,
    ServiceKind,
    Source,
    Truth,
    WarningCode,
    Willing,
)
from offramp._diff import ProgramDiff, diff
from offramp._errors import (
    CaseError,
    DirectoryError,
    EncounterError,
    OfframpError,
    ProgramError,
    ProgramNotFoundError,
    SimulationError,
)
from offramp._offramp import (
    Case,
    CaseTransition,
    ChargeHold,
    Decision,
    Diagnostic,
    Directory,
    DirectoryWarning,
    EligiblePathway,
    Encounter,
    Evidence,
    IneligiblePathway,
    Mismatch,
    NeededInformation,
    OffenseRef,
    Program,
    ProgramRef,
    ProviderGap,
    ProviderOption,
    Reason,
    Router,
    ScenarioReport,
    ScenarioResult,
    Trace,
    TracedOffense,
    TracedPathway,
    TracedRule,
    Warning,
    __version__,
    case_graph,
    check,
    json_schema,
    test_program,
)

__all__ = [
    "Case",
    "CaseError",
    "CaseEvent",
    "CaseStatus",
    "CaseTransition",
    "ChargeHold",
    "ChargeStatus",
    "Consent",
    "CriminalActivity",
    "Decision",
    "Diagnostic",
    "Directory",
    "DirectoryError",
    "DirectoryWarning",
    "Disposition",
    "DrugType",
    "DrugUnit",
    "EligiblePathway",
    "Encounter",
    "EncounterError",
    "Evidence",
    "Flag",
    "HistoryKind",
    "IneligiblePathway",
    "Intercept",
    "InterceptBasis",
    "Level",
    "Mismatch",
    "Need",
    "NeededInformation",
    "OffenseRef",
    "OfframpError",
    "Pathway",
    "Program",
    "ProgramError",
    "ProgramDiff",
    "ProgramNotFoundError",
    "ProgramRef",
    "ProviderGap",
    "ProviderOption",
    "Reason",
    "Responder",
    "Router",
    "ScenarioReport",
    "ScenarioResult",
    "ServiceKind",
    "SimulationError",
    "Source",
    "Trace",
    "TracedOffense",
    "TracedPathway",
    "TracedRule",
    "Truth",
    "Warning",
    "WarningCode",
    "Willing",
    "__version__",
    "case_graph",
    "check",
    "diff",
    "json_schema",
    "sim",
    "test_program",
]

from offramp import sim  # noqa: E402  (after the native module, which it uses)
