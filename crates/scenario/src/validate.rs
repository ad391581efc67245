//! Checks a parsed scenario for values that are well-typed but impossible: a ratio above 1, a
//! range with min above max, a fault naming a step that doesn't exist, an unknown rule, a
//! missing LDIF file. Every problem is reported, each pointing at its value.

use crate::diagnostic::ScenarioError;
use crate::format::expect::OBJECT_ATTRIBUTES;
use crate::format::{
    Bound, DirSyncSection, Expect, FORMAT_VERSION, FaultTrigger, LdapSection,
    PendingExportsExpectation, ScenarioFile, ServerSection, SqlChoiceSection, SqlKind, Step,
};
use crate::rules::{FAILURE_MODE_MAX, RULES, find_rule};
use crate::vocabulary::{
    BLOCKER_KINDS, ERROR_KINDS, EVENT_KINDS, PREREQUISITE_FINDINGS, REFUSAL_KINDS, closest,
};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;
use upgrade_lab_model::{Directory, ObjectKind, Version, attribute_flow};

mod ranges;

pub use crate::limits::{MAX_OBJECTS, MAX_OU_DEPTH, MAX_WAIT_MINUTES};
pub use ranges::{key_span, thousands, timing_range};

/// What the checks resolved.
pub struct Checked {
    /// The LDIF file's path resolved against the scenario's folder, when the world reads one.
    pub ldif_path: Option<PathBuf>,
    /// The directory `[world.ldap]` read when the scenario loaded.
    pub directory: Option<Arc<Directory>>,
    /// Objects of the directory (generated or read from the LDIF file).
    pub objects: u64,
    /// The trigger of each `[[fault]]`, in the file's order.
    pub fault_triggers: Vec<FaultTrigger>,
}

struct Checker<'a> {
    path: &'a Path,
    text: &'a Arc<String>,
    errors: Vec<ScenarioError>,
}

impl Checker<'_> {
    fn err(&mut self, span: Range<usize>, message: impl Into<String>, help: impl Into<String>) {
        let help = help.into();
        let help = (!help.is_empty()).then_some(help);
        self.errors.push(ScenarioError::at(
            self.path,
            self.text,
            Some(span),
            message,
            help,
        ));
    }

    /// `file:line:column` of a byte offset of the scenario file.
    fn location(&self, span: Range<usize>) -> String {
        let (line, column) = crate::diagnostic::line_column(self.text, span.start);
        format!("{}:{line}:{column}", self.path.display())
    }

    fn word<T: AsRef<str>>(&mut self, value: &Spanned<T>, what: &str, words: &[&str]) {
        let w = value.get_ref().as_ref();
        if !words.contains(&w) {
            let help = match closest(w, words) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!("one of: {}", words.join(", ")),
            };
            self.err(value.span(), format!("unknown {what} `{w}`"), help);
        }
    }

    fn bound(&mut self, value: Option<&Spanned<Bound>>, what: &str) {
        if let Some(b) = value
            && !b.get_ref().is_satisfiable()
        {
            let (min, max) = (b.get_ref().min.unwrap_or(0), b.get_ref().max.unwrap_or(0));
            self.err(
                b.span(),
                format!("{what}: min {min} is greater than max {max}"),
                "swap them, or drop one end to leave it open",
            );
        }
    }

    fn version(&mut self, value: Option<&Spanned<String>>, what: &str) {
        if let Some(v) = value
            && v.get_ref().parse::<Version>().is_err()
            && !(what == "os" && os_version(v.get_ref()).is_some())
        {
            let help = if what == "os" {
                "a Windows Server name (2008r2, 2012r2, 2016, 2019, 2022) or a version such as 10.0.14393"
            } else {
                "numbers separated by dots, such as 4.7.2"
            };
            self.err(
                v.span(),
                format!("{what} `{}` is not a version", v.get_ref()),
                help,
            );
        }
    }
}

