"""The Python API: programs, encounters, decisions with typed attributes, directories."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle

import pytest

import conftest
import offramp
from conftest import EXAMPLES, LEAD_ENCOUNTER, PROGRAMS, PROVIDERS, program_path


def test_package_exports_documented_names() -> None:
    for name in offramp.__all__:
        obj = getattr(offramp, name)
        if name == "__version__":
            assert isinstance(obj, str)
            continue
        assert obj.__doc__, f"offramp.{name} has no docstring"


def test_public_methods_and_properties_are_documented() -> None:
    for name in offramp.__all__:
        obj = getattr(offramp, name)
        if not isinstance(obj, type) or issubclass(obj, BaseException):
            continue
        for attr, value in vars(obj).items():
            if attr.startswith("_") or attr[0].isupper():
                continue
            assert getattr(value, "__doc__", None), f"offramp.{name}.{attr} has no docstring"


def test_program_loads_from_file_toml_and_json(lead: offramp.Program) -> None:
    assert lead.id == "lead-king-county"
    assert lead.hash.startswith("sha256:")
    assert lead.timezone == "America/Los_Angeles"
    assert lead.jurisdiction == "King County, WA"
    assert lead.pathways == [offramp.Pathway.OFFICER_INTERVENTION, offramp.Pathway.FIRST_RESPONDER_REFERRAL]
    assert lead.rule_count > 0
    again = offramp.Program.from_toml(lead.to_toml(), "canonical.toml")
    assert again.hash == lead.hash and again == lead
    from_json = offramp.Program.from_json(lead.to_json(), "lead.json")
    assert from_json.hash == lead.hash
    assert lead.to_dict()["program"]["id"] == "lead-king-county"
    assert pickle.loads(pickle.dumps(lead)) == lead
    assert "lead-king-county" in repr(lead)


QUESTIONABLE_PROGRAM = """[program]
id = "demo"
jurisdiction = "Example County"
timezone = "America/Chicago"
[[pathways]]
pathway = "officer_intervention"
[[pathways.rules]]
id = "infractions-only"
when = "all offenses (level == infraction)"
"""


def test_a_program_that_loads_still_says_what_is_questionable(lead: offramp.Program) -> None:
    assert lead.warnings == []
    program = offramp.Program.from_toml(QUESTIONABLE_PROGRAM, "demo.toml")
    [warning] = program.warnings
    assert isinstance(warning, offramp.Diagnostic)
    assert (warning.file, warning.line, warning.column) == ("demo.toml", 9, 9)
    assert "infractions-only" in warning.message and "officer_intervention" in warning.message
    assert warning.help and "first_responder_referral" in warning.help


def test_program_from_path_object() -> None:
    p = offramp.Program.from_file(PROGRAMS / "qrt-hamilton-county.toml")
    assert p.id == "qrt-hamilton-county"


def test_route_returns_a_typed_decision(lead_router: offramp.Router) -> None:
    d = lead_router.route(LEAD_ENCOUNTER)
    assert isinstance(d, offramp.Decision)
    assert d.encounter_id == "e-1"
    assert d.disposition is offramp.Disposition.PRE_ARREST_DIVERSION
    assert d.intercept is offramp.Intercept.LAW_ENFORCEMENT and d.intercept == 1
    first = d.eligible[0]
    assert isinstance(first, offramp.EligiblePathway)
    assert first.pathway is offramp.Pathway.OFFICER_INTERVENTION
    assert first.rank == 1 and first.rule == "lead-arrest-referral"
    assert first.charge_hold is None and first.providers is None and first.provider_gap is None
    assert d.pathways == [offramp.Pathway.OFFICER_INTERVENTION]
    inel = d.ineligible[0]
    assert inel.pathway is offramp.Pathway.FIRST_RESPONDER_REFERRAL
    assert isinstance(inel.reasons[0], offramp.Reason)
    assert inel.reasons[0].rule == "lead-social-contact" and inel.reasons[0].because
    assert d.program.id == "lead-king-county" and d.program.hash.startswith("sha256:")
    assert all(isinstance(w.code, offramp.WarningCode) for w in d.warnings)


def test_decision_to_dict_and_json_agree(lead_router: offramp.Router) -> None:
    d = lead_router.route(LEAD_ENCOUNTER)
    assert json.loads(d.to_json()) == d.to_dict()
    assert d.to_dict()["eligible"][0]["pathway"] == "officer_intervention"
    assert offramp.Decision.from_json(d.to_json()) == d
    assert offramp.Decision.from_dict(d.to_dict()) == d
    assert pickle.loads(pickle.dumps(d)) == d
    assert copy.copy(d) == d
    text = d.explain()
    assert "officer intervention" in text and "lead-arrest-referral" in text
    assert lead_router.explain(LEAD_ENCOUNTER) == text
    assert d.eligible[0].to_dict()["rule"] == "lead-arrest-referral"
    assert d.ineligible[0].to_dict()["pathway"] == "first_responder_referral"


def test_encounter_class(lead_router: offramp.Router) -> None:
    e = offramp.Encounter(
        "e-2",
        dt.datetime(2026, 3, 2, 14, 5, tzinfo=dt.timezone(dt.timedelta(hours=-8))),
        responder=offramp.Responder.LAW_ENFORCEMENT,
        source="call_for_service",
        needs=[offramp.Need.SUD, "homelessness"],
        offenses=[{"nibrs": "35A", "level": offramp.Level.MISDEMEANOR}],
        age=34,
        language="eng",
        consent=offramp.Consent.VERBAL,
        location={"lat": 47.6, "lon": -122.33},
        attributes={"race": "recorded for reporting"},
    )
    assert e.id == "e-2"
    assert e.at == dt.datetime(2026, 3, 2, 22, 5, tzinfo=dt.timezone.utc)
    assert e.at.utcoffset() == dt.timedelta(hours=-8)
    assert e.responder is offramp.Responder.LAW_ENFORCEMENT
    assert e.source is offramp.Source.CALL_FOR_SERVICE
    assert e.needs == [offramp.Need.SUD, offramp.Need.HOMELESSNESS]
    assert e.flags == [] and e.overdose is None and e.intercept is None
    assert e.derived_intercept is offramp.Intercept.LAW_ENFORCEMENT
    # Issue 11: `violent` not given stays not recorded (rules read it from the code table).
    assert e.offenses == [{"nibrs": "35A", "level": "misdemeanor"}]
    assert e.location == {"lat": 47.6, "lon": -122.33}
    assert e.age == 34 and e.language == "eng" and e.consent is offramp.Consent.VERBAL
    assert e.attributes == {"race": "recorded for reporting"}
    assert offramp.Encounter.from_json(e.to_json()) == e
    assert offramp.Encounter.from_dict(e.to_dict()) == e
    assert pickle.loads(pickle.dumps(e)) == e
    assert lead_router.route(e) == lead_router.route(e.to_dict())


def test_dict_conveniences_match_json(lead_router: offramp.Router) -> None:
    """None and NaN mean "not recorded"; aware datetimes and enum members are accepted."""
    base = lead_router.route(LEAD_ENCOUNTER)
    friendly = dict(LEAD_ENCOUNTER)
    friendly["at"] = dt.datetime.fromisoformat("2026-03-02T14:05:00-08:00")
    friendly["responder"] = offramp.Responder.LAW_ENFORCEMENT
    friendly["language"] = None
    friendly["consent"] = float("nan")
    friendly["age"] = 34.0
    friendly["needs"] = ("sud",)
    assert lead_router.route(friendly) == base
    assert lead_router.route(json.dumps(LEAD_ENCOUNTER).encode()) == base


PRIOR_CITATIONS = """
[program]
id = "int-attribute-test"
jurisdiction = "Test County"
timezone = "America/New_York"

