//! One explored history: the world it builds, the operator's steps and the faults, as plain
//! data that renders to an ordinary scenario file. The file is what runs: explore loads the
//! text it renders through the same loader as `upgrade-lab run`, so a shrunk failure written
//! to disk fails the same way when a person replays it.

use crate::format::{CrashPhase, FaultKind, ServerRef, Step};
use serde::Serialize;
use std::fmt::Write as _;

/// The two upgrade paths of the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UpgradePath {
    /// Upgrade on DirSync's own server (`upgrade_in_place`).
    InPlace,
    /// Install Connect on a new server from exported settings (`install_parallel`), then cut
    /// over.
    Parallel,
}

impl UpgradePath {
    /// Both paths, in-place first.
    pub const ALL: [UpgradePath; 2] = [UpgradePath::InPlace, UpgradePath::Parallel];

    /// The name descriptions and the summary table print: `in_place` or `parallel` (the
    /// `--path` option spells it with a dash).
    pub fn as_str(self) -> &'static str {
        match self {
            UpgradePath::InPlace => "in_place",
            UpgradePath::Parallel => "parallel",
        }
    }
}

/// The world a history builds. Every field is a `[world]` key of the scenario format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorldDraw {
    /// The generated directory's seed.
    pub seed: u64,
    /// `[world] users`.
    pub users: u32,
    /// `[world] groups`.
    pub groups: u32,
    /// `[world] contacts`.
    pub contacts: u32,
    /// A second domain (`emea.contoso.com`) in the forest.
    pub two_domains: bool,
    /// DirSync's database on a full SQL Server instead of SQL Express.
    pub full_sql: bool,
    /// `[world.dirsync] password_sync`.
    pub password_sync: bool,
    /// DirSync signs users in with `mail` (alternate login ID).
    pub alternate_id: bool,
    /// A domain filter that keeps only the forest root domain.
    pub root_domain_only: bool,
    /// One OU DirSync syncs (`filters.included_ous`); `None`: every OU.
    pub included_ou: Option<String>,
    /// One OU DirSync leaves out (`filters.excluded_ous`); `None`: none.
    pub excluded_ou: Option<String>,
    /// Users stamped `extensionAttribute15 = NoSync`, and whether DirSync filters them out.
    pub no_sync_users: u32,
    /// Whether DirSync filters out `extensionAttribute15 = NoSync` users (an attribute filter).
    pub no_sync_filter: bool,
    /// Users whose userPrincipalName Azure AD refuses (a `.local` suffix): their mail differs
    /// from their UPN, so the sign-in attribute DirSync flows shows in the tenant.
    pub invalid_upns: u32,
    /// Duplicate attribute resiliency on the tenant.
    pub dar: bool,
    /// `[world.tenant] cloud_only_users`.
    pub cloud_only_users: u32,
    /// `[world.tenant] cloud_only_groups`.
    pub cloud_only_groups: u32,
}

impl WorldDraw {
    /// Users + groups + contacts.
    pub fn objects(&self) -> u64 {
        u64::from(self.users) + u64::from(self.groups) + u64::from(self.contacts)
    }
}

/// When a fault strikes: a simulated minute, or around a step named by its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum When {
    /// `at_minutes`: this simulated minute since the world started.
    AtMinutes(u64),
    /// `before`: just before the step with this id starts.
    Before(String),
    /// `after`: just after the step with this id ends.
    After(String),
    /// `during`: in the middle of the step with this id (or at the fault's `phase`).
    During(String),
}

impl When {
    /// The step id it names, if any.
    pub fn step(&self) -> Option<&str> {
        match self {
            When::AtMinutes(_) => None,
            When::Before(s) | When::After(s) | When::During(s) => Some(s),
        }
    }
}

/// One injected fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultDraw {
    /// Written as the fault's `kind`.
    pub kind: FaultKind,
    /// Written as `server`, only for kinds that target one server (`sql_down`, `crash`,
    /// `proxy_*`, `ad_connector_credentials`); ignored for the others.
    pub server: ServerRef,
    /// Written as `at_minutes`, `before`, `after` or `during`; steps are named by id.
    pub when: When,
    /// How long it lasts; `None`: until the history ends.
    pub for_minutes: Option<u64>,
    /// A crash `during` a step: the point of a run sequence it strikes at.
    pub phase: Option<CrashPhase>,
}

/// One random upgrade history.
#[derive(Clone, Debug)]
pub struct History {
    /// Which history of the exploration (its seed is derived from the exploration's seed and
    /// this number, so `--history N` replays it alone).
    pub number: u64,
    /// The exploration's seed.
    pub explore_seed: u64,
    /// The scenario's seed.
    pub seed: u64,
    /// The upgrade path its steps follow; the judge reports histories by path.
    pub path: UpgradePath,
    /// Rendered as the file's `[world]` tables.
    pub world: WorldDraw,
    /// Every step carries an `id` (`s1`, `s2`, …) that stays with it while shrinking.
    pub steps: Vec<Step>,
    /// The injected faults; each is written with `may_miss = true`.
    pub faults: Vec<FaultDraw>,
    /// How its steps ended when it was judged: written as `[[expect.refusals]]` and
    /// `[[expect.errors]]`, so that the file's only failures are the invariants it breaks.
    pub step_outcomes: Vec<StepOutcomeDraw>,
}

