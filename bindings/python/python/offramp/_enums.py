"""The vocabularies of deflection and pre-arrest diversion, as Python enums.

Each text enum's values are the names the core uses in JSON, TOML and rules, so a member
compares equal to its name (``Pathway.NALOXONE_PLUS == "naloxone_plus"``) and can be given
wherever a name is accepted. ``Intercept`` is an ``IntEnum`` numbered 0 to 5, as the
Sequential Intercept Model numbers its points.
"""

# Generated from the Rust core's vocabularies (bindings/python/src/enums.rs): do not edit by
# hand. After changing a vocabulary in the core, rewrite this file with
#     OFFRAMP_WRITE_ENUMS=1 cargo test -p offramp-python enums

from __future__ import annotations

import enum
from typing import Optional

__all__ = [
    "CaseEvent",
    "CaseStatus",
    "ChargeStatus",
    "Consent",
    "CriminalActivity",
    "Disposition",
    "DrugType",
    "DrugUnit",
    "Flag",
    "HistoryKind",
    "Intercept",
    "InterceptBasis",
    "Level",
    "Need",
    "Pathway",
    "Responder",
    "ServiceKind",
    "Source",
    "Truth",
    "WarningCode",
    "Willing",
]


class _Name(str, enum.Enum):
    """A text enum whose ``str()`` is its value, as in the JSON formats."""

    def __str__(self) -> str:
        return str(self.value)


class Pathway(_Name):
    """The six pathways to treatment: TASC's five and PTACC's Community Response."""

    SELF_REFERRAL = "self_referral"
    """The person walks in or calls, asking for help."""
    ACTIVE_OUTREACH = "active_outreach"
    """An outreach team seeks people out, not tied to an incident."""
    NALOXONE_PLUS = "naloxone_plus"
    """Follow-up by a responder and a partner after an overdose, within a window."""
    FIRST_RESPONDER_REFERRAL = "first_responder_referral"
    """A responder refers during patrol or a call, with no charge (formerly Officer Prevention)."""
    OFFICER_INTERVENTION = "officer_intervention"
    """A law-enforcement officer refers where charges were possible; charges may be held."""
    COMMUNITY_RESPONSE = "community_response"
    """Community responders answer behavioural-health calls instead of police."""

    @classmethod
    def _missing_(cls, value: object) -> Optional[Pathway]:
        # Former names, still read as the core reads them.
        if value == "officer_prevention":
            return cls.FIRST_RESPONDER_REFERRAL
        return None


class Intercept(enum.IntEnum):
    """A point of the Sequential Intercept Model, ordered from community services (0) to community
    corrections (5). Serialised as its number."""

    COMMUNITY_SERVICES = 0
    """0: community services, crisis lines and crisis care without a 911 call."""
    LAW_ENFORCEMENT = 1
    """1: law enforcement and other first responders."""
    INITIAL_DETENTION = 2
    """2: initial detention and first court hearings."""
    JAILS = 3
    """3: jails and courts."""
    REENTRY = 4
    """4: reentry from jail or prison."""
    COMMUNITY_CORRECTIONS = 5
    """5: community corrections: probation and parole."""


class Disposition(_Name):
    """The outcome class of a decision."""

    DEFLECTION = "deflection"
    """A pathway applies and nothing chargeable happened."""
    PRE_ARREST_DIVERSION = "pre_arrest_diversion"
    """A pathway applies in place of an arrest for a chargeable offence."""
    NONE = "none"
    """No pathway applies."""


class Responder(_Name):
    """Who is on scene."""

    LAW_ENFORCEMENT = "law_enforcement"
    """A police officer or deputy."""
    FIRE = "fire"
    """A firefighter."""
    EMS = "ems"
    """Emergency medical services."""
    CO_RESPONDER = "co_responder"
    """An officer paired with a clinician."""
    COMMUNITY_RESPONDER = "community_responder"
    """A civilian crisis or community responder."""
    PEER = "peer"
    """A peer recovery specialist."""