/// Windows Server names to `major.minor.build`.
pub fn os_version(name: &str) -> Option<Version> {
    let parts: &[u32] = match name.to_ascii_lowercase().replace([' ', '-'], "").as_str() {
        "2003" => &[5, 2, 3790],
        "2008" => &[6, 0, 6001],
        "2008r2" => &[6, 1, 7600],
        "2012" => &[6, 2, 9200],
        "2012r2" => &[6, 3, 9600],
        "2016" => &[10, 0, 14393],
        "2019" => &[10, 0, 17763],
        "2022" => &[10, 0, 20348],
        "2025" => &[10, 0, 26100],
        other => return other.parse().ok(),
    };
    Some(Version::new(parts))
}

/// Runs every check; `Ok` when there is nothing to report.
pub fn check(
    path: &Path,
    text: &Arc<String>,
    file: &ScenarioFile,
) -> Result<Checked, Vec<ScenarioError>> {
    let mut c = Checker {
        path,
        text,
        errors: Vec::new(),
    };
    header(&mut c, file);
    let (ldif_path, directory, objects) = world(&mut c, file);
    steps(&mut c, file);
    ranges::check(&mut c, file, objects);
    let fault_triggers = faults(&mut c, file);
    expectations(&mut c, file);
    if c.errors.is_empty() {
        Ok(Checked {
            ldif_path,
            directory,
            objects: objects.unwrap_or(0),
            fault_triggers,
        })
    } else {
        Err(c.errors)
    }
}

fn header(c: &mut Checker, file: &ScenarioFile) {
    if *file.format_version.get_ref() != FORMAT_VERSION {
        c.err(
            file.format_version.span(),
            format!(
                "format_version {} is not supported; this build reads version {FORMAT_VERSION}",
                file.format_version.get_ref()
            ),
            format!("write `format_version = {FORMAT_VERSION}`"),
        );
    }
    if file.description.get_ref().trim().is_empty() {
        c.err(
            file.description.span(),
            "the description is empty",
            "say what the scenario checks and name the rule of the upgrade document",
        );
    }
    for r in &file.rules {
        if find_rule(r.get_ref()).is_none() {
            let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
            let help = closest(r.get_ref(), &ids).map_or_else(
                || "rule ids are listed in scenarios/README.md".to_string(),
                |s| format!("did you mean `{s}`?"),
            );
            c.err(r.span(), format!("unknown rule `{}`", r.get_ref()), help);
        }
    }
    for m in &file.failure_modes {
        if !(1..=FAILURE_MODE_MAX).contains(m.get_ref()) {
            c.err(
                m.span(),
                format!("there is no failure mode {}", m.get_ref()),
                format!("failure modes are numbered 1 to {FAILURE_MODE_MAX}"),
            );
        }
    }
}

/// The world's checks; the LDIF path, the directory read over LDAP and the directory's object
/// count when they are known.
fn world(
    c: &mut Checker,
    file: &ScenarioFile,
) -> (Option<PathBuf>, Option<Arc<Directory>>, Option<u64>) {
    let w = file.world.get_ref();
    let (ldif_path, directory, mut objects) = directory_source(c, file);
    if let Some(generated) = generated_directory(c, file) {
        objects = Some(generated);
    }
    dirsync(c, file);
    server(c, &w.dirsync_host);
    server(c, &w.server);
    if let Some(q) = &w.tenant.quota
        && *q.get_ref() == 0
    {
        c.err(
            q.span(),
            "a tenant quota of 0 refuses every object",
            "omit it for the default",
        );
    }
    (ldif_path, directory, objects)
}

