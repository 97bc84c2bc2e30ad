//! The scenario's defaults: a LEAD-like county, used for every field a scenario file leaves
//! out. Each block is the `Default` of one section of the file.

use super::*;
fn map<K: Ord, const N: usize>(pairs: [(K, f64); N]) -> BTreeMap<K, f64> {
    pairs.into_iter().collect()
}

impl Default for Scenario {
    fn default() -> Self {
        use Source as S;
        Scenario {
            scenario: ScenarioInfo::default(),
            // Per 1,000 people per day: 4, 2, 0.5 and 0.5 a day for the default 10,000.
            contacts: map([
                (S::CallForService, 0.4),
                (S::OnView, 0.2),
                (S::SelfInitiated, 0.05),
                (S::Outreach, 0.05),
            ]),
            contacts_per_day: BTreeMap::new(),
            responders: default_responders(),
            needs: map([
                (Need::Sud, 0.55),
                (Need::OpioidUse, 0.30),
                (Need::StimulantUse, 0.20),
                (Need::AlcoholUse, 0.15),
                (Need::MentalHealth, 0.30),
                (Need::MentalHealthCrisis, 0.08),
                (Need::CoOccurring, 0.15),
                (Need::Homelessness, 0.25),
                (Need::SexWork, 0.05),
                (Need::TraffickingVictim, 0.01),
                (Need::Suicidal, 0.02),
            ]),
            offenses: OffenseMix::default(),
            flags: map([
                (Flag::ActiveWarrant, 0.05),
                (Flag::PendingDrugCharge, 0.03),
                (Flag::Weapon, 0.02),
                (Flag::DomesticViolence, 0.02),
                (Flag::VictimPresent, 0.03),
            ]),
            consent: map([(Consent::Verbal, 0.9), (Consent::Declined, 0.1)]),
            willing: BTreeMap::new(),
            attributes: BTreeMap::new(),
            overdoses: Overdoses::default(),
            ages: vec![
                AgeBand {
                    min: 16,
                    max: 17,
                    share: 0.03,
                },
                AgeBand {
                    min: 18,
                    max: 24,
                    share: 0.15,
                },
                AgeBand {
                    min: 25,
                    max: 34,
                    share: 0.30,
                },
                AgeBand {
                    min: 35,
                    max: 44,
                    share: 0.25,
                },
                AgeBand {
                    min: 45,
                    max: 64,
                    share: 0.24,
                },
                AgeBand {
                    min: 65,
                    max: 80,
                    share: 0.03,
                },
            ],
            equity: Equity::default(),
            behaviour: Behaviour::default(),
            justice: Justice::default(),
            providers: Providers::default(),
            costs: Costs::default(),
            replay: None,
            places: None,
        }
    }
}

fn default_responders() -> BTreeMap<Source, BTreeMap<Responder, f64>> {
    use Responder as R;
    use Source as S;
    BTreeMap::from([
        (
            S::CallForService,
            map([(R::LawEnforcement, 0.85), (R::Ems, 0.15)]),
        ),
        (S::OnView, map([(R::LawEnforcement, 1.0)])),
        (
            S::SelfInitiated,
            map([(R::LawEnforcement, 0.5), (R::Fire, 0.5)]),
        ),
        (S::Outreach, map([(R::CoResponder, 0.6), (R::Peer, 0.4)])),
        (
            S::OverdoseFollowUp,
            map([(R::CoResponder, 0.5), (R::Peer, 0.5)]),
        ),
    ])
}

