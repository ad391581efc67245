//! Drives one step: through the engine (every wizard action, with its guard rails) or straight
//! on the world (an administrator's hands: churn in AD, waiting, a sync cycle started by hand,
//! DirSync's service started again by hand).

use super::budget::Guard;
use super::setup::{Setup, host_of, no_role_account, other_admin};
use crate::format::{
    AzureAdCredentialChoice, EnterpriseAdminChoice, ServerRef, ServiceAccountSection,
    SqlChoiceSection, Step,
};
use crate::outcome::{EventSource, TimelineEvent};
use upgrade_lab_engine::ports::{ServiceAccount, SqlChoice};
use upgrade_lab_engine::{CutoverMethod, EngineEvent, Finding, UpgradeError};
use upgrade_lab_model::{Credential, Secret, SimDuration, SimTime, SqlBackend};
use upgrade_lab_simulator::World;

/// The engine bound to the simulated world's ports.
pub type SimUpgrade = upgrade_lab_simulator::world::WorldUpgrade;

/// How a step ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepResult {
    /// The step did what it asked; the text says what came of it.
    Done(String),
    /// A guard rail said no (the engine's `Refusal`, in the README's words).
    Refused {
        /// The refusal's kind, as `expect.refused` names it.
        kind: String,
        /// The engine's message.
        message: String,
    },
    /// A server, the settings file or the order of steps failed the step.
    Failed {
        /// The failure's kind, as `expect.failed` names it.
        kind: String,
        /// The engine's or the server's message.
        message: String,
    },
}

impl std::fmt::Display for StepResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StepResult::Done(s) => write!(f, "done: {s}"),
            StepResult::Refused { kind, message } => write!(f, "refused {kind}: {message}"),
            StepResult::Failed { kind, message } => write!(f, "failed {kind}: {message}"),
        }
    }
}

impl StepResult {
    /// `done`, `refused` or `failed`.
    pub fn outcome(&self) -> &'static str {
        match self {
            StepResult::Done(_) => "done",
            StepResult::Refused { .. } => "refused",
            StepResult::Failed { .. } => "failed",
        }
    }

    /// `{outcome, kind, message}` (`kind` is `null` for a step that was done).
    pub fn data(&self) -> serde_json::Value {
        let (kind, message) = match self {
            StepResult::Done(m) => (None, m),
            StepResult::Refused { kind, message } | StepResult::Failed { kind, message } => {
                (Some(kind), message)
            }
        };
        serde_json::json!({"outcome": self.outcome(), "kind": kind, "message": message})
    }
}

/// The timeline entry of step `index` (from 0) starting.
pub fn started_event(index: usize, step: &Step, at: SimTime) -> TimelineEvent {
    let mut data = serde_json::Map::new();
    data.insert("step".into(), step.name().into());
    data.insert("action".into(), step.action().into());
    data.insert("index".into(), index.into());
    let text = format!("step {} {} starts", index + 1, step.name());
    TimelineEvent::new(at.0, EventSource::Runner, "step", text).with_data(data)
}

/// The timeline entry of how step `index` ended.
pub fn result_event(index: usize, record: &StepRecord, at: SimTime) -> TimelineEvent {
    let mut data = serde_json::Map::new();
    data.insert("step".into(), record.name.as_str().into());
    data.insert("action".into(), record.action.into());
    data.insert("index".into(), index.into());
    data.insert("result".into(), record.result.data());
    let text = format!("{}: {}", record.name, record.result);
    TimelineEvent::new(at.0, EventSource::Runner, "step_result", text).with_data(data)
}

/// What the runner keeps of a step.
#[derive(Clone, Debug)]
pub struct StepRecord {
    /// The step's name in the scenario file.
    pub name: String,
    /// The step's action (`install_parallel`, `verify_staging`...).
    pub action: &'static str,
    /// How the step ended.
    pub result: StepResult,
    /// Prerequisite findings, for `check_prerequisites`.
    pub findings: Vec<Finding>,
}

fn from_error(e: &UpgradeError) -> StepResult {
    let message = e.to_string();
    match e {
        UpgradeError::Refused(r) => StepResult::Refused {
            kind: r.as_str().into(),
            message,
        },
        UpgradeError::Settings(_) => StepResult::Failed {
            kind: "settings_file".into(),
            message,
        },
        UpgradeError::Port { source, .. } => StepResult::Failed {
            kind: source.kind.as_str().into(),
            message,
        },
        UpgradeError::OutOfOrder { .. } => StepResult::Failed {
            kind: "out_of_order".into(),
            message,
        },
    }
}