/// A step that did not complete: refused by the engine (`refused`) or failed by a server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepOutcomeDraw {
    /// The step's id.
    pub step: String,
    /// `true`: the engine refused it (`[[expect.refusals]]`); `false`: a server failed it
    /// (`[[expect.errors]]`).
    pub refused: bool,
    /// The refusal's or error's kind, e.g. `installer_rerun`.
    pub kind: String,
}

impl History {
    /// Whether the operator started DirSync again by hand: the world then reports the
    /// rogue exporter and what it did to the tenant, which is not a fault of the engine.
    pub fn bypasses_the_engine(&self) -> bool {
        self.steps
            .iter()
            .any(|s| matches!(s, Step::EnableDirsync { .. }))
    }

    /// The history as a scenario file.
    pub fn to_toml(&self, description: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "format_version = 1");
        let _ = writeln!(out, "description = {}", quoted(description));
        let _ = writeln!(out, "seed = {}", self.seed);
        render_world(&mut out, &self.world);
        render_steps(&mut out, &self.steps);
        for f in &self.faults {
            render_fault(&mut out, f);
        }
        for o in &self.step_outcomes {
            let table = if o.refused { "refusals" } else { "errors" };
            let _ = writeln!(
                out,
                "\n[[expect.{table}]]\nstep = {}\nkind = {}",
                quoted(&o.step),
                quoted(&o.kind)
            );
        }
        out
    }
}

/// A TOML basic string.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quoted(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// The forest's root domain as the generator names it.
pub(crate) const ROOT_DOMAIN: &str = "contoso.com";
/// The second domain a `two_domains` world adds below the root.
pub(crate) const SECOND_DOMAIN: &str = "emea.contoso.com";

fn render_world(out: &mut String, w: &WorldDraw) {
    let _ = writeln!(out, "\n[world]\nseed = {}", w.seed);
    let _ = writeln!(
        out,
        "users = {}\ngroups = {}\ncontacts = {}",
        w.users, w.groups, w.contacts
    );
    if w.two_domains {
        let _ = writeln!(out, "domains = {}", list(&[ROOT_DOMAIN, SECOND_DOMAIN]));
    }
    if w.no_sync_users > 0 {
        let _ = writeln!(out, "no_sync_users = {}", w.no_sync_users);
    }
    if w.invalid_upns > 0 {
        let _ = writeln!(out, "\n[world.defects]\ninvalid_upns = {}", w.invalid_upns);
    }
    let _ = writeln!(out, "\n[world.dirsync]");
    if w.full_sql {
        let _ = writeln!(
            out,
            "sql = \"full\"\nsql_server = \"SQL01\"\nsql_instance = \"DIRSYNC\""
        );
    }
    let _ = writeln!(out, "password_sync = {}", w.password_sync);
    if w.alternate_id {
        let _ = writeln!(out, "alternate_login_id = \"mail\"");
    }
    render_filters(out, w);
    let _ = writeln!(
        out,
        "\n[world.tenant]\ndar = {}\ncloud_only_users = {}\ncloud_only_groups = {}",
        w.dar, w.cloud_only_users, w.cloud_only_groups
    );
}

fn render_filters(out: &mut String, w: &WorldDraw) {
    let any = w.root_domain_only
        || w.included_ou.is_some()
        || w.excluded_ou.is_some()
        || w.no_sync_filter;
    if !any {
        return;
    }
    let _ = writeln!(out, "\n[world.dirsync.filters]");
    if w.root_domain_only {
        let _ = writeln!(out, "domains = {}", list(&[ROOT_DOMAIN]));
    }
    if let Some(ou) = &w.included_ou {
        let _ = writeln!(out, "included_ous = {}", list(&[ou]));
    }
    if let Some(ou) = &w.excluded_ou {
        let _ = writeln!(out, "excluded_ous = {}", list(&[ou]));
    }
    if w.no_sync_filter {
        let _ = writeln!(
            out,
            "\n[[world.dirsync.filters.attribute_filters]]\nattribute = \"extensionAttribute15\"\nvalue = \"NoSync\""
        );
    }
}

/// The steps through the format's own serde names (one spelling per action and value).
fn render_steps(out: &mut String, steps: &[Step]) {
    #[derive(Serialize)]
    struct Doc<'a> {
        steps: &'a [Step],
    }
    if steps.is_empty() {
        return;
    }
    let text = toml::to_string(&Doc { steps }).expect("steps are plain TOML values");
    out.push('\n');
    out.push_str(&text);
}

