"""The Python enums are the core's vocabularies, member for member."""

from __future__ import annotations

import offramp
from offramp import _offramp


def test_enums_match_the_core() -> None:
    for name, values in _offramp._vocabulary().items():
        cls = getattr(offramp, name)
        members = list(cls)
        assert [m.value for m in members] == values, name


def test_names_and_aliases() -> None:
    assert offramp.Pathway.NALOXONE_PLUS == "naloxone_plus"
    assert str(offramp.Pathway.NALOXONE_PLUS) == "naloxone_plus"
    assert offramp.Pathway("officer_prevention") is offramp.Pathway.FIRST_RESPONDER_REFERRAL
    assert offramp.Intercept(1) is offramp.Intercept.LAW_ENFORCEMENT
    assert offramp.Intercept.LAW_ENFORCEMENT < offramp.Intercept.JAILS
    assert isinstance(offramp.Disposition.NONE, str)


def test_encounter_fields_are_the_schemas() -> None:
    schema = offramp.json_schema("encounter")
    assert sorted(_offramp._encounter_fields()) == sorted(schema["properties"])