class Source(_Name):
    """How the contact came about."""

    SELF_INITIATED = "self_initiated"
    """The person came in or called on their own."""
    OUTREACH = "outreach"
    """An outreach team made contact."""
    OVERDOSE_FOLLOW_UP = "overdose_follow_up"
    """A follow-up visit after an overdose."""
    CALL_FOR_SERVICE = "call_for_service"
    """A 911 or non-emergency call."""
    ON_VIEW = "on_view"
    """Something a responder saw on patrol."""
    FAMILY_REQUEST = "family_request"
    """A family member or friend asked for help for the person."""


class Need(_Name):
    """What the person may need."""

    SUD = "sud"
    """Substance use disorder."""
    OPIOID_USE = "opioid_use"
    """Opioid use."""
    STIMULANT_USE = "stimulant_use"
    """Stimulant use."""
    ALCOHOL_USE = "alcohol_use"
    """Alcohol use."""
    MENTAL_HEALTH = "mental_health"
    """Mental illness, not in crisis."""
    MENTAL_HEALTH_CRISIS = "mental_health_crisis"
    """A mental-health crisis now."""
    CO_OCCURRING = "co_occurring"
    """Co-occurring substance use and mental illness."""
    HOMELESSNESS = "homelessness"
    """Without stable housing."""
    SEX_WORK = "sex_work"
    """Involved in sex work."""
    TRAFFICKING_VICTIM = "trafficking_victim"
    """A victim of trafficking."""
    SUICIDAL = "suicidal"
    """At risk of suicide."""


class Flag(_Name):
    """Facts on scene that bear on eligibility."""

    ACTIVE_WARRANT = "active_warrant"
    """An outstanding warrant."""
    PENDING_DRUG_CHARGE = "pending_drug_charge"
    """A drug charge already pending."""
    WEAPON = "weapon"
    """A weapon was involved."""
    DOMESTIC_VIOLENCE = "domestic_violence"
    """Domestic violence was involved."""
    VICTIM_PRESENT = "victim_present"
    """A victim is present."""


class Level(_Name):
    """The seriousness of an offence."""

    INFRACTION = "infraction"
    """A civil infraction: not arrestable."""
    MISDEMEANOR = "misdemeanor"
    """A misdemeanour."""
    FELONY = "felony"
    """A felony."""


class Consent(_Name):
    """What the person agreed to share (42 CFR Part 2 consent, as recorded on scene)."""

    NOT_ASKED = "not_asked"
    """Not asked yet."""
    VERBAL = "verbal"
    """Verbal consent."""
    WRITTEN = "written"
    """Written consent."""
    DECLINED = "declined"
    """Consent declined."""
    REVOKED = "revoked"
    """Consent given earlier, now revoked."""


class Willing(_Name):
    """The person's stated willingness to engage with help, as the responder recorded it. This
    is not [`Consent`], which is about sharing information under 42 CFR Part 2: a person
    may be willing to talk to a case manager and still decline to share records."""

    YES = "yes"
    """The person said yes to help."""
    NO = "no"
    """The person declined."""
    UNKNOWN = "unknown"
    """Asked, but no clear answer; rules read it as not recorded."""


class HistoryKind(_Name):
    """What an entry of a person's history records."""

    ARREST = "arrest"
    """An arrest."""
    CHARGE = "charge"
    """A charge filed."""
    CONVICTION = "conviction"
    """A conviction."""
    DIVERSION_ENTERED = "diversion_entered"
    """The person entered a diversion program."""
    DIVERSION_COMPLETED = "diversion_completed"
    """The person completed a diversion program."""
    DIVERSION_FAILED = "diversion_failed"
    """The person left a diversion program without completing it."""
    OVERDOSE = "overdose"
    """An overdose."""
    REFERRAL = "referral"
    """A referral to services."""