/// Where the directory comes from: exactly one of an LDIF file, `[world.ldap]` or the
/// generator's keys. Reads the LDIF file's or the LDAP directory's object count.
fn directory_source(
    c: &mut Checker,
    file: &ScenarioFile,
) -> (Option<PathBuf>, Option<Arc<Directory>>, Option<u64>) {
    let w = file.world.get_ref();
    let mut ldif_path = None;
    let mut objects = None;
    let mut directory = None;
    match (&w.ldif, &w.ldap, w.has_inline_directory()) {
        (Some(_), Some(l), _) => c.err(
            l.span(),
            "the world has both an LDIF file and an LDAP directory",
            "keep `ldif` or `[world.ldap]`, not both",
        ),
        (None, Some(l), true) => c.err(
            l.span(),
            "the world has both an LDAP directory and generated-directory keys",
            "keep `[world.ldap]`, or remove it and keep users/groups/contacts",
        ),
        (Some(l), None, true) => c.err(
            l.span(),
            "the world has both an LDIF file and generated-directory keys",
            "keep `ldif`, or remove it and keep users/groups/contacts",
        ),
        (None, None, false) => c.err(
            file.world.span(),
            "the world has no directory",
            "set users, groups and contacts (a generated directory), `ldif = \"file.ldif\"` or `[world.ldap]`",
        ),
        (None, Some(l), false) => {
            directory = ldap_directory(c, l.get_ref()).map(Arc::new);
            objects = directory.as_ref().map(|d| d.objects.len() as u64);
        }
        (Some(l), None, false) => {
            let base = c.path.parent().unwrap_or(Path::new("."));
            let p = base.join(l.get_ref());
            if p.is_file() {
                objects = ldif_objects(c, &p, l.span());
                ldif_path = Some(p);
            } else {
                c.err(
                    l.span(),
                    format!("the LDIF file {} does not exist", p.display()),
                    "the path is relative to the scenario file's folder",
                );
            }
        }
        (None, None, true) => {}
    }
    (ldif_path, directory, objects)
}

/// The generator's keys: bounds, and whether the generator can make the directory they ask
/// for. The directory's object count when it can.
fn generated_directory(c: &mut Checker, file: &ScenarioFile) -> Option<u64> {
    let w = file.world.get_ref();
    let mut objects = None;
    if w.inline_object_count() > MAX_OBJECTS {
        c.err(
            file.world.span(),
            format!(
                "{} objects is more than the limit of {MAX_OBJECTS}",
                w.inline_object_count()
            ),
            "scale scenarios go up to 2,000,000 objects",
        );
    }
    if let Some(r) = &w.disabled_per_mille
        && *r.get_ref() > 1000
    {
        c.err(
            r.span(),
            "disabled_per_mille is at most 1000",
            "50 means 5% of users",
        );
    }
    if let Some(d) = &w.ou_depth
        && *d.get_ref() > MAX_OU_DEPTH
    {
        c.err(d.span(), format!("ou_depth is at most {MAX_OU_DEPTH}"), "");
    }
    if let Some(f) = &w.ou_fan_out
        && *f.get_ref() == 0
        && w.ou_depth.as_ref().is_some_and(|d| *d.get_ref() > 0)
    {
        c.err(
            f.span(),
            "ou_fan_out is 0 but ou_depth asks for OUs",
            "use 1 or more",
        );
    }
    if let Some(d) = &w.domains {
        if d.get_ref().is_empty() {
            c.err(
                d.span(),
                "domains is empty",
                "name at least the forest root, such as contoso.com",
            );
        }
        for name in d.get_ref() {
            if !name.contains('.') || name.contains(char::is_whitespace) {
                c.err(
                    d.span(),
                    format!("`{name}` is not a DNS domain name"),
                    "such as contoso.com",
                );
            }
        }
    }
    if w.has_inline_directory() {
        let spec = crate::runner::world_spec::directory_spec(w, file.seed);
        match spec.validate() {
            Ok(()) => objects = Some(spec.objects_count()),
            Err(e) => c.err(
                file.world.span(),
                format!("the generator cannot make this directory: {e}"),
                "change the [world] keys the message names",
            ),
        }
    }
    objects
}