fn done<T>(r: Result<T, UpgradeError>, summary: impl FnOnce(T) -> String) -> StepResult {
    match r {
        Ok(v) => StepResult::Done(summary(v)),
        Err(e) => from_error(&e),
    }
}

fn azure_ad_credential(choice: AzureAdCredentialChoice, setup: &Setup) -> Credential {
    let account = setup.config.azure_ad_account.clone();
    match choice {
        AzureAdCredentialChoice::DirsyncAccount | AzureAdCredentialChoice::ExpiredPassword => {
            Credential::new(account, setup.passwords.azure_ad.expose())
        }
        AzureAdCredentialChoice::OtherAccount => {
            other_admin(&setup.config.tenant, &setup.passwords.other_accounts)
        }
        AzureAdCredentialChoice::MicrosoftAccount => Credential::new(
            "someone@outlook.com",
            setup.passwords.other_accounts.expose(),
        ),
        AzureAdCredentialChoice::WrongPassword => Credential::new(account, "Wrong-Passw0rd!"),
        AzureAdCredentialChoice::NoRole => {
            no_role_account(&setup.config.tenant, &setup.passwords.other_accounts)
        }
    }
}

fn enterprise_admin(choice: EnterpriseAdminChoice, setup: &Setup) -> Credential {
    let ea = &setup.enterprise_admin;
    match choice {
        EnterpriseAdminChoice::Valid => ea.clone(),
        EnterpriseAdminChoice::NotEnterpriseAdmin => {
            let domain = ea.account.split('\\').next().unwrap_or("CONTOSO");
            Credential::new(
                format!("{domain}\\helpdesk"),
                setup.passwords.enterprise_admin.expose(),
            )
        }
        EnterpriseAdminChoice::WrongPassword => Credential {
            account: ea.account.clone(),
            password: Secret::new("Wrong-Passw0rd!"),
        },
        EnterpriseAdminChoice::Missing => Credential::new("", ""),
    }
}

fn service_account_of(choice: ServiceAccountSection, setup: &Setup) -> ServiceAccount {
    let domain = setup
        .enterprise_admin
        .account
        .split('\\')
        .next()
        .unwrap_or("CONTOSO");
    match choice {
        ServiceAccountSection::Virtual => ServiceAccount::Virtual,
        ServiceAccountSection::Domain => ServiceAccount::Domain {
            name: format!("{domain}\\svc-adsync"),
            password: setup.passwords.service_account.clone(),
        },
        ServiceAccountSection::Local => ServiceAccount::Local {
            name: "svc-adsync".into(),
            password: setup.passwords.service_account.clone(),
        },
    }
}

/// Sets the credentials of a step; an expired password is a fault on the account.
fn credentials(
    upgrade: &mut SimUpgrade,
    world: &World,
    setup: &Setup,
    azure: AzureAdCredentialChoice,
    ea: EnterpriseAdminChoice,
) {
    if azure == AzureAdCredentialChoice::ExpiredPassword {
        world.inject_fault(upgrade_lab_simulator::faults::Fault {
            kind: upgrade_lab_simulator::faults::FaultKind::AzureCredentialsExpired {
                account: setup.config.azure_ad_account.clone(),
            },
            trigger: upgrade_lab_simulator::faults::FaultTrigger::At(world.now()),
            duration: None,
        });
    }
    let o = upgrade.options_mut();
    o.azure_ad = azure_ad_credential(azure, setup);
    o.enterprise_admin = enterprise_admin(ea, setup);
}

fn use_connect_host(upgrade: &mut SimUpgrade, world: &World, host: &str) {
    *upgrade.connect_mut() = world.connect_port(host);
}

/// Exactly `adds` new users, `updates` changed and `deletes` deleted objects (distinct ones),
/// drawn from the scenario's churn stream.
fn churn(world: &World, step: usize, wanted: (u64, u64, u64)) -> u64 {
    let first_serial = 1_000_000 + step as u64 * 100_000;
    world.churn_exact(&format!("scenario-churn-{step}"), first_serial, wanted)
}

/// Runs `count` cycles now, stopping early when a budget is spent; the run profiles run.
fn run_cycles(world: &World, connect_host: Option<&str>, count: u32, guard: &Guard) -> usize {
    let mut runs = 0;
    for _ in 0..count {
        if guard.spent(world.now()) {
            break;
        }
        runs += match connect_host {
            None => world.run_dirsync_cycle_now(),
            Some(host) => world.run_connect_cycle_now(host),
        }
        .len();
    }
    runs
}

