"""offramp.Case: a referral's life after the decision."""

from __future__ import annotations

import datetime as dt
import json
import pickle

import offramp
from conftest import program_path

PAD_ENCOUNTER = {
    "id": "e-9", "at": "2026-05-20T09:00:00-04:00", "responder": "law_enforcement",
    "source": "on_view", "age": 30, "history": [],
    "offenses": [{"nibrs": "23C", "level": "misdemeanor", "violent": False}],
}


def test_case_from_a_decision_with_a_charge_hold() -> None:
    router = offramp.Router(offramp.Program.from_file(program_path("pad-acc-leon-county")))
    decision = router.route(PAD_ENCOUNTER)
    eligible = decision.eligible[0]
    assert eligible.charge_hold is not None
    case = offramp.Case.open(PAD_ENCOUNTER, eligible)
    assert case.encounter_id == "e-9"
    assert case.pathway is eligible.pathway
    assert case.status is offramp.CaseStatus.REFERRED
    assert case.charges is offramp.ChargeStatus.HELD
    assert case.charge_hold_deadline == eligible.charge_hold.deadline
    assert case.opened_at == dt.datetime.fromisoformat("2026-05-20T09:00:00-04:00")
    assert case.available_events("2026-05-20T10:00:00-04:00") == [offramp.CaseEvent.ACCEPT, offramp.CaseEvent.DECLINE]

    case.apply(offramp.CaseEvent.ACCEPT, "2026-05-20T10:00:00-04:00")
    case.apply("engage", dt.datetime(2026, 5, 22, 10, tzinfo=dt.timezone(dt.timedelta(hours=-4))))
    case.apply(offramp.CaseEvent.COMPLETE, "2026-07-01T10:00:00-04:00")
    case.apply(offramp.CaseEvent.DROP_CHARGES, "2026-07-02T10:00:00-04:00")
    assert case.status is offramp.CaseStatus.COMPLETED
    assert case.charges is offramp.ChargeStatus.DROPPED
    assert case.is_closed
    steps = case.history
    assert [s.event for s in steps] == [
        offramp.CaseEvent.ACCEPT, offramp.CaseEvent.ENGAGE, offramp.CaseEvent.COMPLETE, offramp.CaseEvent.DROP_CHARGES,
    ]
    assert steps[0].before is offramp.CaseStatus.REFERRED and steps[0].after is offramp.CaseStatus.ACCEPTED
    assert steps[-1].track == "charges" and steps[-1].after is offramp.ChargeStatus.DROPPED
    assert case.last_event_at == steps[-1].at

    stored = case.to_json()
    assert offramp.Case.from_json(stored) == case
    assert json.loads(stored) == case.to_dict()
    assert pickle.loads(pickle.dumps(case)) == case


def test_case_without_a_hold_and_re_engagement() -> None:
    case = offramp.Case("e-1", "self_referral", "2026-01-01T12:00:00Z")
    assert case.charges is None and case.charge_hold_deadline is None
    case.apply("accept", "2026-01-01T12:00:00Z")
    case.apply("disengage", "2026-01-02T12:00:00Z")
    assert not case.is_closed
    case.apply("re_engage", "2026-01-03T12:00:00Z")
    assert case.status is offramp.CaseStatus.ENGAGED
