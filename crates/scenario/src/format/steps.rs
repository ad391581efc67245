//! `[[steps]]`: what happens, in order. Each step names its `action`; a step may carry an `id`
//! so faults and expectations can point at it (by default a step is known by its action).

use serde::{Deserialize, Serialize};

/// The password the wizard is given for the Azure AD account ("Connect to Azure AD" page).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AzureAdCredentialChoice {
    /// The account DirSync uses, with its right password (the document's instruction).
    #[default]
    DirsyncAccount,
    /// Another Hybrid Identity Administrator, not the account DirSync uses.
    OtherAccount,
    /// A personal Microsoft account ("Unknown user type").
    MicrosoftAccount,
    /// The right account, a wrong password ("Invalid grant").
    WrongPassword,
    /// The right account, its password has expired.
    ExpiredPassword,
    /// An account without the Hybrid Identity Administrator role (or PIM not activated).
    NoRole,
}

/// The Enterprise Admins credential ("Connect to AD DS" page).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EnterpriseAdminChoice {
    /// A member of Enterprise Admins with the right password (the document's instruction).
    #[default]
    Valid,
    /// A valid account that is not in Enterprise Admins.
    NotEnterpriseAdmin,
    /// An Enterprise Admins account with a wrong password.
    WrongPassword,
    /// Nobody with Enterprise Admin rights is at hand.
    Missing,
}

/// The database a parallel server installs on.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SqlChoiceSection {
    /// SQL Server Express LocalDB installed by the wizard.
    #[default]
    Localdb,
    /// The same instance DirSync uses (refused: one sync engine per instance).
    DirsyncInstance,
    /// Another full SQL Server instance, named by `sql_server` and `sql_instance`.
    Full,
}

/// The sync service account of a parallel server.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ServiceAccountSection {
    /// A virtual service account (the installer's default; local SQL only).
    #[default]
    Virtual,
    /// A domain account; needed when the database is on a remote full SQL Server.
    Domain,
    /// A local account on the server.
    Local,
}

/// Which server a step or fault concerns.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Deserialize,
    Serialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ServerRef {
    /// The DirSync server.
    Dirsync,
    /// The Azure AD Connect server (in place: the DirSync host; parallel: the new server).
    #[default]
    Connect,
}

impl ServerRef {
    /// The name a scenario file uses: `dirsync` or `connect`.
    pub fn as_str(self) -> &'static str {
        match self {
            ServerRef::Dirsync => "dirsync",
            ServerRef::Connect => "connect",
        }
    }
}

fn yes() -> bool {
    true
}

fn one() -> u32 {
    1
}

