//! Drawing one random history from its seed: a world (size, DirSync's configuration, the
//! tenant), an operator's steps (a documented order of one path, bent by wrong moves the
//! engine must refuse, with churn, waits and sync cycles at random places) and faults at random
//! times. Every draw comes from `rng_for(seed, "explore-history-N")`, so history N is the same
//! whatever else the exploration draws.

use super::history::{
    FaultDraw, History, ROOT_DOMAIN, SECOND_DOMAIN, UpgradePath, When, WorldDraw,
};
use crate::format::{
    AzureAdCredentialChoice, CrashPhase, EnterpriseAdminChoice, FaultKind, ServerRef,
    ServiceAccountSection, SqlChoiceSection, Step,
};
use rand::RngExt;
use upgrade_lab_simulator::generate::{DirectorySpec, generate};
use upgrade_lab_simulator::rng::{SimRng, rng_for};

/// The fault kinds the scenario format can inject, each drawn as often as the others.
pub const FAULT_KINDS: [FaultKind; 9] = [
    FaultKind::EndpointUnreachable,
    FaultKind::Proxy407,
    FaultKind::Proxy403,
    FaultKind::BadCredentials,
    FaultKind::ExpiredCredentials,
    FaultKind::SqlDown,
    FaultKind::Crash,
    FaultKind::Throttling,
    FaultKind::AdConnectorCredentials,
];

/// What an exploration may draw.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The largest directory (users + groups + contacts).
    pub max_objects: u32,
    /// `None`: either path, drawn per history.
    pub path: Option<UpgradePath>,
}

/// History `number` of the exploration seeded `seed`.
pub fn history(seed: u64, number: u64, limits: Limits) -> History {
    let mut rng = rng_for(seed, &format!("explore-history-{number}"));
    let path = limits.path.unwrap_or(if rng.random_bool(0.5) {
        UpgradePath::InPlace
    } else {
        UpgradePath::Parallel
    });
    let world = world(&mut rng, limits.max_objects);
    let mut steps = match path {
        UpgradePath::InPlace => in_place(&mut rng, &world),
        UpgradePath::Parallel => parallel(&mut rng),
    };
    operator_noise(&mut rng, &mut steps, &world);
    if rng.random_bool(0.35) {
        wrong_move(&mut rng, &mut steps, path);
    }
    // Time for the last changes to reach the tenant, so the end state is judged converged.
    steps.push(Step::Wait {
        id: None,
        minutes: rng.random_range(120..=480),
    });
    name_steps(&mut steps);
    let faults = faults(&mut rng, &steps);
    History {
        number,
        explore_seed: seed,
        seed: rng.random(),
        path,
        world,
        steps,
        faults,
        step_outcomes: Vec::new(),
    }
}

/// A size between 0 and `max`, small ones as likely as large ones (log-uniform).
fn size(rng: &mut SimRng, max: u32) -> u32 {
    let bits = 32 - max.leading_zeros();
    let cap = 1u64 << rng.random_range(0..=bits);
    u32::try_from(rng.random_range(0..cap)).map_or(max, |n| n.min(max))
}

fn world(rng: &mut SimRng, max_objects: u32) -> WorldDraw {
    let total = size(rng, max_objects);
    let users = total * 7 / 10;
    let groups = total * 2 / 10;
    let contacts = total - users - groups;
    let mut w = WorldDraw {
        seed: rng.random(),
        users,
        groups,
        contacts,
        two_domains: rng.random_bool(0.3),
        full_sql: rng.random_bool(0.2),
        password_sync: rng.random_bool(0.7),
        alternate_id: rng.random_bool(0.2),
        root_domain_only: false,
        included_ou: None,
        excluded_ou: None,
        no_sync_users: 0,
        no_sync_filter: false,
        invalid_upns: 0,
        dar: rng.random_bool(0.8),
        cloud_only_users: if rng.random_bool(0.3) {
            rng.random_range(1..=20)
        } else {
            0
        },
        cloud_only_groups: if rng.random_bool(0.2) {
            rng.random_range(1..=5)
        } else {
            0
        },
    };
    w.root_domain_only = w.two_domains && rng.random_bool(0.4);
    // The generator plants these on regular users: a quarter of them at most each.
    if users >= 8 && rng.random_bool(0.25) {
        w.no_sync_users = rng.random_range(1..=(users / 4).min(50));
        w.no_sync_filter = rng.random_bool(0.8);
    }
    if users >= 8 && rng.random_bool(0.25) {
        w.invalid_upns = rng.random_range(1..=(users / 4).min(5));
    }
    if users > 0 && rng.random_bool(0.25) {
        ou_filter(rng, &mut w);
    }
    w
}