/// Lets `minutes` pass a day at a time, stopping early when a budget is spent.
fn wait(world: &World, minutes: u64, guard: &Guard) {
    const DAY: u64 = 24 * 60;
    let mut left = minutes;
    while left > 0 && !guard.spent(world.now()) {
        let now = left.min(DAY);
        world.advance(SimDuration::from_mins(now));
        left -= now;
    }
}

/// [`run_step`], logged: the step's start and result at `info` (target
/// `upgrade_lab_scenario::runner::steps`), stamped with simulated time.
pub fn run_logged(
    (index, step): (usize, &Step),
    upgrade: &mut SimUpgrade,
    setup: &Setup,
    guard: &Guard,
) -> (StepRecord, Vec<EngineEvent>) {
    let world = &setup.world;
    tracing::info!(sim = %world.now(), step = index + 1, "{} starts", step.name());
    let (record, events) = run_step((index, step), upgrade, setup, guard);
    tracing::info!(sim = %world.now(), step = index + 1, "{}", record.result);
    (record, events)
}

/// Runs step `index`; the engine's events of the step are returned with it. The long steps
/// stop early when `guard`'s budget is spent (the runner then reports it).
pub fn run_step(
    (index, step): (usize, &Step),
    upgrade: &mut SimUpgrade,
    setup: &Setup,
    guard: &Guard,
) -> (StepRecord, Vec<EngineEvent>) {
    let mut findings = Vec::new();
    let result = step_result((index, step), upgrade, setup, guard, &mut findings);
    let events = upgrade.events_mut().drain();
    let record = StepRecord {
        name: step.name().to_string(),
        action: step.action(),
        result,
        findings,
    };
    (record, events)
}

/// What step `index` did: a wizard action through the engine, or an administrator's action
/// straight on the world. A prerequisites check leaves its findings in `findings`.
fn step_result(
    (index, step): (usize, &Step),
    upgrade: &mut SimUpgrade,
    setup: &Setup,
    guard: &Guard,
    findings: &mut Vec<Finding>,
) -> StepResult {
    let world = &setup.world;
    match step {
        Step::Analyze { .. } => done(world.run(upgrade.analyze()), |a| {
            format!(
                "{} objects, recommendation {}",
                a.objects_count,
                a.recommendation.as_str()
            )
        }),
        Step::CheckPrerequisites { server, .. } => {
            check_prerequisites(upgrade, setup, *server, findings)
        }
        Step::ExportSettings { force, .. } => {
            upgrade.options_mut().force_export = *force;
            done(world.run(upgrade.export_settings()), |r| {
                format!("settings exported at {}", r.exported_at)
            })
        }
        Step::UpgradeInPlace { .. } => upgrade_in_place(step, upgrade, setup),
        Step::InstallParallel { .. } => install_parallel(step, upgrade, setup),
        Step::RunCycle { server, count, .. } => {
            let host = match server {
                ServerRef::Dirsync => None,
                ServerRef::Connect => Some(setup.connect_host.as_str()),
            };
            let runs = run_cycles(world, host, *count, guard);
            StepResult::Done(format!("{runs} run profiles"))
        }
        Step::Churn {
            adds,
            updates,
            deletes,
            ..
        } => {
            let n = churn(world, index, (*adds, *updates, *deletes));
            StepResult::Done(format!("{n} AD changes"))
        }
        Step::VerifyStaging { .. } => verify_staging(upgrade, world),
        Step::UninstallDirsync { .. } => stop_dirsync(upgrade, world, CutoverMethod::Uninstall),
        Step::DisableDirsync { .. } => stop_dirsync(upgrade, world, CutoverMethod::Disable),
        Step::EnableDirsync { .. } => {
            world.enable_dirsync_directly();
            StepResult::Done("DirSync's service started by hand".into())
        }
        Step::DisableStaging { azure_ad, .. } => disable_staging(upgrade, setup, *azure_ad),
        Step::RerunInstaller { .. } => rerun_installer(upgrade, setup),
        Step::Wait { minutes, .. } => {
            wait(world, *minutes, guard);
            StepResult::Done(format!("waited {minutes} minutes"))
        }
        Step::Rollback { .. } => done(world.run(upgrade.rollback_to_dirsync()), |r| {
            format!("DirSync on {} active again", r.dirsync_host)
        }),
    }
}

/// DirSync stopped the way the step says (uninstalled or disabled).
fn stop_dirsync(upgrade: &mut SimUpgrade, world: &World, method: CutoverMethod) -> StepResult {
    upgrade.options_mut().cutover = method;
    done(world.run(upgrade.stop_dirsync()), |at| match at {
        Some(t) => format!("DirSync stopped at {t}"),
        None => "DirSync was not running".into(),
    })
}