/// Reads `[world.ldap]`'s directory as `run` uses it; every problem points at its key.
fn ldap_directory(c: &mut Checker, l: &LdapSection) -> Option<Directory> {
    let mut source = upgrade_lab_ldap::LdapSource::new(l.url.get_ref().clone());
    source.base.clone_from(&l.base);
    source.starttls = l.starttls;
    if let Some(t) = &l.timeout_seconds {
        if !(1..=3600).contains(t.get_ref()) {
            c.err(
                t.span(),
                "timeout_seconds is 1 to 3,600",
                "30 is the default",
            );
            return None;
        }
        source.timeout = std::time::Duration::from_secs(*t.get_ref());
    }
    if let Some(ca) = &l.ca_file {
        let p = c.path.parent().unwrap_or(Path::new(".")).join(ca.get_ref());
        if !p.is_file() {
            c.err(
                ca.span(),
                format!("the CA file {} does not exist", p.display()),
                "the path is relative to the scenario file's folder",
            );
            return None;
        }
        source.ca_file = Some(p);
    }
    if let Some(dn) = &l.bind_dn {
        source.bind_dn = Some(dn.get_ref().clone());
        source.password = Some(ldap_password(c, dn, l.password_env.as_ref())?);
    }
    match upgrade_lab_ldap::read_directory(&source) {
        Ok(read) => Some(read.import.directory),
        Err(e) => {
            c.err(
                l.url.span(),
                format!("cannot read the directory at {}: {e}", l.url.get_ref()),
                "check the URL, the server, the bind DN and its password; `check` and `run` read the directory when the scenario loads",
            );
            None
        }
    }
}

/// The bind password from the environment variable `password_env` names.
fn ldap_password(
    c: &mut Checker,
    dn: &Spanned<String>,
    variable: Option<&Spanned<String>>,
) -> Option<upgrade_lab_model::Secret> {
    let Some(variable) = variable else {
        c.err(
            dn.span(),
            "bind_dn needs password_env, the environment variable holding its password",
            "add `password_env = \"CONTOSO_LDAP_PASSWORD\"`; the file never holds the password",
        );
        return None;
    };
    if let Ok(p) = std::env::var(variable.get_ref()) {
        Some(upgrade_lab_model::Secret::new(p))
    } else {
        c.err(
            variable.span(),
            format!("the environment variable {} is not set", variable.get_ref()),
            format!(
                "set {} to the bind password before `check` or `run`",
                variable.get_ref()
            ),
        );
        None
    }
}

/// Reads the LDIF file as `run` will; an error points into the LDIF file. The object count on
/// success.
fn ldif_objects(c: &mut Checker, path: &Path, at: Range<usize>) -> Option<u64> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            c.err(
                at,
                format!("cannot read the LDIF file {}: {e}", path.display()),
                "",
            );
            return None;
        }
    };
    match upgrade_lab_simulator::ldif::read_directory_bytes(&bytes) {
        Ok(import) => Some(import.directory.objects.len() as u64),
        Err(e) => {
            let text = Arc::new(String::from_utf8_lossy(&bytes).into_owned());
            let offset = crate::diagnostic::offset_of(&text, e.line, e.column.unwrap_or(1));
            c.errors.push(ScenarioError::at(
                path,
                &text,
                Some(offset..offset + 1),
                format!("the LDIF file is not usable: {}", e.kind),
                Some(format!(
                    "`run` reads this file for the world named at {}; fix the LDIF file (or point `ldif` at another)",
                    c.location(at)
                )),
            ));
            None
        }
    }
}

fn dirsync(c: &mut Checker, file: &ScenarioFile) {
    dirsync_section(
        c,
        &file.world.get_ref().dirsync,
        file.world.span(),
        "[world.dirsync]",
    );
}

/// The checks of a DirSync section; `span` is where the section sits, `name` how to name it.
fn dirsync_section(c: &mut Checker, d: &DirSyncSection, span: Range<usize>, name: &str) {
    c.version(d.version.as_ref(), "DirSync version");
    match d.sql {
        SqlKind::Full if d.sql_server.is_none() || d.sql_instance.is_none() => c.err(
            span,
            "DirSync on full SQL needs sql_server and sql_instance",
            format!("add them to {name}, e.g. sql_server = \"SQL01\", sql_instance = \"DIRSYNC\""),
        ),
        SqlKind::Express => {
            for s in [&d.sql_server, &d.sql_instance].into_iter().flatten() {
                c.err(
                    s.span(),
                    "sql_server and sql_instance apply only to full SQL",
                    "add `sql = \"full\"` or remove the key",
                );
            }
        }
        SqlKind::Full => {}
    }
}

