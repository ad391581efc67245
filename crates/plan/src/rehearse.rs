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

use crate::description::Description;

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
    /// The wire name (`in_place`, `parallel`), as JSON spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            PathKind::InPlace => "in_place",
            PathKind::Parallel => "parallel",
        }
    }

    /// The heading people read.
    pub fn title(self) -> &'static str {
        match self {
            PathKind::InPlace => "In-place upgrade",
            PathKind::Parallel => "Parallel deployment (swing migration)",
        }
    }
}

/// Minutes the rehearsal lets pass after the install, for the scheduler's cycles (the in-place
/// path's settling, and the parallel path's staging window when none is given).
pub const SETTLE_MINUTES: u64 = 60;

/// How often the rehearsal applies the change rate during the staging window: every this
/// many minutes, the changes due since the last slice.
pub const CHURN_SLICE_MINUTES: u64 = 10;

/// The AD updates made right after the step that hands sync over (1 per 100 objects, 1 to 100).
pub fn churn_updates(objects: u64) -> u64 {
    (objects / 100).clamp(1, 100)
}

/// The staging window of the parallel path: how long the new server stages before it is
/// verified, and how fast AD changes meanwhile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StagingWindow {
    /// Hours from the staging server's install to its verification.
    pub hours: u64,
    /// `(adds, updates, deletes)` an hour.
    pub rate: (u64, u64, u64),
}

impl Default for StagingWindow {
    /// Today's rehearsal: one hour, AD unchanged.
    fn default() -> Self {
        Self {
            hours: SETTLE_MINUTES / 60,
            rate: (0, 0, 0),
        }
    }
}

impl StagingWindow {
    /// `(adds, updates, deletes)` over the whole window.
    pub fn total(&self) -> (u64, u64, u64) {
        let (a, u, d) = self.rate;
        (a * self.hours, u * self.hours, d * self.hours)
    }

    /// Whether AD changes at all during the window.
    pub fn changes(&self) -> bool {
        self.rate != (0, 0, 0)
    }

    /// The window's steps: one wait when AD does not change (exactly the rehearsal without a
    /// change rate); else a `churn` step with the changes due every [`CHURN_SLICE_MINUTES`]
    /// (spread evenly, the rounding carried so the window's total is exact), each followed by
    /// its wait.
    fn steps(&self) -> Vec<(Stage, Value)> {
        let minutes = self.hours * 60;
        if !self.changes() {
            return vec![(Stage::Staging, wait(minutes))];
        }
        let slices = minutes / CHURN_SLICE_MINUTES;
        let (a, u, d) = self.total();
        let share = |total: u64, i: u64| total * (i + 1) / slices - total * i / slices;
        let mut out = Vec::new();
        for i in 0..slices {
            let counts = (share(a, i), share(u, i), share(d, i));
            if counts != (0, 0, 0) {
                out.push((
                    Stage::Staging,
                    step(
                        "churn",
                        &[
                            ("adds", int(counts.0)),
                            ("updates", int(counts.1)),
                            ("deletes", int(counts.2)),
                        ],
                    ),
                ));
            }
            out.push((Stage::Staging, wait(CHURN_SLICE_MINUTES)));
        }
        out
    }
}

/// What a rehearsal step is for: the runbook finds its steps' results by stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The installer's analysis page.
    Analyze,
    /// The prerequisite checks of the server Connect goes on.
    Prerequisites,
    /// Export settings on the DirSync server.
    ExportSettings,
    /// Connect installed (in place, or `/migrate` in staging mode).
    Install,
    /// The staging window: waits, and AD's changes at the given rate.
    Staging,
    /// The staging server's verification.
    Verify,
    /// DirSync uninstalled.
    RetireDirSync,
    /// After the handover: AD changes, time passes, staging is left, a cycle runs.
    Handover,
}

/// A rehearsal's steps, each with its stage.
pub struct Steps(pub Vec<(Stage, Value)>);

impl Steps {
    /// The indices of the steps of `stages`, in order.
    pub fn indices(&self, stages: &[Stage]) -> Vec<usize> {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, (s, _))| stages.contains(s))
            .map(|(i, _)| i)
            .collect()
    }
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

/// A count as a TOML integer (counts beyond `i64` saturate; the description's limits keep
/// them far below).
fn int(n: u64) -> Value {
    Value::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

fn wait(minutes: u64) -> Value {
    step("wait", &[("minutes", int(minutes))])
}

/// The operator's steps of a path, as scenario steps; `staging` is the parallel path's window.
pub fn steps(path: PathKind, objects: u64, d: &DirSyncSection, staging: &StagingWindow) -> Steps {
    // AD keeps changing while the servers change hands: the sync gap is how long such a
    // change waits for an export.
    let churn = step("churn", &[("updates", int(churn_updates(objects)))]);
    let handover = Stage::Handover;
    match path {
        PathKind::InPlace => Steps(vec![
            (Stage::Analyze, step("analyze", &[])),
            (
                Stage::Prerequisites,
                step("check_prerequisites", &[("server", s("dirsync"))]),
            ),
            (
                Stage::Install,
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
            ),
            (handover, churn),
            (handover, wait(SETTLE_MINUTES)),
            (handover, step("run_cycle", &[("server", s("connect"))])),
        ]),
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
            let force = Value::Boolean(objects < PARALLEL_RECOMMEND_OBJECTS);
            let mut out = vec![
                (Stage::Analyze, step("analyze", &[])),
                (
                    Stage::Prerequisites,
                    step("check_prerequisites", &[("server", s("connect"))]),
                ),
                (
                    Stage::ExportSettings,
                    step("export_settings", &[("force", force)]),
                ),
                (Stage::Install, step("install_parallel", &install)),
            ];
            out.extend(staging.steps());
            out.extend([
                (Stage::Verify, step("verify_staging", &[])),
                (Stage::RetireDirSync, step("uninstall_dirsync", &[])),
                (handover, churn),
                (handover, step("disable_staging", &[])),
                (handover, step("run_cycle", &[("server", s("connect"))])),
            ]);
            Steps(out)
        }
    }
}