/// One step. The variant is chosen by `action = "..."`.
#[derive(Clone, Debug, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Run the installer on the DirSync server up to its analysis page.
    Analyze {
        /// Optional unique name by which faults, checkpoints and expectations name this step;
        /// without it the step is named by its action (a name two steps answer to is refused).
        id: Option<String>,
    },
    /// Check a server's prerequisites (.NET, PowerShell, OS, TLS 1.2, proxy, endpoints).
    CheckPrerequisites {
        /// Optional unique name by which faults, checkpoints and expectations name this step;
        /// without it the step is named by its action (a name two steps answer to is refused).
        id: Option<String>,
        /// `dirsync` = the DirSync host (in place), `connect` = the new server.
        #[serde(default)]
        server: ServerRef,
    },
    /// **Export settings** on the analysis page; `force` = `AzureADConnect.exe /ForceExport`.
    ExportSettings {
        /// Optional unique name by which faults, checkpoints and expectations name this step;
        /// without it the step is named by its action (a name two steps answer to is refused).
        id: Option<String>,
        /// `true`: run the installer as `AzureADConnect.exe /ForceExport`, which offers Export
        /// settings under 50,000 objects too (default `false`).
        #[serde(default)]
        force: bool,
    },
    /// The in-place upgrade on the DirSync server: uninstall DirSync, install, resume sync.
    UpgradeInPlace {
        /// Optional unique name by which faults, checkpoints and expectations name this step;
        /// without it the step is named by its action (a name two steps answer to is refused).
        id: Option<String>,
        /// Tick "Continue upgrading DirSync on this computer" (needed at 50,000+ objects).
        #[serde(default)]
        continue_anyway: bool,
        /// The sync service account: `virtual` (default), `domain` or `local`; a remote full SQL
        /// Server needs `domain`.
        #[serde(default)]
        service_account: ServiceAccountSection,
        /// The Azure AD credential typed on "Connect to Azure AD" (default `dirsync_account`).
        #[serde(default)]
        azure_ad: AzureAdCredentialChoice,
        /// The credential typed on "Connect to AD DS" (default `valid`).
        #[serde(default)]
        enterprise_admin: EnterpriseAdminChoice,
    },
    /// `AzureADConnect.exe /migrate` on the separate server with the exported settings.
    InstallParallel {
        /// Optional unique name by which faults, checkpoints and expectations name this step;
        /// without it the step is named by its action (a name two steps answer to is refused).
        id: Option<String>,
        /// The database: `localdb` (default), `dirsync_instance` (refused) or `full` with
        /// `sql_server` and `sql_instance`.
        #[serde(default)]
        sql: SqlChoiceSection,
        /// With `sql = "full"`: the SQL Server host, e.g. `SQL02`.
        sql_server: Option<String>,
        /// With `sql = "full"`: the instance name, e.g. `AADC`.
        sql_instance: Option<String>,
        /// The sync service account: `virtual` (default), `domain` or `local`; a remote
        /// full SQL Server needs `domain`.
        #[serde(default)]
        service_account: ServiceAccountSection,
        /// "Start the synchronization process as soon as the configuration completes".
        #[serde(default = "yes")]
        start_sync: bool,
        /// A custom installation folder, e.g. `D:\AADConnect`; default: the installer's.
        install_location: Option<String>,
        /// The Azure AD credential typed on "Connect to Azure AD" (default `dirsync_account`).
        #[serde(default)]
        azure_ad: AzureAdCredentialChoice,
        /// The credential typed on "Connect to AD DS" (default `valid`).
        #[serde(default)]
        enterprise_admin: EnterpriseAdminChoice,
    },
    /// Run sync cycles on a server now, as the scheduler would (its next policy: initial
    /// or delta); the scheduler's own cycles also run while time passes.
    RunCycle {
        /// Optional unique name by which faults, checkpoints and expectations name this step;
        /// without it the step is named by its action (a name two steps answer to is refused).
        id: Option<String>,
        /// The server whose cycles run: `connect` (default) or `dirsync`.
        #[serde(default)]
        server: ServerRef,
        /// How many cycles to run back to back, 1 to 1,000 (default 1).
        #[serde(default = "one")]
        count: u32,
    },
    /// Changes made in on-premises AD.
    Churn {
        /// Optional unique name by which faults, checkpoints and expectations name this step;
        /// without it the step is named by its action (a name two steps answer to is refused).
        id: Option<String>,
        /// New objects added to AD (default 0); at most 10 × the live objects before the step (at
        /// least 10,000 allowed) and 1,000,000.
        #[serde(default)]
        adds: u64,
        /// Existing objects changed (a user's or contact's `title`, a group's `description`;
        /// default 0); with `deletes` at most the live objects before the step.
        #[serde(default)]
        updates: u64,
        /// Existing objects deleted from AD (default 0); with `updates` at most the live objects
        /// before the step.
        #[serde(default)]
        deletes: u64,
    },
    /// Check the staging server's runs and pending exports (the document's "Verify").
    VerifyStaging {
        /// Optional unique name by which faults, checkpoints and expectations name this step;
        /// without it the step is named by its action (a name two steps answer to is refused).
        id: Option<String>,
    },
    /// Uninstall "Windows Azure Active Directory sync tool" (up to 15 minutes).
    UninstallDirsync {
        /// Optional unique name by which faults, checkpoints and expectations name this step;
        /// without it the step is named by its action (a name two steps answer to is refused).
        id: Option<String>,
    },
    /// Stop and disable DirSync's service instead of uninstalling it.
    DisableDirsync {
        /// Optional unique name by which faults, checkpoints and expectations name this step;
        /// without it the step is named by its action (a name two steps answer to is refused).
        id: Option<String>,
    },
    /// Start DirSync's service again.
    EnableDirsync {
        /// Optional unique name by which faults, checkpoints and expectations name this step;
        /// without it the step is named by its action (a name two steps answer to is refused).
        id: Option<String>,
    },
    /// "Configure staging mode" → clear "Enable staging mode" in the installed wizard.
    DisableStaging {
        /// Optional unique name by which faults, checkpoints and expectations name this step;
        /// without it the step is named by its action (a name two steps answer to is refused).
        id: Option<String>,
        /// The Azure AD credential typed in the wizard (default `dirsync_account`).
        #[serde(default)]
        azure_ad: AzureAdCredentialChoice,
    },
    /// Run the installation MSI again on the Connect server (the document warns against it).
    RerunInstaller {
        /// Optional unique name by which faults, checkpoints and expectations name this step;
        /// without it the step is named by its action (a name two steps answer to is refused).
        id: Option<String>,
    },
    /// Let simulated time pass (scheduled cycles run meanwhile).
    Wait {
        /// Optional unique name by which faults, checkpoints and expectations name this step;
        /// without it the step is named by its action (a name two steps answer to is refused).
        id: Option<String>,
        /// Simulated minutes to let pass, 1 to 43,200 (30 days); all waits together must fit
        /// the simulated-time budget (129,600 minutes by default).
        minutes: u64,
    },
    /// Go back to DirSync: put Connect in staging and start DirSync again.
    Rollback {
        /// Optional unique name by which faults, checkpoints and expectations name this step;
        /// without it the step is named by its action (a name two steps answer to is refused).
        id: Option<String>,
    },
}

