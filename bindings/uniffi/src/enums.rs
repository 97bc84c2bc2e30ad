//! The core's vocabularies as uniffi enums, converted both ways at the edge.

/// Declares an enum that mirrors a core enum variant for variant, the conversions both ways, and
/// its `json_name()` (the snake_case word of the JSON, TOML and rules).
macro_rules! mirror {
    (
        $(#[$meta:meta])*
        $name:ident = $core:path {
            $( $(#[$vmeta:meta])* $variant:ident ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl From<$core> for $name {
            fn from(v: $core) -> Self {
                use $core as C;
                match v {
                    $( C::$variant => $name::$variant, )+
                }
            }
        }

        impl From<$name> for $core {
            fn from(v: $name) -> Self {
                use $core as C;
                match v {
                    $( $name::$variant => C::$variant, )+
                }
            }
        }

        #[uniffi::export]
        impl $name {
            /// The snake_case name used in JSON, TOML and rules.
            pub fn json_name(&self) -> String {
                <$core>::from(*self).as_str().to_string()
            }
        }
    };
}

mirror! {
    /// The six pathways to treatment: TASC's five and PTACC's Community Response.
    Pathway = offramp::Pathway {
        /// The person walks in or calls, asking for help.
        SelfReferral,
        /// An outreach team seeks people out, not tied to an incident.
        ActiveOutreach,
        /// Follow-up by a responder and a partner after an overdose, within a window.
        NaloxonePlus,
        /// A responder refers during patrol or a call, with no charge (formerly Officer Prevention).
        FirstResponderReferral,
        /// A law-enforcement officer refers where charges were possible; charges may be held.
        OfficerIntervention,
        /// Community responders answer behavioural-health calls instead of police.
        CommunityResponse,
    }
}

mirror! {
    /// Who is on scene.
    Responder = offramp::Responder {
        /// A police officer or deputy.
        LawEnforcement,
        /// A firefighter.
        Fire,
        /// Emergency medical services.
        Ems,
        /// An officer paired with a clinician.
        CoResponder,
        /// A civilian crisis or community responder.
        CommunityResponder,
        /// A peer recovery specialist.
        Peer,
    }
}

mirror! {
    /// How the contact came about.
    Source = offramp::Source {
        /// The person came in or called on their own.
        SelfInitiated,
        /// An outreach team made contact.
        Outreach,
        /// A follow-up visit after an overdose.
        OverdoseFollowUp,
        /// A 911 or non-emergency call.
        CallForService,
        /// Something a responder saw on patrol.
        OnView,
        /// A family member or friend asked for help for the person.
        FamilyRequest,
    }
}

mirror! {
    /// What the person may need.
    Need = offramp::Need {
        /// Substance use disorder.
        Sud,
        /// Opioid use.
        OpioidUse,
        /// Stimulant use.
        StimulantUse,
        /// Alcohol use.
        AlcoholUse,
        /// Mental illness, not in crisis.
        MentalHealth,
        /// A mental-health crisis now.
        MentalHealthCrisis,
        /// Co-occurring substance use and mental illness.
        CoOccurring,
        /// Without stable housing.
        Homelessness,
        /// Involved in sex work.
        SexWork,
        /// A victim of trafficking.
        TraffickingVictim,
        /// At risk of suicide.
        Suicidal,
    }
}

mirror! {
    /// Facts on scene that bear on eligibility.
    Flag = offramp::Flag {
        /// An outstanding warrant.
        ActiveWarrant,
        /// A drug charge already pending.
        PendingDrugCharge,
        /// A weapon was involved.
        Weapon,
        /// Domestic violence was involved.
        DomesticViolence,
        /// A victim is present.
        VictimPresent,
    }
}

mirror! {
    /// The seriousness of an offence.
    Level = offramp::Level {
        /// A civil infraction: not arrestable.
        Infraction,
        /// A misdemeanour.
        Misdemeanor,
        /// A felony.
        Felony,
    }
}

mirror! {
    /// What the person agreed to share (42 CFR Part 2 consent, as recorded on scene).
    Consent = offramp::Consent {
        /// Not asked yet.
        NotAsked,
        /// Verbal consent.
        Verbal,
        /// Written consent.
        Written,
        /// Consent declined.
        Declined,
        /// Consent given earlier, now revoked.
        Revoked,
    }
}

mirror! {
    /// The outcome class of a decision.
    Disposition = offramp::Disposition {
        /// A pathway applies and nothing chargeable happened.
        Deflection,
        /// A pathway applies in place of an arrest for a chargeable offence.
        PreArrestDiversion,
        /// No pathway applies.
        None,
    }
}

mirror! {
    /// The kind of a warning in a decision.
    WarningCode = offramp::WarningCode {
        /// An exclusion could not be checked because a field was not recorded.
        ExclusionUnknown,
        /// The encounter carries an attribute the program does not declare.
        AttributeUndeclared,
        /// An attribute's value has the wrong type for its declaration.
        AttributeType,
        /// Good Samaritan immunity made a drug offence not chargeable.
        GoodSamaritan,
        /// A program amnesty made an offence not chargeable; the message names the amnesty.
        Amnesty,
        /// An amnesty could not be checked for an offence because a field was not recorded;
        /// the offence stays chargeable.
        AmnestyUnknown,
        /// An offence's recorded `violent` contradicts the code table; the recorded value is
        /// used.
        ViolenceContradictsCode,
        /// Protective custody applies in place of a drunkenness charge.
        ProtectiveCustody,
        /// An emergency mental-health evaluation may be needed.
        EmergencyHold,
        /// No responder was recorded, so responder-specific pathways could not be checked.
        ResponderUnknown,
        /// An eligible pathway has no partner that can take the person now.
        ProviderGap,
        /// The program has ended: its rules may not describe what is offered today.
        ProgramEnded,
    }
}

mirror! {
    /// What an entry of a person's history records.
    HistoryKind = offramp::HistoryKind {
        /// An arrest.
        Arrest,
        /// A charge filed.
        Charge,
        /// A conviction.
        Conviction,
        /// The person entered a diversion program.
        DiversionEntered,
        /// The person completed a diversion program.
        DiversionCompleted,
        /// The person left a diversion program without completing it.
        DiversionFailed,
        /// An overdose.
        Overdose,
        /// A referral to services.
        Referral,
    }
}

mirror! {
    /// The person's stated willingness to engage with help (not the same as consent).
    Willing = offramp::Willing {
        /// The person said yes to help.
        Yes,
        /// The person declined.
        No,
        /// Asked, but no clear answer; rules read it as not recorded.
        Unknown,
    }
}

mirror! {
    /// What the person was doing: NIBRS type of criminal activity (letter code in the docs).
    CriminalActivity = offramp::nibrs::CriminalActivity {
        /// Buying or receiving (`B`).
        Buying,
        /// Cultivating, manufacturing or publishing (`C`).
        Cultivating,
        /// Distributing or selling (`D`).
        Distributing,
        /// Exploiting children (`E`).
        ExploitingChildren,
        /// Operating, promoting or assisting (`O`).
        Operating,
        /// Possessing or concealing (`P`).
        Possessing,
        /// Transporting, transmitting or importing (`T`).
        Transporting,
        /// Using or consuming (`U`).
        Using,
    }
}

mirror! {
    /// The suspected drug type: NIBRS Data Element 20.
    DrugType = offramp::nibrs::DrugType {
        /// Crack cocaine (`A`).
        CrackCocaine,
        /// Cocaine in any form but crack (`B`).
        Cocaine,
        /// Hashish (`C`).
        Hashish,
        /// Heroin (`D`).
        Heroin,
        /// Marijuana (`E`).
        Marijuana,
        /// Morphine (`F`).
        Morphine,
        /// Opium (`G`).
        Opium,
        /// Other narcotics; fentanyl is read as this (`H`).
        OtherNarcotics,
        /// LSD (`I`).
        Lsd,
        /// PCP (`J`).
        Pcp,
        /// Other hallucinogens (`K`).
        OtherHallucinogens,
        /// Amphetamines and methamphetamines (`L`).
        Amphetamines,
        /// Other stimulants (`M`).
        OtherStimulants,
        /// Barbiturates (`N`).
        Barbiturates,
        /// Other depressants (`O`).
        OtherDepressants,
        /// Other drugs (`P`).
        OtherDrugs,
        /// Not known yet (`U`).
        Unknown,
        /// More than three drug types (`X`).
        OverThreeTypes,
    }
}

mirror! {
    /// The unit of an estimated drug quantity: NIBRS Data Element 22.
    DrugUnit = offramp::nibrs::DrugUnit {
        /// Grams (`GM`).
        Gram,
        /// Kilograms (`KG`).
        Kilogram,
        /// Ounces (`OZ`).
        Ounce,
        /// Pounds (`LB`).
        Pound,
        /// Millilitres (`ML`).
        Milliliter,
        /// Litres (`LT`).
        Liter,
        /// US fluid ounces (`FO`).
        FluidOunce,
        /// US gallons (`GL`).
        Gallon,
        /// Dosage units or items (`DU`).
        DosageUnits,
        /// Number of plants (`NP`).
        Plants,
    }
}

mirror! {
    /// Where a referral stands.
    CaseStatus = offramp::case::CaseStatus {
        /// Referred by the responder; the service has not answered yet.
        Referred,
        /// The service took the referral on.
        Accepted,
        /// The referral was turned down, by the person or by the service. Terminal.
        Declined,
        /// The responder handed the person over to the service in person.
        WarmHandoff,
        /// The person is taking part in the service.
        Engaged,
        /// The person has started treatment.
        InTreatment,
        /// The person finished the programme. Terminal.
        Completed,
        /// The person stopped taking part; they may re-engage later.
        Disengaged,
    }
}

mirror! {
    /// Where held charges stand.
    ChargeStatus = offramp::case::ChargeStatus {
        /// Charges are held while the referral runs.
        Held,
        /// Charges were dropped after the referral was completed. Terminal.
        Dropped,
        /// Charges were filed. Terminal.
        Filed,
    }
}

mirror! {
    /// Something that happens to a case.
    CaseEvent = offramp::case::CaseEvent {
        /// The service takes the referral on.
        Accept,
        /// The referral is turned down.
        Decline,
        /// The responder hands the person over in person.
        WarmHandoff,
        /// The person starts taking part.
        Engage,
        /// The person starts treatment.
        StartTreatment,
        /// The person finishes the programme.
        Complete,
        /// The person stops taking part.
        Disengage,
        /// A person who had disengaged comes back.
        ReEngage,
        /// Held charges are dropped (needs a completed referral).
        DropCharges,
        /// Held charges are filed (needs a declined or disengaged referral, or the hold deadline
        /// to have been reached).
        FileCharges,
    }
}

/// A point of the Sequential Intercept Model, from community services (0) to community
/// corrections (5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Intercept {
    /// 0: community services, crisis lines and crisis care without a 911 call.
    CommunityServices,
    /// 1: law enforcement and other first responders.
    LawEnforcement,
    /// 2: initial detention and first court hearings.
    InitialDetention,
    /// 3: jails and courts.
    Jails,
    /// 4: reentry from jail or prison.
    Reentry,
    /// 5: community corrections: probation and parole.
    CommunityCorrections,
}

impl From<offramp::Intercept> for Intercept {
    fn from(v: offramp::Intercept) -> Self {
        use offramp::Intercept as C;
        match v {
            C::CommunityServices => Intercept::CommunityServices,
            C::LawEnforcement => Intercept::LawEnforcement,
            C::InitialDetention => Intercept::InitialDetention,
            C::Jails => Intercept::Jails,
            C::Reentry => Intercept::Reentry,
            C::CommunityCorrections => Intercept::CommunityCorrections,
        }
    }
}

impl From<Intercept> for offramp::Intercept {
    fn from(v: Intercept) -> Self {
        use offramp::Intercept as C;
        match v {
            Intercept::CommunityServices => C::CommunityServices,
            Intercept::LawEnforcement => C::LawEnforcement,
            Intercept::InitialDetention => C::InitialDetention,
            Intercept::Jails => C::Jails,
            Intercept::Reentry => C::Reentry,
            Intercept::CommunityCorrections => C::CommunityCorrections,
        }
    }
}

#[uniffi::export]
impl Intercept {
    /// The intercept's number, 0 to 5.
    pub fn number(&self) -> u8 {
        offramp::Intercept::from(*self).number()
    }

    /// A short English name, such as "law enforcement".
    pub fn describe(&self) -> String {
        offramp::Intercept::from(*self).name().to_string()
    }
}

/// The intercept with this number (0 to 5), or nothing.
#[uniffi::export]
pub fn intercept_from_number(number: u8) -> Option<Intercept> {
    offramp::Intercept::from_number(number).map(Intercept::from)
}

mirror! {
    /// How an encounter's intercept was decided: given by it, or read from who responded.
    InterceptBasis = offramp::InterceptBasis {
        /// The encounter gave its intercept.
        Given,
        /// A police officer was on scene: police contact.
        PoliceResponder,
        /// An officer and a clinician responded together: police contact.
        CoResponder,
        /// Fire or EMS answered a call for service: counted as police contact.
        CallForService,
        /// A community responder, no police: community services.
        CommunityResponder,
        /// No responder recorded, but a call for service or an officer's own observation:
        /// assumed police contact.
        AssumedPolice,
        /// No responder recorded and nothing points at police: assumed community services.
        AssumedCommunity,
    }
}

mirror! {
    /// Three-valued truth: a clause holds, does not hold, or cannot be decided because a
    /// value it reads was not recorded.
    Truth = offramp::Truth {
        /// The clause holds.
        True,
        /// The clause does not hold.
        False,
        /// A value the clause reads was not recorded.
        Unknown,
    }
}