/// What both rehearsals are made from.
pub struct Inputs<'a> {
    /// The directory, handed to the runner in memory.
    pub directory: &'a Arc<Directory>,
    /// The description: DirSync, and the machines it describes.
    pub description: &'a Description,
    /// The parallel path's staging window.
    pub staging: StagingWindow,
    /// The rehearsals' seed.
    pub seed: u64,
}

/// The rehearsal's `[world]`: the description's DirSync keys as `[world.dirsync]`, and each
/// machine table it gives as `[world.dirsync_host]`, `[world.server]`, `[world.tenant]`
/// (the sections it does not give take the scenario defaults).
fn world(d: &Description) -> Table {
    let mut world = Table::new();
    world.insert("dirsync".into(), Value::Table(d.dirsync_table.clone()));
    let machines = [
        ("dirsync_host", d.dirsync_host.as_ref().map(|m| &m.table)),
        ("server", d.server.as_ref().map(|m| &m.table)),
        ("tenant", d.tenant.as_ref().map(|m| &m.table)),
    ];
    for (key, table) in machines {
        if let Some(t) = table {
            world.insert(key.into(), Value::Table(t.clone()));
        }
    }
    world
}

/// The scenario of one path, and its steps by stage; the directory is handed over in memory.
pub fn scenario(path: PathKind, input: &Inputs) -> Result<(Scenario, Steps), String> {
    let objects = input.directory.objects.len() as u64;
    let steps = steps(path, objects, &input.description.dirsync, &input.staging);
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
    // The seed's bits as TOML's signed integer; the scenario reads them back as `u64`.
    file.insert("seed".into(), Value::Integer(input.seed.cast_signed()));
    file.insert("world".into(), Value::Table(world(input.description)));
    file.insert(
        "steps".into(),
        Value::Array(steps.0.iter().map(|(_, v)| v.clone()).collect()),
    );
    file.insert("expect".into(), Value::Table(expect));
    let text = toml::to_string(&file).map_err(|e| e.to_string())?;
    let parsed: ScenarioFile = toml::from_str(&text).map_err(|e| e.to_string())?;
    let scenario = Scenario {
        name: format!("plan/{}", path.as_str()),
        path: PathBuf::from(format!("plan/{}.toml", path.as_str())),
        file: parsed,
        ldif_path: None,
        directory: Some(Arc::clone(input.directory)),
        fault_triggers: Vec::new(),
        objects,
    };
    Ok((scenario, steps))
}

/// What the rehearsals give: each path's whole run with its steps, and the parallel path run
/// up to its verification (whose pending exports are those the operator reviews).
pub struct Rehearsals {
    /// In place, then parallel: each path's steps and outcome.
    pub paths: Vec<(PathKind, Steps, ScenarioOutcome)>,
    /// The parallel path stopped right after `verify_staging`.
    pub at_verification: ScenarioOutcome,
}

/// Runs both paths, in-place first, and the parallel path up to verification.
pub fn both(input: &Inputs) -> Result<Rehearsals, String> {
    let paths = [PathKind::InPlace, PathKind::Parallel]
        .into_iter()
        .map(|p| {
            let (s, steps) = scenario(p, input)?;
            Ok((
                p,
                steps,
                upgrade_lab_scenario::runner::run_scenario(&s, input.seed),
            ))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let (mut s, steps) = scenario(PathKind::Parallel, input)?;
    let verify = steps
        .indices(&[Stage::Verify])
        .first()
        .copied()
        .ok_or("the parallel rehearsal has no verification step")?;
    s.name = "plan/parallel-verification".into();
    s.file.steps.truncate(verify + 1);
    s.file.expect = upgrade_lab_scenario::format::Expect::default();
    let at_verification = upgrade_lab_scenario::runner::run_scenario(&s, input.seed);
    Ok(Rehearsals {
        paths,
        at_verification,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn churn_totals(steps: &[(Stage, Value)]) -> (i64, i64, i64, i64) {
        let mut t = (0, 0, 0, 0);
        for (_, v) in steps {
            let get = |k: &str| v.get(k).and_then(Value::as_integer).unwrap_or(0);
            match v.get("action").and_then(Value::as_str) {
                Some("churn") => {
                    t.0 += get("adds");
                    t.1 += get("updates");
                    t.2 += get("deletes");
                }
                Some("wait") => t.3 += get("minutes"),
                _ => {}
            }
        }
        t
    }

    #[test]
    fn no_change_rate_is_the_one_wait_of_todays_rehearsal() {
        let steps = StagingWindow::default().steps();
        assert_eq!(steps.len(), 1);
        assert_eq!(churn_totals(&steps), (0, 0, 0, 60));
    }

    #[test]
    fn the_rate_is_spread_over_the_window_with_its_exact_total() {
        let w = StagingWindow {
            hours: 3,
            rate: (7, 100, 1),
        };
        let steps = w.steps();
        assert_eq!(churn_totals(&steps), (21, 300, 3, 180));
        assert!(steps.iter().all(|(s, _)| *s == Stage::Staging));
        // Spread: no slice takes more than its share rounded up.
        let most = steps
            .iter()
            .filter_map(|(_, v)| v.get("updates").and_then(Value::as_integer))
            .max();
        assert_eq!(most, Some(17));
    }
}