/// Every action name, in the order the README documents them.
pub const ACTIONS: [&str; 15] = [
    "analyze",
    "check_prerequisites",
    "export_settings",
    "upgrade_in_place",
    "install_parallel",
    "run_cycle",
    "churn",
    "verify_staging",
    "uninstall_dirsync",
    "disable_dirsync",
    "enable_dirsync",
    "disable_staging",
    "rerun_installer",
    "wait",
    "rollback",
];

impl Step {
    /// The action name as written in the file.
    pub fn action(&self) -> &'static str {
        match self {
            Step::Analyze { .. } => "analyze",
            Step::CheckPrerequisites { .. } => "check_prerequisites",
            Step::ExportSettings { .. } => "export_settings",
            Step::UpgradeInPlace { .. } => "upgrade_in_place",
            Step::InstallParallel { .. } => "install_parallel",
            Step::RunCycle { .. } => "run_cycle",
            Step::Churn { .. } => "churn",
            Step::VerifyStaging { .. } => "verify_staging",
            Step::UninstallDirsync { .. } => "uninstall_dirsync",
            Step::DisableDirsync { .. } => "disable_dirsync",
            Step::EnableDirsync { .. } => "enable_dirsync",
            Step::DisableStaging { .. } => "disable_staging",
            Step::RerunInstaller { .. } => "rerun_installer",
            Step::Wait { .. } => "wait",
            Step::Rollback { .. } => "rollback",
        }
    }

    /// The step's explicit `id`, if any.
    pub fn explicit_id(&self) -> Option<&str> {
        let id = match self {
            Step::Analyze { id }
            | Step::CheckPrerequisites { id, .. }
            | Step::ExportSettings { id, .. }
            | Step::UpgradeInPlace { id, .. }
            | Step::InstallParallel { id, .. }
            | Step::RunCycle { id, .. }
            | Step::Churn { id, .. }
            | Step::VerifyStaging { id }
            | Step::UninstallDirsync { id }
            | Step::DisableDirsync { id }
            | Step::EnableDirsync { id }
            | Step::DisableStaging { id, .. }
            | Step::RerunInstaller { id }
            | Step::Wait { id, .. }
            | Step::Rollback { id } => id,
        };
        id.as_deref()
    }

    /// The step's `id`, to set (generators name the steps they write).
    pub fn id_mut(&mut self) -> &mut Option<String> {
        match self {
            Step::Analyze { id }
            | Step::CheckPrerequisites { id, .. }
            | Step::ExportSettings { id, .. }
            | Step::UpgradeInPlace { id, .. }
            | Step::InstallParallel { id, .. }
            | Step::RunCycle { id, .. }
            | Step::Churn { id, .. }
            | Step::VerifyStaging { id }
            | Step::UninstallDirsync { id }
            | Step::DisableDirsync { id }
            | Step::EnableDirsync { id }
            | Step::DisableStaging { id, .. }
            | Step::RerunInstaller { id }
            | Step::Wait { id, .. }
            | Step::Rollback { id } => id,
        }
    }

    /// The name the step answers to: its `id`, else its action.
    pub fn name(&self) -> &str {
        self.explicit_id().unwrap_or(self.action())
    }
}