[attributes.prior_citations]
type = "int"
description = "number of earlier citations"

[[pathways]]
pathway = "officer_intervention"

[[pathways.rules]]
id = "first-citation"
when = "attr.prior_citations == 0 and any offenses (level == misdemeanor)"
"""


def test_int_attribute_from_a_pandas_style_float() -> None:
    router = offramp.Router(offramp.Program.from_toml(PRIOR_CITATIONS, "int.toml"))
    e = {
        "id": "e-9", "at": "2026-05-20T09:00:00-04:00", "responder": "law_enforcement",
        "source": "on_view", "age": 30, "attributes": {"prior_citations": 0},
        "offenses": [{"nibrs": "23C", "level": "misdemeanor", "violent": False}],
    }
    as_float = dict(e, attributes={"prior_citations": 0.0})
    assert router.route(as_float) == router.route(e)
    assert router.route(e).eligible[0].pathway == offramp.Pathway.OFFICER_INTERVENTION


def test_router_with_directory_offers_partners() -> None:
    for name, providers in EXAMPLES.items():
        program = offramp.Program.from_file(program_path(name))
        directory = offramp.Directory.from_hsds(PROVIDERS / providers, timezone=program.timezone)
        assert len(directory) > 0 and directory.service_ids
        router = offramp.Router(program, directory)
        assert router.has_directory and router.directory is directory
        assert router.program is program
        by_path = offramp.Router(program, PROVIDERS / providers)
        assert by_path.has_directory
    program = offramp.Program.from_file(program_path("lead-king-county"))
    router = offramp.Router(program, PROVIDERS / "king-county.json")
    d = router.route(dict(LEAD_ENCOUNTER, location={"lat": 47.6009, "lon": -122.3301}))
    options = d.eligible[0].providers
    assert options, "the LEAD partner directory should offer case management"
    o = options[0]
    assert isinstance(o, offramp.ProviderOption)
    assert o.service and o.organization and o.service_id
    assert isinstance(o.open_now, bool) and isinstance(o.reasons, list)
    assert o.distance_km is None or o.distance_km >= 0
    if o.next_open is not None:
        assert o.next_open.tzinfo is not None


def test_any_spelling_of_a_language_gets_the_same_partners() -> None:
    program = offramp.Program.from_file(program_path("harvey-pd"))
    router = offramp.Router(program, PROVIDERS / "harvey-il.json")
    base = {
        "at": "2026-03-03T15:00:00-06:00", "responder": "law_enforcement", "source": "on_view",
        "needs": ["sud", "sex_work"], "age": 29, "location": {"lat": 41.61, "lon": -87.65},
    }

    def partners(d: offramp.Decision) -> list[list[str]]:
        return [[o.service_id for o in p.providers or []] for p in d.eligible]

    spa = partners(router.route(dict(base, id="h-spa", language="spa")))
    assert sum(len(p) for p in spa) >= 3, spa
    spellings = ["es", "ES", "Spanish", "spanish", "es-US"]
    for language in spellings:
        enc = dict(base, id=f"h-{language}", language=language)
        assert partners(router.route(enc)) == spa, language
        assert partners(router.route(json.dumps(enc))) == spa, language
        typed = offramp.Encounter.from_dict(enc)
        assert typed.language == "spa"
        assert partners(router.route(typed)) == spa, language
    # The batch form reads the same: a list of dicts, and an Arrow table.
    rows = [dict(base, id=f"h-{language}", language=language) for language in ["spa", *spellings]]
    for table in (router.route_many(rows), router.route_many(conftest.to_table(rows))):
        by_encounter: dict[str, list[list[str]]] = {}
        for row in table.to_pylist():
            got = [o["service_id"] for o in row["providers"] or []]
            by_encounter.setdefault(row["encounter_id"], []).append(got)
        assert len(by_encounter) == len(rows)
        for encounter_id, got in by_encounter.items():
            assert got == spa, encounter_id


def test_directory_warnings_name_the_python_argument() -> None:
    text = (PROVIDERS / "harvey-il.json").read_text()
    assert offramp.Directory.from_hsds_json(text, "harvey-il.json").warnings == []

    def without_tzid(v: object) -> object:
        if isinstance(v, dict):
            return {k: without_tzid(x) for k, x in v.items() if k != "tzid"}
        if isinstance(v, list):
            return [without_tzid(x) for x in v]
        return v

    bare = json.dumps(without_tzid(json.loads(text)))
    warnings = offramp.Directory.from_hsds_json(bare, "bare.json").warnings
    assert warnings
    for w in warnings:
        assert "set the directory's IANA time zone with timezone=" in w.message, w.message
        assert "timezone=" in str(w) and "LoadOptions" not in str(w)
    assert offramp.Directory.from_hsds_json(bare, "bare.json", timezone="America/Chicago").warnings == []


def test_update_capacity() -> None:
    program = offramp.Program.from_file(program_path("lead-king-county"))
    router = offramp.Router(program, PROVIDERS / "king-county.json")
    enc = dict(LEAD_ENCOUNTER, location={"lat": 47.6009, "lon": -122.3301})
    sid = router.route(enc).eligible[0].providers[0].service_id  # type: ignore[index]
    router.update_capacity(sid, 3, maximum=10, unit="slot", updated="2026-03-02T08:00:00-08:00")
    options = router.route(enc).eligible[0].providers or []
    chosen = [o for o in options if o.service_id == sid]
    assert chosen and chosen[0].available == 3 and chosen[0].unit == "slot"
    router.update_capacity(sid, None)
    options = router.route(enc).eligible[0].providers or []
    assert [o.available for o in options if o.service_id == sid] == [None]


def test_routers_and_directories_pickle_with_their_capacity_board() -> None:
    program = offramp.Program.from_file(program_path("lead-king-county"))
    directory = offramp.Directory.from_file(PROVIDERS / "king-county.json",
                                            timezone="America/Los_Angeles")
    again = pickle.loads(pickle.dumps(directory))
    assert isinstance(again, offramp.Directory) and again.service_ids == directory.service_ids
    router = offramp.Router(program, directory)
    enc = dict(LEAD_ENCOUNTER, location={"lat": 47.6009, "lon": -122.3301})
    first = router.route(enc).eligible[0].providers[0].service_id  # type: ignore[index]
    # A full service drops out here, and must stay out in the copy.
    router.update_capacity(first, 0, maximum=12, unit="bed")
    copy_ = pickle.loads(pickle.dumps(router))
    assert copy_.route(enc).to_json() == router.route(enc).to_json()
    assert first not in [o.service_id for o in copy_.route(enc).eligible[0].providers or []]
    assert copy_.route(enc).to_json() != offramp.Router(program, directory).route(enc).to_json()
    # Without a directory, too; and a board for another directory is refused.
    plain = pickle.loads(pickle.dumps(offramp.Router(program)))
    assert plain.route(LEAD_ENCOUNTER).to_json() == offramp.Router(program).route(LEAD_ENCOUNTER).to_json()
    with pytest.raises(offramp.OfframpError):
        plain.__setstate__('[["not-a-service", null]]')
    with pytest.raises(offramp.OfframpError):
        plain.__setstate__("not json")


def test_directory_formats_round_trip() -> None:
    d = offramp.Directory.from_hsds(PROVIDERS / "harvey-il.json", timezone="America/Chicago")
    again = offramp.Directory.from_hsds_json(d.to_hsds_json(), "again.json", timezone="America/Chicago")
    assert again.service_ids == d.service_ids
    own = offramp.Directory.from_toml(d.to_toml(), "own.toml")
    assert own.service_ids == d.service_ids
    assert isinstance(d.services[0], dict) and "id" in d.services[0]
    assert all("id" in o and "name" in o for o in d.organizations)
    for w in d.warnings:
        assert isinstance(w, offramp.DirectoryWarning) and w.message and str(w)
    via_file = offramp.Directory.from_file(PROVIDERS / "harvey-il.json", timezone="America/Chicago")
    assert via_file.service_ids == d.service_ids


def test_check_and_schemas() -> None:
    assert offramp.check(program_path("lead-king-county")) == []
    schema = offramp.json_schema("encounter")
    assert schema["title"] == "Encounter" and "id" in schema["required"]
    assert offramp.json_schema("decision")["title"] == "Decision"
    assert "properties" in offramp.json_schema("program")
    with pytest.raises(ValueError):
        offramp.json_schema("nonsense")  # type: ignore[arg-type]
    assert "referred" in offramp.case_graph()
    assert "digraph" in offramp.case_graph("dot")
    with pytest.raises(ValueError):
        offramp.case_graph("svg")  # type: ignore[arg-type]
    assert isinstance(offramp.__version__, str)


def test_router_columns_match_route_many(lead_router: offramp.Router) -> None:
    table = lead_router.route_many([LEAD_ENCOUNTER])
    assert table.column_names == lead_router.columns
    meta = table.schema.metadata
    assert meta[b"offramp.program_id"] == b"lead-king-county"


def test_willing_and_history_are_read_and_routed() -> None:
    """`willing` is apart from `consent`, and `history` reaches rules on every way in."""
    qrt = offramp.Router(offramp.Program.from_file(PROGRAMS / "qrt-hamilton-county.toml"))
    base = {
        "id": "w-1",
        "at": "2026-08-21T12:00:00-04:00",
        "responder": "co_responder",
        "source": "overdose_follow_up",
        "needs": ["opioid_use"],
        "overdose": {"at": "2026-08-20T23:10:00-04:00", "naloxone": True},
    }
    said_no = offramp.Encounter.from_dict({**base, "willing": "no"})
    assert said_no.willing is offramp.Willing.NO
    assert qrt.route(said_no).eligible == []
    # Declining to share records says nothing of willingness.
    keyword = offramp.Encounter(
        "w-2", base["at"], responder="co_responder", source="overdose_follow_up",
        needs=["opioid_use"], overdose=base["overdose"], willing=offramp.Willing.YES,
        consent="declined",
    )
    assert [e.pathway for e in qrt.route(keyword).eligible] == [offramp.Pathway.NALOXONE_PLUS]

    history = [{"kind": "conviction", "date": "2019-05-01", "nibrs": "13B", "level": "misdemeanor"}]
    e = offramp.Encounter.from_dict({**base, "history": history})
    assert e.history == history
    assert offramp.Encounter.from_json(e.to_json()).history == history
    with pytest.raises(offramp.EncounterError) as err:
        offramp.Encounter.from_dict({**base, "history": [{"kind": "arrest", "date": "2027-01-01"}]})
    assert err.value.field == "history[0].date"
    assert "2027" not in str(err.value)