/// An OU filter naming an OU the generated directory has.
fn ou_filter(rng: &mut SimRng, w: &mut WorldDraw) {
    let mut domains = vec![ROOT_DOMAIN.to_string()];
    if w.two_domains {
        domains.push(SECOND_DOMAIN.to_string());
    }
    let spec = DirectorySpec {
        seed: w.seed,
        users: w.users,
        groups: w.groups,
        contacts: w.contacts,
        domains,
        no_sync_users: w.no_sync_users,
        defects: upgrade_lab_simulator::generate::PlantedDefects {
            invalid_upns: w.invalid_upns,
            ..Default::default()
        },
        ..DirectorySpec::default()
    };
    let Ok(directory) = generate(&spec) else {
        return;
    };
    let ous = &directory.organizational_units;
    if ous.is_empty() {
        return;
    }
    let ou = ous[rng.random_range(0..ous.len())].dn.to_string();
    if rng.random_bool(0.5) {
        w.excluded_ou = Some(ou);
    } else {
        w.included_ou = Some(ou);
    }
}

fn in_place(rng: &mut SimRng, w: &WorldDraw) -> Vec<Step> {
    let mut steps = vec![Step::Analyze { id: None }];
    if rng.random_bool(0.5) {
        steps.push(Step::CheckPrerequisites {
            id: None,
            server: ServerRef::Dirsync,
        });
    }
    steps.push(Step::UpgradeInPlace {
        id: None,
        continue_anyway: w.objects() >= 50_000,
        // A remote full SQL Server needs a domain account for the new sync service.
        service_account: if w.full_sql {
            ServiceAccountSection::Domain
        } else {
            ServiceAccountSection::Virtual
        },
        azure_ad: AzureAdCredentialChoice::DirsyncAccount,
        enterprise_admin: EnterpriseAdminChoice::Valid,
    });
    steps
}

fn parallel(rng: &mut SimRng) -> Vec<Step> {
    let mut steps = vec![
        Step::Analyze { id: None },
        Step::ExportSettings {
            id: None,
            force: true,
        },
    ];
    if rng.random_bool(0.5) {
        steps.push(Step::CheckPrerequisites {
            id: None,
            server: ServerRef::Connect,
        });
    }
    steps.push(install_parallel(
        SqlChoiceSection::Localdb,
        rng.random_bool(0.9),
    ));
    steps.push(Step::Wait {
        id: None,
        minutes: rng.random_range(30..=240),
    });
    steps.push(Step::VerifyStaging { id: None });
    steps.push(if rng.random_bool(0.5) {
        Step::UninstallDirsync { id: None }
    } else {
        Step::DisableDirsync { id: None }
    });
    steps.push(Step::DisableStaging {
        id: None,
        azure_ad: AzureAdCredentialChoice::DirsyncAccount,
    });
    steps
}

fn install_parallel(sql: SqlChoiceSection, start_sync: bool) -> Step {
    Step::InstallParallel {
        id: None,
        sql,
        sql_server: None,
        sql_instance: None,
        service_account: ServiceAccountSection::Virtual,
        start_sync,
        install_location: None,
        azure_ad: AzureAdCredentialChoice::DirsyncAccount,
        enterprise_admin: EnterpriseAdminChoice::Valid,
    }
}

/// Churn, waits and sync cycles started by hand, at random places.
fn operator_noise(rng: &mut SimRng, steps: &mut Vec<Step>, w: &WorldDraw) {
    for _ in 0..rng.random_range(0..=3) {
        let users = u64::from(w.users);
        let step = match rng.random_range(0..3) {
            // At least one add: a churn that changes nothing is refused by the loader.
            0 => Step::Churn {
                id: None,
                adds: rng.random_range(1..=users / 20 + 3),
                updates: rng.random_range(0..=users / 10),
                deletes: rng.random_range(0..=users / 20),
            },
            1 => Step::Wait {
                id: None,
                minutes: rng.random_range(5..=240),
            },
            _ => Step::RunCycle {
                id: None,
                server: ServerRef::Connect,
                count: rng.random_range(1..=2),
            },
        };
        let at = rng.random_range(0..=steps.len());
        steps.insert(at, step);
    }
}

/// One move off the documented order: a step the engine must refuse, a step swapped with its
/// neighbour, a step left out, or DirSync started again by hand.
fn wrong_move(rng: &mut SimRng, steps: &mut Vec<Step>, path: UpgradePath) {
    let n = steps.len();
    match rng.random_range(0..4) {
        0 if n >= 2 => {
            let i = rng.random_range(0..n - 1);
            steps.swap(i, i + 1);
        }
        1 if n >= 1 => {
            steps.remove(rng.random_range(0..n));
        }
        _ => {
            let step = wrong_step(rng, path);
            steps.insert(rng.random_range(0..=n), step);
        }
    }
}