/// The checks of a DirSync description on its own (the keys of `[world.dirsync]` at the top
/// of a file, as `plan --dirsync` reads it); errors point into that file.
pub fn check_dirsync(
    path: &Path,
    text: &Arc<String>,
    d: &DirSyncSection,
) -> Result<(), Vec<ScenarioError>> {
    let mut c = Checker {
        path,
        text,
        errors: Vec::new(),
    };
    dirsync_section(&mut c, d, 0..text.len().min(1), "the file");
    if c.errors.is_empty() {
        Ok(())
    } else {
        Err(c.errors)
    }
}

/// The checks of a description file's machine tables on their own (`[dirsync_host]`,
/// `[server]` and `[tenant]` at the top of the file `plan --dirsync` reads, with the keys of a
/// scenario's `[world.dirsync_host]`, `[world.server]` and `[world.tenant]`): the same checks as
/// in a scenario, errors pointing into that file.
pub fn check_machines(
    path: &Path,
    text: &Arc<String>,
    servers: &[&ServerSection],
    tenant: Option<&crate::format::TenantSection>,
) -> Result<(), Vec<ScenarioError>> {
    let mut c = Checker {
        path,
        text,
        errors: Vec::new(),
    };
    for s in servers {
        server(&mut c, s);
    }
    if let Some(t) = tenant {
        if let Some(q) = &t.quota
            && !(1..=crate::limits::MAX_TENANT_QUOTA).contains(q.get_ref())
        {
            c.err(
                q.span(),
                format!(
                    "quota {} is outside 1 to {}",
                    thousands(*q.get_ref()),
                    thousands(crate::limits::MAX_TENANT_QUOTA)
                ),
                "omit it for the default (50,000, or 300,000 with a verified domain)",
            );
        }
        let cloud = u64::from(t.cloud_only_users) + u64::from(t.cloud_only_groups);
        if cloud > crate::limits::MAX_CLOUD_ONLY {
            let span = key_span(text, "tenant", "cloud_only_users", 0..text.len().min(1));
            c.err(
                span,
                format!(
                    "cloud_only_users + cloud_only_groups is {}, more than {}",
                    thousands(cloud),
                    thousands(crate::limits::MAX_CLOUD_ONLY)
                ),
                "count the tenant's cloud-only objects again (Get-MgUser, Get-MgGroup)",
            );
        }
    }
    if c.errors.is_empty() {
        Ok(())
    } else {
        Err(c.errors)
    }
}

fn server(c: &mut Checker, s: &ServerSection) {
    c.version(s.os.as_ref(), "os");
    c.version(s.dotnet.as_ref(), ".NET version");
    c.version(s.powershell.as_ref(), "PowerShell version");
}

/// The step a name refers to: an explicit `id`, else the action of a step without one.
fn resolve(file: &ScenarioFile, name: &str) -> Result<usize, usize> {
    let hits: Vec<usize> = file
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.get_ref().name() == name)
        .map(|(i, _)| i)
        .collect();
    match hits.as_slice() {
        [one] => Ok(*one),
        more => Err(more.len()),
    }
}

fn steps(c: &mut Checker, file: &ScenarioFile) {
    if file.steps.is_empty() {
        c.err(
            file.world.span(),
            "the scenario has no [[steps]]",
            "add at least one step, e.g. [[steps]] action = \"analyze\"",
        );
    }
    for (i, step) in file.steps.iter().enumerate() {
        let span = step.span();
        if let Some(id) = step.get_ref().explicit_id()
            && file.steps[..i]
                .iter()
                .any(|s| s.get_ref().explicit_id() == Some(id))
        {
            c.err(
                span.clone(),
                format!("two steps have the id `{id}`"),
                "ids must be unique",
            );
        }
        match step.get_ref() {
            Step::Churn {
                adds: 0,
                updates: 0,
                deletes: 0,
                ..
            } => c.err(
                span,
                "this churn changes nothing",
                "set adds, updates or deletes",
            ),
            Step::InstallParallel {
                sql: SqlChoiceSection::Full,
                sql_server,
                sql_instance,
                ..
            } if sql_server.is_none() || sql_instance.is_none() => c.err(
                span,
                "sql = \"full\" needs sql_server and sql_instance",
                "name the SQL Server instance the new server uses",
            ),
            _ => {}
        }
    }
}