class CriminalActivity(_Name):
    """What the person was doing with the thing the offence is about: the criminal-activity
    values of NIBRS Data Element 12. NIBRS records them for drug (`35A`), drug-equipment
    (`35B`), counterfeiting (`250`), stolen-property (`280`), gambling-equipment (`39C`),
    pornography (`370`) and weapon-law (`520`) offences; offramp reads them on any offence."""

    BUYING = "buying"
    """Buying or receiving (`B`)."""
    CULTIVATING = "cultivating"
    """Cultivating, manufacturing or publishing: producing of any kind (`C`)."""
    DISTRIBUTING = "distributing"
    """Distributing or selling (`D`)."""
    EXPLOITING_CHILDREN = "exploiting_children"
    """Exploiting children (`E`)."""
    OPERATING = "operating"
    """Operating, promoting or assisting (`O`)."""
    POSSESSING = "possessing"
    """Possessing or concealing (`P`)."""
    TRANSPORTING = "transporting"
    """Transporting, transmitting or importing (`T`)."""
    USING = "using"
    """Using or consuming (`U`)."""

    @classmethod
    def _missing_(cls, value: object) -> Optional[CriminalActivity]:
        # Former names, still read as the core reads them.
        if value == "B":
            return cls.BUYING
        if value == "C":
            return cls.CULTIVATING
        if value == "D":
            return cls.DISTRIBUTING
        if value == "E":
            return cls.EXPLOITING_CHILDREN
        if value == "O":
            return cls.OPERATING
        if value == "P":
            return cls.POSSESSING
        if value == "T":
            return cls.TRANSPORTING
        if value == "U":
            return cls.USING
        return None


class DrugType(_Name):
    """The suspected drug type: NIBRS Data Element 20."""

    CRACK_COCAINE = "crack_cocaine"
    """Crack cocaine (`A`)."""
    COCAINE = "cocaine"
    """Cocaine in any form but crack (`B`)."""
    HASHISH = "hashish"
    """Hashish (`C`)."""
    HEROIN = "heroin"
    """Heroin (`D`)."""
    MARIJUANA = "marijuana"
    """Marijuana (`E`)."""
    MORPHINE = "morphine"
    """Morphine (`F`)."""
    OPIUM = "opium"
    """Opium (`G`)."""
    OTHER_NARCOTICS = "other_narcotics"
    """Other narcotics, such as codeine, hydrocodone, methadone; fentanyl is read as this
    (`H`)."""
    LSD = "lsd"
    """LSD (`I`)."""
    PCP = "pcp"
    """PCP (`J`)."""
    OTHER_HALLUCINOGENS = "other_hallucinogens"
    """Other hallucinogens, such as MDMA, psilocybin, synthetic cannabinoids (`K`)."""
    AMPHETAMINES = "amphetamines"
    """Amphetamines and methamphetamines (`L`)."""
    OTHER_STIMULANTS = "other_stimulants"
    """Other stimulants, such as khat or synthetic cathinones (`M`)."""
    BARBITURATES = "barbiturates"
    """Barbiturates (`N`)."""
    OTHER_DEPRESSANTS = "other_depressants"
    """Other depressants (`O`)."""
    OTHER_DRUGS = "other_drugs"
    """Other drugs, such as tranquillisers or steroids (`P`)."""
    UNKNOWN = "unknown"
    """A drug whose type is not known yet, for example while a laboratory test is pending
    (`U`)."""
    OVER_THREE_TYPES = "over_three_types"
    """More than three drug types (`X`)."""

    @classmethod
    def _missing_(cls, value: object) -> Optional[DrugType]:
        # Former names, still read as the core reads them.
        if value == "A":
            return cls.CRACK_COCAINE
        if value == "B":
            return cls.COCAINE
        if value == "C":
            return cls.HASHISH
        if value == "D":
            return cls.HEROIN
        if value == "E":
            return cls.MARIJUANA
        if value == "F":
            return cls.MORPHINE
        if value == "G":
            return cls.OPIUM
        if value == "H":
            return cls.OTHER_NARCOTICS
        if value == "I":
            return cls.LSD
        if value == "J":
            return cls.PCP
        if value == "K":
            return cls.OTHER_HALLUCINOGENS
        if value == "L":
            return cls.AMPHETAMINES
        if value == "M":
            return cls.OTHER_STIMULANTS
        if value == "N":
            return cls.BARBITURATES
        if value == "O":
            return cls.OTHER_DEPRESSANTS
        if value == "P":
            return cls.OTHER_DRUGS
        if value == "U":
            return cls.UNKNOWN
        if value == "X":
            return cls.OVER_THREE_TYPES
        return None