impl Default for OffenseMix {
    fn default() -> Self {
        let code = |c: &str| NibrsCode::parse(c);
        let mut mix = Vec::new();
        for (c, share, misd, violent) in [
            ("35A", 0.35, 0.8, 0.0),
            ("35B", 0.10, 1.0, 0.0),
            ("40A", 0.05, 1.0, 0.0),
            ("90C", 0.15, 1.0, 0.05),
            ("90J", 0.10, 1.0, 0.0),
            ("23C", 0.15, 0.9, 0.0),
            ("13B", 0.10, 0.9, 1.0),
        ] {
            if let Ok(nibrs) = code(c) {
                mix.push(OffenseShare {
                    nibrs,
                    share,
                    levels: map([(Level::Misdemeanor, misd), (Level::Felony, 1.0 - misd)]),
                    violent,
                });
            }
        }
        OffenseMix {
            probability: map([(Source::CallForService, 0.35), (Source::OnView, 0.6)]),
            mix,
        }
    }
}

impl Default for Overdoses {
    fn default() -> Self {
        Overdoses {
            // About one a day among the default 10,000 people, 30% of whom use opioids.
            per_1000: 0.33,
            per_day: 0.0,
            needs: vec![Need::OpioidUse],
            fatal: 0.05,
            naloxone: 0.85,
            repeat_within_year: 0.3,
            follow_up: FollowUp::default(),
        }
    }
}

impl Default for FollowUp {
    fn default() -> Self {
        FollowUp {
            attempt: 1.0,
            contact: 0.5,
            min_hours: 6.0,
            max_hours: 66.0,
            responders: map([(Responder::CoResponder, 0.5), (Responder::Peer, 0.5)]),
        }
    }
}

impl Default for Equity {
    fn default() -> Self {
        let g = |name: &str, share| Group {
            name: name.into(),
            share,
            contact_ratio: 1.0,
            accept_ratio: 1.0,
        };
        Equity {
            attribute: "race".into(),
            reference: "white".into(),
            groups: vec![g("white", 0.6), g("black", 0.25), g("other", 0.15)],
        }
    }
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            offer: ByPathway::all(0.945),
            accept: Accept::default(),
            engage: ByPathway::all(0.9),
            retained_30: ByPathway::all(0.88),
            retained_90: ByPathway::all(0.56),
            recontact_within_year: 0.5,
            engaged_contact_ratio: 0.5,
            engaged_overdose_ratio: 0.5,
            history_checked: 1.0,
        }
    }
}

impl Default for Justice {
    fn default() -> Self {
        Justice {
            arrest: map([
                (Level::Infraction, 0.0),
                (Level::Misdemeanor, 0.6),
                (Level::Felony, 0.9),
            ]),
            jail: map([
                (Level::Infraction, 0.0),
                (Level::Misdemeanor, 0.5),
                (Level::Felony, 0.8),
            ]),
            jail_days: map([
                (Level::Infraction, 0.0),
                (Level::Misdemeanor, 4.0),
                (Level::Felony, 30.0),
            ]),
            file_on_failed_hold: 1.0,
            overdose_after_release: 0.05,
        }
    }
}

impl Default for Providers {
    fn default() -> Self {
        use ServiceKind as K;
        Providers {
            default_capacity: None,
            waitlist: 20,
            max_wait_days: 14.0,
            intake_delay_hours: 24.0,
            service_days: map([
                (K::WithdrawalManagement, 5.0),
                (K::Moud, 180.0),
                (K::Residential, 30.0),
                (K::Outpatient, 90.0),
                (K::MentalHealthCrisis, 1.0),
                (K::CrisisStabilization, 3.0),
                (K::ShelterHousing, 30.0),
                (K::CaseManagement, 180.0),
                (K::PeerRecovery, 90.0),
                (K::HarmReduction, 1.0),
                (K::SexWorkTrafficking, 90.0),
            ]),
            default_service_days: 90.0,
            initial_occupancy: true,
            services: Vec::new(),
        }
    }
}

impl Default for Costs {
    fn default() -> Self {
        Costs {
            booking: 500.0,
            jail_day: 120.0,
            treatment_episode: 3_000.0,
            officer_hour: 60.0,
            encounter_hours: 0.75,
            referral_hours: 0.5,
            arrest_hours: 3.0,
        }
    }
}