fn step_ref(c: &mut Checker, file: &ScenarioFile, name: &Spanned<String>) -> Option<usize> {
    match resolve(file, name.get_ref()) {
        Ok(i) => Some(i),
        Err(0) => {
            let names: Vec<&str> = file.steps.iter().map(|s| s.get_ref().name()).collect();
            let help = closest(name.get_ref(), &names).map_or_else(
                || format!("the steps are: {}", names.join(", ")),
                |s| format!("did you mean `{s}`?"),
            );
            c.err(
                name.span(),
                format!("no step is named `{}`", name.get_ref()),
                help,
            );
            None
        }
        Err(n) => {
            c.err(
                name.span(),
                format!("{n} steps answer to `{}`", name.get_ref()),
                "give the step you mean an `id` and use it here",
            );
            None
        }
    }
}

fn faults(c: &mut Checker, file: &ScenarioFile) -> Vec<FaultTrigger> {
    let mut triggers = Vec::new();
    for f in &file.faults {
        let set: Vec<&str> = [
            f.at_minutes.as_ref().map(|_| "at_minutes"),
            f.before.as_ref().map(|_| "before"),
            f.after.as_ref().map(|_| "after"),
            f.during.as_ref().map(|_| "during"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if set.len() != 1 {
            c.err(
                f.kind.span(),
                format!(
                    "a fault needs exactly one of at_minutes, before, after, during (it has {})",
                    set.len()
                ),
                "say when it strikes, e.g. before = \"install_parallel\"",
            );
            continue;
        }
        if f.server.is_some() && !f.kind.get_ref().targets_server() {
            c.err(
                f.kind.span(),
                format!("`server` does not apply to {}", f.kind.get_ref().as_str()),
                "only sql_down, crash, proxy_403, proxy_407 and ad_connector_credentials concern one server",
            );
        }
        crash_phase(c, f);
        if let Some(m) = &f.for_minutes
            && *m.get_ref() == 0
        {
            c.err(
                m.span(),
                "for_minutes = 0 is no fault at all",
                "omit it to last until the end",
            );
        }
        let trigger = if let Some(t) = &f.at_minutes {
            Some(FaultTrigger::AtMinutes(*t.get_ref()))
        } else if let Some(n) = &f.before {
            step_ref(c, file, n).map(FaultTrigger::BeforeStep)
        } else if let Some(n) = &f.after {
            step_ref(c, file, n).map(FaultTrigger::AfterStep)
        } else {
            f.during
                .as_ref()
                .and_then(|n| step_ref(c, file, n))
                .map(FaultTrigger::DuringStep)
        };
        triggers.extend(trigger);
    }
    triggers
}

/// `phase` names a point of a run sequence: only a crash, only with `during`.
fn crash_phase(c: &mut Checker, f: &crate::format::Fault) {
    let Some(phase) = &f.phase else {
        return;
    };
    if *f.kind.get_ref() != crate::format::FaultKind::Crash {
        c.err(
            phase.span(),
            format!("`phase` does not apply to {}", f.kind.get_ref().as_str()),
            "only a crash strikes at a point of a run sequence; remove `phase`",
        );
    } else if f.during.is_none() {
        c.err(
            phase.span(),
            "`phase` needs `during`: the step from whose start the crash waits for that point",
            "write e.g. during = \"run_cycle\" with phase = \"during_export\"",
        );
    }
}

fn pending_exports(c: &mut Checker, p: &PendingExportsExpectation) {
    c.bound(p.adds.as_ref(), "pending_exports.adds");
    c.bound(p.updates.as_ref(), "pending_exports.updates");
    c.bound(p.deletes.as_ref(), "pending_exports.deletes");
    c.bound(p.total.as_ref(), "pending_exports.total");
    c.bound(p.directory_adds.as_ref(), "pending_exports.directory_adds");
    c.bound(
        p.directory_updates.as_ref(),
        "pending_exports.directory_updates",
    );
    c.bound(
        p.directory_deletes.as_ref(),
        "pending_exports.directory_deletes",
    );
    c.bound(
        p.rules_only_updates.as_ref(),
        "pending_exports.rules_only_updates",
    );
    c.bound(p.unexplained.as_ref(), "pending_exports.unexplained");
    let names = rule_difference_names();
    for (name, bound) in &p.rule_differences {
        c.word(
            name,
            "rule difference (an attribute Connect flows and DirSync did not)",
            &names,
        );
        c.bound(Some(bound), "pending_exports.rule_differences");
    }
}

/// The Azure AD names of the attributes Connect's rules flow and DirSync's did not.
fn rule_difference_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = attribute_flow::ATTRIBUTE_FLOWS
        .iter()
        .filter(|f| {
            ObjectKind::ALL
                .iter()
                .any(|&k| f.connect.contains(k) && !f.dirsync.contains(k))
        })
        .map(|f| f.aad_name)
        .collect();
    names.dedup();
    names
}

fn expectations(c: &mut Checker, file: &ScenarioFile) {
    expect_keys(c, file, &file.expect);
    checkpoints(c, file);
}

fn expect_keys(c: &mut Checker, file: &ScenarioFile, e: &Expect) {
    c.bound(e.estimate_minutes.as_ref(), "estimate_minutes");
    c.bound(e.tenant_objects.as_ref(), "tenant_objects");
    c.bound(e.tenant_live_objects.as_ref(), "tenant_live_objects");
    c.bound(e.sync_gap_minutes.as_ref(), "sync_gap_minutes");
    c.bound(e.sim_minutes.as_ref(), "sim_minutes");
    if let Some(f) = &e.first_connect_export {
        c.bound(
            f.started_minutes.as_ref(),
            "first_connect_export.started_minutes",
        );
        c.bound(f.minutes.as_ref(), "first_connect_export.minutes");
        c.bound(f.retries.as_ref(), "first_connect_export.retries");
    }
    if let Some(p) = &e.pending_exports {
        pending_exports(c, p);
    }
    for r in &e.runs {
        c.bound(r.count.as_ref(), "runs.count");
        c.bound(r.adds.as_ref(), "runs.adds");
        c.bound(r.updates.as_ref(), "runs.updates");
        c.bound(r.deletes.as_ref(), "runs.deletes");
    }
    if let Some(x) = &e.exports {
        c.bound(x.dirsync.as_ref(), "exports.dirsync");
        c.bound(x.connect.as_ref(), "exports.connect");
    }
    for k in e.events.iter().flatten() {
        c.word(k, "event", EVENT_KINDS);
    }
    for k in e.events_absent.iter().flatten() {
        c.word(k, "event", EVENT_KINDS);
        if e.events
            .iter()
            .flatten()
            .any(|p| p.get_ref() == k.get_ref())
        {
            c.err(
                k.span(),
                format!("`{}` is in both events and events_absent", k.get_ref()),
                "keep it in one of them",
            );
        }
    }
    for b in e.blockers.iter().flatten() {
        c.word(b, "blocker", BLOCKER_KINDS);
    }
    for p in e.prerequisite_findings.iter().flatten() {
        c.word(p, "prerequisite finding", PREREQUISITE_FINDINGS);
    }
    for r in &e.refusals {
        step_ref(c, file, &r.step);
        c.word(&r.kind, "refusal kind", REFUSAL_KINDS);
    }
    for r in &e.errors {
        step_ref(c, file, &r.step);
        c.word(&r.kind, "error kind", ERROR_KINDS);
    }
    for (i, v) in e.violations.iter().enumerate() {
        if e.violations[..i].iter().any(|w| w.get_ref() == v.get_ref()) {
            c.err(
                v.span(),
                format!("`{}` is listed twice", v.get_ref().as_str()),
                "",
            );
        }
    }
    sql(c, e);
    objects(c, e);
}

fn sql(c: &mut Checker, e: &Expect) {
    let Some(s) = &e.sql else { return };
    for v in [&s.analysis_found, &s.connect_uses].into_iter().flatten() {
        if v.get_ref().trim().is_empty() {
            c.err(
                v.span(),
                "the SQL Server name is empty",
                "write `server\\instance` (e.g. \"SQL01\\\\DIRSYNC\"), `express`, `localdb` or `none`",
            );
        }
    }
    if let Some(v) = &s.analysis_found
        && matches!(
            v.get_ref().to_ascii_lowercase().as_str(),
            "localdb" | "none"
        )
    {
        c.err(
            v.span(),
            format!("the analysis never finds `{}`", v.get_ref()),
            "DirSync runs on `express` or a full SQL Server `server\\instance`",
        );
    }
}

fn objects(c: &mut Checker, e: &Expect) {
    for o in &e.objects {
        match (&o.dn, &o.sam_account_name) {
            (Some(d), Some(_)) => c.err(
                d.span(),
                "an object is named by both dn and sam_account_name",
                "keep exactly one of them",
            ),
            (None, None) => c.err(
                o.in_tenant.span(),
                "an object needs dn or sam_account_name",
                "name the AD object, e.g. sam_account_name = \"user0001\"",
            ),
            _ => {}
        }
        if let Some(id) = &o.immutable_id
            && upgrade_lab_model::ObjectGuid::from_base64_windows(id.get_ref()).is_err()
        {
            c.err(
                id.span(),
                format!("`{}` is not an immutableId", id.get_ref()),
                "an immutableId is the base64 of the 16 bytes of an objectGUID, such as \"AAECAwQFBgcICQoLDA0ODw==\"",
            );
        }
        if !*o.in_tenant.get_ref()
            && let Some(id) = &o.immutable_id
        {
            c.err(
                id.span(),
                "immutable_id is set on an object expected not in the tenant",
                "remove immutable_id, or expect in_tenant = true",
            );
        }
        for name in o.attributes.keys() {
            let known: Vec<&str> = OBJECT_ATTRIBUTES.to_vec();
            if !known.iter().any(|k| k.eq_ignore_ascii_case(name.get_ref())) {
                let help = closest(name.get_ref(), &known).map_or_else(
                    || format!("one of: {}", known.join(", ")),
                    |s| format!("did you mean `{s}`?"),
                );
                c.err(
                    name.span(),
                    format!("unknown attribute `{}`", name.get_ref()),
                    help,
                );
            }
        }
    }
}

/// Keys of `[expect]` a checkpoint refuses: they judge the whole run, not a moment.
fn whole_run_keys(e: &Expect) -> Vec<(Range<usize>, &'static str)> {
    let mut out = Vec::new();
    out.extend(e.refusals.iter().map(|r| (r.step.span(), "refusals")));
    out.extend(e.errors.iter().map(|r| (r.step.span(), "errors")));
    out.extend(e.violations.iter().map(|v| (v.span(), "violations")));
    out
}

fn checkpoints(c: &mut Checker, file: &ScenarioFile) {
    for (i, cp) in file.checkpoints.iter().enumerate() {
        let at = step_ref(c, file, &cp.after);
        let same = file.checkpoints[..i]
            .iter()
            .any(|p| at.is_some() && resolve(file, p.after.get_ref()).ok() == at);
        if same {
            c.err(
                cp.after.span(),
                format!("two checkpoints are after `{}`", cp.after.get_ref()),
                "merge their expectations into one checkpoint",
            );
        }
        for (span, key) in whole_run_keys(cp.expect.get_ref()) {
            c.err(
                span,
                format!("`{key}` cannot be checked at a checkpoint"),
                format!(
                    "{key} are judged over the whole run: move them to [expect] (every refusal and error is reported with its step there)"
                ),
            );
        }
        expect_keys(c, file, cp.expect.get_ref());
    }
}