class DrugUnit(_Name):
    """The unit of an estimated drug quantity: NIBRS Data Element 22, without `XX` (not
    reported)."""

    GRAM = "gram"
    """Grams (`GM`)."""
    KILOGRAM = "kilogram"
    """Kilograms (`KG`)."""
    OUNCE = "ounce"
    """Ounces, avoirdupois (`OZ`)."""
    POUND = "pound"
    """Pounds, avoirdupois (`LB`)."""
    MILLILITER = "milliliter"
    """Millilitres (`ML`)."""
    LITER = "liter"
    """Litres (`LT`)."""
    FLUID_OUNCE = "fluid_ounce"
    """US fluid ounces (`FO`)."""
    GALLON = "gallon"
    """US gallons (`GL`)."""
    DOSAGE_UNITS = "dosage_units"
    """Dosage units or items, such as pills (`DU`)."""
    PLANTS = "plants"
    """Number of plants (`NP`)."""

    @classmethod
    def _missing_(cls, value: object) -> Optional[DrugUnit]:
        # Former names, still read as the core reads them.
        if value == "GM":
            return cls.GRAM
        if value == "KG":
            return cls.KILOGRAM
        if value == "OZ":
            return cls.OUNCE
        if value == "LB":
            return cls.POUND
        if value == "ML":
            return cls.MILLILITER
        if value == "LT":
            return cls.LITER
        if value == "FO":
            return cls.FLUID_OUNCE
        if value == "GL":
            return cls.GALLON
        if value == "DU":
            return cls.DOSAGE_UNITS
        if value == "NP":
            return cls.PLANTS
        return None


class WarningCode(_Name):
    """The kind of a warning."""

    EXCLUSION_UNKNOWN = "exclusion_unknown"
    """An exclusion could not be checked because a field was not recorded."""
    ATTRIBUTE_UNDECLARED = "attribute_undeclared"
    """The encounter carries an attribute the program does not declare."""
    ATTRIBUTE_TYPE = "attribute_type"
    """An attribute's value has the wrong type for its declaration."""
    GOOD_SAMARITAN = "good_samaritan"
    """Good Samaritan immunity made a drug offence not chargeable."""
    AMNESTY = "amnesty"
    """A program amnesty made an offence not chargeable; the message names the amnesty."""
    AMNESTY_UNKNOWN = "amnesty_unknown"
    """An amnesty could not be checked for an offence because a field was not recorded;
    the offence stays chargeable."""
    VIOLENCE_CONTRADICTS_CODE = "violence_contradicts_code"
    """An offence's recorded `violent` contradicts the code table; the recorded value is
    used."""
    PROTECTIVE_CUSTODY = "protective_custody"
    """Protective custody applies in place of a drunkenness charge."""
    EMERGENCY_HOLD = "emergency_hold"
    """An emergency mental-health evaluation may be needed."""
    RESPONDER_UNKNOWN = "responder_unknown"
    """No responder was recorded, so responder-specific pathways could not be checked."""
    PROVIDER_GAP = "provider_gap"
    """An eligible pathway has no partner that can take the person now."""
    PROGRAM_ENDED = "program_ended"
    """The program has ended (`status = "ended"`): its rules may not describe what is
    offered today."""