/// Staging mode switched off on the Connect server (the cutover's second half).
fn disable_staging(
    upgrade: &mut SimUpgrade,
    setup: &Setup,
    azure_ad: AzureAdCredentialChoice,
) -> StepResult {
    let world = &setup.world;
    credentials(
        upgrade,
        world,
        setup,
        azure_ad,
        EnterpriseAdminChoice::Valid,
    );
    done(world.run(upgrade.disable_staging()), |t| {
        format!("staging off at {t}")
    })
}

/// The installer run again on the Connect server (the wizard's "configure" page).
fn rerun_installer(upgrade: &mut SimUpgrade, setup: &Setup) -> StepResult {
    match setup.world.run(upgrade.rerun_installer()) {
        Ok(()) => {
            setup.world.rerun_installer(&setup.connect_host, false);
            StepResult::Done("installer ran".into())
        }
        Err(e) => from_error(&e),
    }
}

/// The prerequisites check, on the server the step names; the engine is pointed back at the
/// Connect server afterwards.
fn check_prerequisites(
    upgrade: &mut SimUpgrade,
    setup: &Setup,
    server: ServerRef,
    findings: &mut Vec<Finding>,
) -> StepResult {
    let world = &setup.world;
    use_connect_host(upgrade, world, &host_of(server, &setup.connect_host));
    let r = world.run(upgrade.check_prerequisites());
    use_connect_host(upgrade, world, &setup.connect_host);
    match r {
        Ok(f) => {
            let n = f.len();
            *findings = f;
            StepResult::Done(format!("{n} findings"))
        }
        Err(e) => from_error(&e),
    }
}

/// The in-place upgrade on the DirSync server, with the wizard's options the step gives.
fn upgrade_in_place(step: &Step, upgrade: &mut SimUpgrade, setup: &Setup) -> StepResult {
    let Step::UpgradeInPlace {
        continue_anyway,
        service_account,
        azure_ad,
        enterprise_admin,
        ..
    } = step
    else {
        unreachable!(
            "upgrade_in_place runs upgrade_in_place steps only, not {}",
            step.name()
        )
    };
    let world = &setup.world;
    credentials(upgrade, world, setup, *azure_ad, *enterprise_admin);
    let o = upgrade.options_mut();
    o.continue_in_place = *continue_anyway;
    o.service_account = service_account_of(*service_account, setup);
    use_connect_host(upgrade, world, &setup.dirsync_host);
    done(world.run(upgrade.upgrade_in_place()), |_| {
        "upgraded in place".into()
    })
}

/// The parallel installation with the wizard's options the step gives.
fn install_parallel(step: &Step, upgrade: &mut SimUpgrade, setup: &Setup) -> StepResult {
    let Step::InstallParallel {
        sql,
        sql_server,
        sql_instance,
        service_account,
        start_sync,
        install_location,
        azure_ad,
        enterprise_admin,
        ..
    } = step
    else {
        unreachable!(
            "install_parallel runs install_parallel steps only, not {}",
            step.name()
        )
    };
    let world = &setup.world;
    credentials(upgrade, world, setup, *azure_ad, *enterprise_admin);
    let o = upgrade.options_mut();
    o.sql = match sql {
        SqlChoiceSection::Localdb => SqlChoice::LocalDb,
        SqlChoiceSection::DirsyncInstance => SqlChoice::Existing(setup.config.sql.clone()),
        SqlChoiceSection::Full => SqlChoice::Existing(SqlBackend::Full {
            server: sql_server.clone().unwrap_or_default(),
            instance: sql_instance.clone().unwrap_or_default(),
        }),
    };
    o.service_account = service_account_of(*service_account, setup);
    o.start_sync = *start_sync;
    o.install_location.clone_from(install_location);
    use_connect_host(upgrade, world, &setup.connect_host);
    done(world.run(upgrade.install_parallel()), |r| {
        format!("installed on {} (staging)", r.host)
    })
}

/// Verification: ready, or refused with the initial cycle's problems and the unexpected
/// pending exports.
fn verify_staging(upgrade: &mut SimUpgrade, world: &World) -> StepResult {
    match world.run(upgrade.verify_staging()) {
        Ok(report) if report.ready() => StepResult::Done("staging verified".into()),
        Ok(report) => {
            let mut problems = report.initial_cycle.problems.clone();
            problems.extend(report.pending_exports.unexpected.iter().cloned());
            StepResult::Refused {
                kind: "staging_not_verified".into(),
                message: problems.join("; "),
            }
        }
        Err(e) => from_error(&e),
    }
}