fn wrong_step(rng: &mut SimRng, path: UpgradePath) -> Step {
    match rng.random_range(0..9) {
        0 => Step::RerunInstaller { id: None },
        1 => Step::EnableDirsync { id: None },
        2 => Step::Rollback { id: None },
        3 => Step::DisableStaging {
            id: None,
            azure_ad: AzureAdCredentialChoice::DirsyncAccount,
        },
        4 => Step::UninstallDirsync { id: None },
        5 => install_parallel(SqlChoiceSection::DirsyncInstance, true),
        6 => Step::ExportSettings {
            id: None,
            force: false,
        },
        7 => Step::VerifyStaging { id: None },
        _ => match path {
            // The other path's install on top of this one.
            UpgradePath::InPlace => install_parallel(SqlChoiceSection::Localdb, true),
            UpgradePath::Parallel => Step::UpgradeInPlace {
                id: None,
                continue_anyway: true,
                service_account: ServiceAccountSection::Virtual,
                azure_ad: AzureAdCredentialChoice::DirsyncAccount,
                enterprise_admin: EnterpriseAdminChoice::Valid,
            },
        },
    }
}

/// Gives every step the id `s1`, `s2`, … in drawn order; ids stay with their steps while a
/// failure is shrunk.
fn name_steps(steps: &mut [Step]) {
    for (i, step) in steps.iter_mut().enumerate() {
        *step.id_mut() = Some(format!("s{}", i + 1));
    }
}

/// Up to three faults of any kind, at a simulated minute or around a random step.
fn faults(rng: &mut SimRng, steps: &[Step]) -> Vec<FaultDraw> {
    let count = match rng.random_range(0..10) {
        0..=4 => 0,
        5..=7 => 1,
        8 => 2,
        _ => 3,
    };
    (0..count).map(|_| fault(rng, steps)).collect()
}

fn fault(rng: &mut SimRng, steps: &[Step]) -> FaultDraw {
    let kind = FAULT_KINDS[rng.random_range(0..FAULT_KINDS.len())];
    let step = steps[rng.random_range(0..steps.len())].name().to_string();
    let when = match rng.random_range(0..4) {
        0 => When::AtMinutes(rng.random_range(0..=600)),
        1 => When::Before(step),
        2 => When::After(step),
        _ => When::During(step),
    };
    // A crash during a step strikes inside a run half the time.
    let phase =
        (kind == FaultKind::Crash && matches!(when, When::During(_)) && rng.random_bool(0.5))
            .then(|| CrashPhase::ALL[rng.random_range(0..CrashPhase::ALL.len())]);
    FaultDraw {
        kind,
        phase,
        server: if rng.random_bool(0.6) {
            ServerRef::Connect
        } else {
            ServerRef::Dirsync
        },
        when,
        for_minutes: if rng.random_bool(0.85) {
            Some(rng.random_range(1..=240))
        } else {
            None
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_objects: 2_000,
        path: None,
    };

    #[test]
    fn a_history_is_its_seed_and_number() {
        let a = history(9, 41, LIMITS);
        let b = history(9, 41, LIMITS);
        let c = history(9, 42, LIMITS);
        assert_eq!(a.to_toml("x"), b.to_toml("x"));
        assert_ne!(a.to_toml("x"), c.to_toml("x"));
    }

    #[test]
    fn draws_stay_inside_the_limits_and_name_every_step() {
        for n in 0..300 {
            let h = history(3, n, LIMITS);
            assert!(h.world.objects() <= 2_000, "history {n}");
            for (i, s) in h.steps.iter().enumerate() {
                assert_eq!(s.explicit_id(), Some(format!("s{}", i + 1).as_str()));
            }
            let ids: Vec<&str> = h
                .steps
                .iter()
                .map(crate::format::steps::Step::name)
                .collect();
            for f in &h.faults {
                if let Some(s) = f.when.step() {
                    assert!(ids.contains(&s), "history {n}: fault names {s}");
                }
            }
        }
    }

    #[test]
    fn a_fixed_path_is_kept() {
        let limits = Limits {
            max_objects: 100,
            path: Some(UpgradePath::InPlace),
        };
        assert!((0..50).all(|n| history(1, n, limits).path == UpgradePath::InPlace));
    }

    #[test]
    fn the_draws_cover_every_fault_kind_wrong_move_and_size() {
        let hs: Vec<History> = (0..400).map(|n| history(5, n, LIMITS)).collect();
        for kind in FAULT_KINDS {
            assert!(
                hs.iter().any(|h| h.faults.iter().any(|f| f.kind == kind)),
                "{kind:?}"
            );
        }
        for phase in CrashPhase::ALL {
            assert!(
                hs.iter()
                    .any(|h| h.faults.iter().any(|f| f.phase == Some(phase)))
            );
        }
        for action in [
            "rerun_installer",
            "enable_dirsync",
            "rollback",
            "churn",
            "run_cycle",
        ] {
            assert!(
                hs.iter()
                    .any(|h| h.steps.iter().any(|s| s.action() == action)),
                "{action}"
            );
        }
        assert!(hs.iter().any(|h| h.world.objects() < 50));
        assert!(hs.iter().any(|h| h.world.objects() > 1_000));
        assert!(hs.iter().any(|h| h.world.included_ou.is_some()));
        assert!(hs.iter().any(|h| h.world.excluded_ou.is_some()));
    }
}