class ServiceKind(_Name):
    """The kinds of service offramp matches pathways against."""

    WITHDRAWAL_MANAGEMENT = "withdrawal_management"
    """Withdrawal management (detox)."""
    MOUD = "moud"
    """Medication for opioid use disorder (buprenorphine, methadone, naltrexone)."""
    RESIDENTIAL = "residential"
    """Residential treatment."""
    OUTPATIENT = "outpatient"
    """Outpatient treatment."""
    MENTAL_HEALTH_CRISIS = "mental_health_crisis"
    """Mental-health crisis services (mobile crisis, crisis lines with response)."""
    CRISIS_STABILIZATION = "crisis_stabilization"
    """Crisis stabilization or receiving centres."""
    SHELTER_HOUSING = "shelter_housing"
    """Shelter and housing."""
    CASE_MANAGEMENT = "case_management"
    """Case management."""
    PEER_RECOVERY = "peer_recovery"
    """Peer recovery support."""
    HARM_REDUCTION = "harm_reduction"
    """Harm reduction (syringe services, naloxone distribution)."""
    SEX_WORK_TRAFFICKING = "sex_work_trafficking"
    """Services for people in sex work or who have been trafficked."""


class CaseStatus(_Name):
    """Where a referral stands."""

    REFERRED = "referred"
    """Referred by the responder; the service has not answered yet."""
    ACCEPTED = "accepted"
    """The service took the referral on."""
    DECLINED = "declined"
    """The referral was turned down, by the person or by the service.
    Terminal."""
    WARM_HANDOFF = "warm_handoff"
    """The responder handed the person over to the service in person."""
    ENGAGED = "engaged"
    """The person is taking part in the service."""
    IN_TREATMENT = "in_treatment"
    """The person has started treatment."""
    COMPLETED = "completed"
    """The person finished the programme. Terminal."""
    DISENGAGED = "disengaged"
    """The person stopped taking part; they may re-engage later."""


class ChargeStatus(_Name):
    """Where held charges stand."""

    HELD = "held"
    """Charges are held while the referral runs."""
    DROPPED = "dropped"
    """Charges were dropped after the referral was completed. Terminal."""
    FILED = "filed"
    """Charges were filed. Terminal."""


class CaseEvent(_Name):
    """Something that happens to a case."""

    ACCEPT = "accept"
    """The service takes the referral on."""
    DECLINE = "decline"
    """The referral is turned down."""
    WARM_HANDOFF = "warm_handoff"
    """The responder hands the person over in person."""
    ENGAGE = "engage"
    """The person starts taking part."""
    START_TREATMENT = "start_treatment"
    """The person starts treatment."""
    COMPLETE = "complete"
    """The person finishes the programme."""
    DISENGAGE = "disengage"
    """The person stops taking part."""
    RE_ENGAGE = "re_engage"
    """A person who had disengaged comes back."""
    DROP_CHARGES = "drop_charges"
    """Held charges are dropped (needs a completed referral)."""
    FILE_CHARGES = "file_charges"
    """Held charges are filed (needs a declined or disengaged referral, or
    the hold deadline to have been reached)."""


class InterceptBasis(_Name):
    """How an encounter's intercept was decided: the rule [`Encounter::derived_intercept`]
    followed, so a reader can see why a decision sits where it does."""

    GIVEN = "given"
    """The encounter gave its intercept."""
    POLICE_RESPONDER = "police_responder"
    """A police officer was on scene: police contact."""
    CO_RESPONDER = "co_responder"
    """An officer and a clinician responded together: police contact."""
    CALL_FOR_SERVICE = "call_for_service"
    """Fire or EMS answered a call for service: counted as police contact."""
    COMMUNITY_RESPONDER = "community_responder"
    """A community responder (peer, clinician, fire or EMS outside a call for service):
    community services."""
    ASSUMED_POLICE = "assumed_police"
    """No responder was recorded, but the contact came from a call for service or an
    officer's own observation: assumed police contact."""
    ASSUMED_COMMUNITY = "assumed_community"
    """No responder was recorded and nothing points at police: assumed community services."""


class Truth(_Name):
    """Three-valued truth: a clause holds, does not hold, or cannot be decided because a
    value it reads was not recorded."""

    TRUE = "true"
    """The clause holds."""
    FALSE = "false"
    """The clause does not hold."""
    UNKNOWN = "unknown"
    """A value the clause reads was not recorded."""