fn render_fault(out: &mut String, f: &FaultDraw) {
    let _ = writeln!(out, "\n[[faults]]\nkind = {}", quoted(f.kind.as_str()));
    if f.kind.targets_server() {
        let _ = writeln!(out, "server = {}", quoted(f.server.as_str()));
    }
    match &f.when {
        When::AtMinutes(m) => writeln!(out, "at_minutes = {m}"),
        When::Before(s) => writeln!(out, "before = {}", quoted(s)),
        When::After(s) => writeln!(out, "after = {}", quoted(s)),
        When::During(s) => writeln!(out, "during = {}", quoted(s)),
    }
    .expect("writing to a String");
    if let Some(p) = f.phase {
        let _ = writeln!(out, "phase = {}", quoted(p.as_str()));
    }
    if let Some(m) = f.for_minutes {
        let _ = writeln!(out, "for_minutes = {m}");
    }
    // A drawn fault may strike when nothing uses what it breaks.
    let _ = writeln!(out, "may_miss = true");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_text;
    use std::path::Path;

    fn history() -> History {
        History {
            number: 3,
            explore_seed: 1,
            seed: 77,
            path: UpgradePath::Parallel,
            world: WorldDraw {
                seed: 5,
                users: 40,
                groups: 5,
                contacts: 2,
                two_domains: true,
                full_sql: true,
                password_sync: false,
                alternate_id: true,
                root_domain_only: true,
                included_ou: None,
                excluded_ou: Some("OU=Sales,DC=contoso,DC=com".into()),
                no_sync_users: 3,
                no_sync_filter: true,
                invalid_upns: 2,
                dar: false,
                cloud_only_users: 2,
                cloud_only_groups: 1,
            },
            steps: vec![
                Step::Analyze {
                    id: Some("s1".into()),
                },
                Step::Churn {
                    id: Some("s2".into()),
                    adds: 1,
                    updates: 2,
                    deletes: 3,
                },
                Step::Wait {
                    id: Some("s3".into()),
                    minutes: 60,
                },
            ],
            faults: vec![
                FaultDraw {
                    kind: FaultKind::Crash,
                    server: ServerRef::Dirsync,
                    when: When::During("s3".into()),
                    for_minutes: Some(30),
                    phase: Some(CrashPhase::DuringExport),
                },
                FaultDraw {
                    kind: FaultKind::Throttling,
                    server: ServerRef::Connect,
                    when: When::AtMinutes(12),
                    for_minutes: None,
                    phase: None,
                },
            ],
            step_outcomes: vec![StepOutcomeDraw {
                step: "s1".into(),
                refused: true,
                kind: "installer_rerun".into(),
            }],
        }
    }

    #[test]
    fn a_rendered_history_loads_as_the_same_scenario() {
        let h = history();
        let text = h.to_toml("a \"quoted\" description");
        let s = load_text("h", Path::new("h.toml"), text.clone())
            .unwrap_or_else(|e| panic!("{e:?}\n{text}"));
        assert_eq!(s.seed(), 77);
        assert_eq!(s.description(), "a \"quoted\" description");
        let w = s.file.world.get_ref();
        assert_eq!(w.inline_object_count(), 47);
        assert_eq!(w.no_sync_users, Some(3));
        assert_eq!(w.defects.as_ref().map(|d| d.invalid_upns), Some(2));
        assert!(w.dirsync.alternate_login_id.is_some());
        assert!(!w.dirsync.password_sync);
        assert_eq!(w.dirsync.filters.excluded_ous.len(), 1);
        assert_eq!(w.dirsync.filters.attribute_filters.len(), 1);
        assert!(!w.tenant.dar);
        let names: Vec<&str> = s.file.steps.iter().map(|s| s.get_ref().name()).collect();
        assert_eq!(names, ["s1", "s2", "s3"]);
        assert!(matches!(
            s.file.steps[1].get_ref(),
            Step::Churn {
                adds: 1,
                updates: 2,
                deletes: 3,
                ..
            }
        ));
        assert_eq!(s.file.faults.len(), 2);
        assert_eq!(*s.file.faults[0].kind.get_ref(), FaultKind::Crash);
        assert_eq!(s.file.faults[0].server, Some(ServerRef::Dirsync));
        assert_eq!(
            s.file.faults[0].phase.as_ref().map(|p| *p.get_ref()),
            Some(CrashPhase::DuringExport)
        );
        assert!(s.file.faults.iter().all(|f| f.may_miss));
        assert_eq!(s.file.expect.refusals.len(), 1);
        assert!(s.file.expect.errors.is_empty());
        assert_eq!(
            s.fault_triggers,
            [
                crate::format::FaultTrigger::DuringStep(2),
                crate::format::FaultTrigger::AtMinutes(12)
            ]
        );
    }

    #[test]
    fn only_a_hand_started_dirsync_bypasses_the_engine() {
        let mut h = history();
        assert!(!h.bypasses_the_engine());
        h.steps.push(Step::EnableDirsync {
            id: Some("s4".into()),
        });
        assert!(h.bypasses_the_engine());
    }
}
