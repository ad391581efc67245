//! The two rehearsals: each path built as a scenario (the world from the given directory and
//! DirSync description, the steps an operator takes) and run through the scenario runner.

use std::path::PathBuf;
use std::sync::Arc;
use toml::{Table, Value};
use upgrade_lab_model::Directory;
use upgrade_lab_model::constants::{LOCALDB_MAX_OBJECTS, PARALLEL_RECOMMEND_OBJECTS};
use upgrade_lab_scenario::Scenario;
use upgrade_lab_scenario::format::{DirSyncSection, ScenarioFile, SqlKind};
use upgrade_lab_scenario::outcome::ScenarioOutcome;

/// The upgrade path a rehearsal takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PathKind {
    /// Connect installed on the DirSync server, which it upgrades.
    InPlace,
    /// A new server with `/migrate`, staging, then the cutover (the swing migration).
    Parallel,
}

impl PathKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PathKind::InPlace => "in_place",
            PathKind::Parallel => "parallel",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            PathKind::InPlace => "In-place upgrade",
            PathKind::Parallel => "Parallel deployment (swing migration)",
        }
    }
}

/// Minutes the rehearsal lets pass after the install, for the scheduler's cycles.
pub const SETTLE_MINUTES: u64 = 60;

/// The AD updates made right after the step that hands sync over (1 per 100 objects, 1 to 100).
pub fn churn_updates(objects: u64) -> u64 {
    (objects / 100).clamp(1, 100)
}

/// The SQL the new server of a parallel deployment gets: LocalDB below its limit, else a full
/// SQL Server instance of its own (never DirSync's).
pub fn parallel_sql(objects: u64, d: &DirSyncSection) -> (&'static str, Option<(String, String)>) {
    if d.sql == SqlKind::Full || objects >= LOCALDB_MAX_OBJECTS {
        let server = d
            .sql_server
            .as_ref()
            .map_or_else(|| "SQL01".to_string(), |s| s.get_ref().clone());
        ("full", Some((server, "ADSYNC".to_string())))
    } else {
        ("localdb", None)
    }
}

/// The service account a path's install uses: a domain account when SQL is remote.
pub fn service_account(full_sql: bool) -> &'static str {
    if full_sql { "domain" } else { "virtual" }
}

fn step(action: &str, keys: &[(&str, Value)]) -> Value {
    let mut t = Table::new();
    t.insert("action".into(), Value::String(action.into()));
    for (k, v) in keys {
        t.insert((*k).into(), v.clone());
    }
    Value::Table(t)
}

fn s(v: &str) -> Value {
    Value::String(v.into())
}

/// The operator's steps of a path, as scenario steps.
pub fn steps(path: PathKind, objects: u64, d: &DirSyncSection) -> Vec<Value> {
    let settle = step(
        "wait",
        &[("minutes", Value::Integer(SETTLE_MINUTES as i64))],
    );
    // AD keeps changing while the servers change hands: the sync gap is how long such a
    // change waits for an export.
    let churn = step(
        "churn",
        &[("updates", Value::Integer(churn_updates(objects) as i64))],
    );
    match path {
        PathKind::InPlace => vec![
            step("analyze", &[]),
            step("check_prerequisites", &[("server", s("dirsync"))]),
            step(
                "upgrade_in_place",
                &[
                    (
                        "continue_anyway",
                        Value::Boolean(objects >= PARALLEL_RECOMMEND_OBJECTS),
                    ),
                    (
                        "service_account",
                        s(service_account(d.sql == SqlKind::Full)),
                    ),
                ],
            ),
            churn,
            settle,
            step("run_cycle", &[("server", s("connect"))]),
        ],
        PathKind::Parallel => {
            let (sql, instance) = parallel_sql(objects, d);
            let mut install = vec![
                ("sql", s(sql)),
                ("service_account", s(service_account(instance.is_some()))),
            ];
            if let Some((server, name)) = instance {
                install.push(("sql_server", s(&server)));
                install.push(("sql_instance", s(&name)));
            }
            vec![
                step("analyze", &[]),
                step("check_prerequisites", &[("server", s("connect"))]),
                step(
                    "export_settings",
                    &[(
                        "force",
                        Value::Boolean(objects < PARALLEL_RECOMMEND_OBJECTS),
                    )],
                ),
                step("install_parallel", &install),
                settle,
                step("verify_staging", &[]),
                step("uninstall_dirsync", &[]),
                churn,
                step("disable_staging", &[]),
                step("run_cycle", &[("server", s("connect"))]),
            ]
        }
    }
}

/// The scenario of one path: `dirsync` is the description's own table, placed as
/// `[world.dirsync]`; the directory is handed over in memory.
pub fn scenario(
    path: PathKind,
    directory: &Arc<Directory>,
    (dirsync, section): (&Table, &DirSyncSection),
    seed: u64,
) -> Result<Scenario, String> {
    let objects = directory.objects.len() as u64;
    let mut world = Table::new();
    world.insert("dirsync".into(), Value::Table(dirsync.clone()));
    let mut expect = Table::new();
    expect.insert("active_exporter".into(), s("connect"));
    expect.insert("tenant_equals_directory".into(), Value::Boolean(true));
    let mut file = Table::new();
    file.insert("format_version".into(), Value::Integer(1));
    file.insert(
        "description".into(),
        s(&format!(
            "plan: rehearsal of the {}",
            path.title().to_lowercase()
        )),
    );
    file.insert("seed".into(), Value::Integer(seed as i64));
    file.insert("world".into(), Value::Table(world));
    file.insert("steps".into(), Value::Array(steps(path, objects, section)));
    file.insert("expect".into(), Value::Table(expect));
    let text = toml::to_string(&file).map_err(|e| e.to_string())?;
    let parsed: ScenarioFile = toml::from_str(&text).map_err(|e| e.to_string())?;
    Ok(Scenario {
        name: format!("plan/{}", path.as_str()),
        path: PathBuf::from(format!("plan/{}.toml", path.as_str())),
        file: parsed,
        ldif_path: None,
        directory: Some(Arc::clone(directory)),
        fault_triggers: Vec::new(),
        objects,
    })
}

/// The index of the parallel path's `verify_staging` step.
pub const VERIFY_STEP: usize = 5;

/// What the rehearsals give: each path's whole run, and the parallel path run up to its
/// verification (whose pending exports are those the operator reviews).
pub struct Rehearsals {
    pub paths: Vec<(PathKind, ScenarioOutcome)>,
    pub at_verification: ScenarioOutcome,
}

/// Runs both paths, in-place first, and the parallel path up to verification.
pub fn both(
    directory: &Arc<Directory>,
    dirsync: (&Table, &DirSyncSection),
    seed: u64,
) -> Result<Rehearsals, String> {
    let paths = [PathKind::InPlace, PathKind::Parallel]
        .into_iter()
        .map(|p| {
            let s = scenario(p, directory, dirsync, seed)?;
            Ok((p, upgrade_lab_scenario::runner::run_scenario(&s, seed)))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let mut s = scenario(PathKind::Parallel, directory, dirsync, seed)?;
    s.name = "plan/parallel-verification".into();
    s.file.steps.truncate(VERIFY_STEP + 1);
    s.file.expect = Default::default();
    let at_verification = upgrade_lab_scenario::runner::run_scenario(&s, seed);
    Ok(Rehearsals {
        paths,
        at_verification,
    })
}
