//! The parallel deployment (docs/real-systems.md, "The parallel deployment"): **Export settings** on the
//! DirSync server (offered at 50,000 objects or more, or with `/ForceExport`; DirSync keeps
//! running), the file carried to the new server, `/migrate` with the advanced options (install
//! location, an SQL instance that is not DirSync's, a service account that is a domain account
//! when SQL is remote), installed in staging with start sync on by default. Also the initial
//! cycle an operator runs by hand when start sync was off.
//!
//! Orchestration only; the decisions are in `guards`, `settings_file`, `credentials`.

use crate::events::{Change, Check, Decision, EventKind, Override, ServerRole};
use crate::guards;
use crate::ports::{
    Clock, ConnectServer, DirSyncServer, InstallMode, PortErrorKind, Ports, SqlChoice,
};
use crate::settings_file;
use crate::upgrade::{Upgrade, UpgradeError, port};
use crate::verify::REQUIRED_RUNS;
use serde::Serialize;
use upgrade_lab_model::constants::PARALLEL_RECOMMEND_OBJECTS;
use upgrade_lab_model::{RunRecord, SettingsDocument, SimTime, Version};

/// What Export settings wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExportReport {
    /// The DirSync server the settings were exported on.
    pub host: String,
    /// Where the file was written on it.
    pub path: String,
    /// The file's size in bytes.
    pub bytes_count: u64,
    /// When it was written: pending exports are explained by AD changes since then.
    pub exported_at: SimTime,
    /// What the file holds (sealed with its checksum).
    pub document: SettingsDocument,
}

/// What the `/migrate` installation did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParallelReport {
    /// The new server.
    pub host: String,
    /// The Azure AD Connect version installed.
    pub version: Version,
    /// When the installation finished.
    pub finished_at: SimTime,
    /// Always `true`: a `/migrate` installation starts in staging mode.
    pub staging: bool,
    /// The initial cycle starts as soon as the configuration completes.
    pub start_sync: bool,
    /// Its database: `SQL Server Express LocalDB` or `server\instance`.
    pub sql: String,
    /// Sign out of Windows and in again before using the sync tools.
    pub sign_out_required: bool,
}

impl<P: Ports> Upgrade<P> {
    /// Export settings on the DirSync server. DirSync keeps running and exporting.
    pub async fn export_settings(&mut self) -> Result<ExportReport, UpgradeError> {
        let (analysis, installation) = self.analyze_with_installation().await?;
        guards::guard_not_blocked(&analysis).map_err(|r| self.refuse(r))?;
        guards::guard_export_offered(&analysis, self.options.force_export)
            .map_err(|r| self.refuse(r))?;
        if analysis.objects_count < PARALLEL_RECOMMEND_OBJECTS {
            self.note_override(
                Override::ForceExport,
                "AzureADConnect.exe /ForceExport: a parallel deployment despite fewer than \
                 50,000 objects",
            );
        }
        let document = settings_file::export_document(&installation);
        settings_file::check_complete(&document)?;
        let bytes = settings_file::to_bytes(&document);
        let bytes_count = bytes.len() as u64;
        let path = self.options.settings_path.clone();
        self.dirsync
            .write_file(&path, bytes)
            .await
            .map_err(port("write the settings file"))?;
        let exported_at = self.clock.now();
        self.emit(EventKind::Changed {
            server: ServerRole::DirSync,
            change: Change::SettingsExported {
                host: installation.hostname.clone(),
                path: path.clone(),
                bytes_count,
            },
        });
        self.state.settings = Some(document.clone());
        self.state.settings_exported_at = Some(exported_at);
        Ok(ExportReport {
            host: installation.hostname,
            path,
            bytes_count,
            exported_at,
            document,
        })
    }

    /// Carries the settings file from the DirSync server to the new server (same path).
    pub async fn copy_settings_file(&mut self) -> Result<(), UpgradeError> {
        let path = self.options.settings_path.clone();
        let bytes = self
            .dirsync
            .read_file(&path)
            .await
            .map_err(port("read the settings file on the DirSync server"))?;
        self.connect
            .write_file(&path, bytes)
            .await
            .map_err(port("copy the settings file to the new server"))?;
        self.emit(EventKind::Changed {
            server: ServerRole::Connect,
            change: Change::SettingsCopied { path },
        });
        Ok(())
    }

    /// Reads and validates the settings file on the new server, copying it from the DirSync
    /// server first if it is not there yet.
    async fn read_settings_on_new_server(&mut self) -> Result<SettingsDocument, UpgradeError> {
        let path = self.options.settings_path.clone();
        let bytes = match self.connect.read_file(&path).await {
            Err(e) if e.kind == PortErrorKind::FileNotFound => {
                self.copy_settings_file().await?;
                self.connect.read_file(&path).await
            }
            other => other,
        }
        .map_err(port("read the settings file on the new server"))?;
        match settings_file::parse_settings(&bytes) {
            Ok(doc) => {
                self.checked(
                    Check::SettingsFile,
                    true,
                    format!(
                        "{path}: DirSync {} settings from {} for {}",
                        doc.source_version, doc.source_host, doc.tenant
                    ),
                );
                Ok(doc)
            }
            Err(e) => {
                self.checked(Check::SettingsFile, false, format!("{path}: {e}"));
                Err(e.into())
            }
        }
    }

    /// `AzureADConnect.exe /migrate` on the new server: imports the settings and installs in
    /// staging mode.
    pub async fn install_parallel(&mut self) -> Result<ParallelReport, UpgradeError> {
        self.require_no_connect_installation().await?;
        self.require_prerequisites().await?;
        let settings = self.read_settings_on_new_server().await?;
        let (host, sql) = self.choose_new_database(&settings).await?;
        self.collect_credentials(None).await?;
        let request = self.install_request(
            InstallMode::Migrate,
            settings.clone(),
            sql,
            self.options.service_account.clone(),
        );
        let (start_sync, sql_name) = (request.start_sync, request.sql.display_name());
        let receipt = self
            .install_connect(request, &host, "install Azure AD Connect with /migrate")
            .await?;
        self.decided(
            Decision::SignOutRequired { host: host.clone() },
            "staging mode: sync runs but nothing is exported to Azure AD; sign out and in \
             before using the sync tools",
        );
        self.state.settings = Some(settings);
        self.state.installed_at = Some(receipt.finished_at);
        Ok(ParallelReport {
            host,
            version: receipt.version,
            finished_at: receipt.finished_at,
            staging: true,
            start_sync,
            sql: sql_name,
            sign_out_required: receipt.sign_out_required,
        })
    }

    /// The new server's database: not DirSync's instance, and with a remote SQL Server a
    /// domain service account. Returns the new server's name and the database.
    async fn choose_new_database(
        &mut self,
        settings: &SettingsDocument,
    ) -> Result<(String, SqlChoice), UpgradeError> {
        let sql = self.options.sql.clone();
        guards::guard_sql_not_dirsyncs(&sql, &settings.sql).map_err(|r| self.refuse(r))?;
        let host = self
            .connect
            .environment()
            .await
            .map_err(port("read the new server's name"))?
            .hostname;
        guards::guard_service_account(&sql, &host, &self.options.service_account)
            .map_err(|r| self.refuse(r))?;
        self.checked(
            Check::SqlInstance,
            true,
            format!(
                "{} is not DirSync's instance ({})",
                sql.display_name(),
                settings.sql.display_name()
            ),
        );
        Ok((host, sql))
    }

    /// Runs the initial cycle by hand (Full Import, then Full Synchronization, on both
    /// connectors), as an operator does when start sync was off.
    pub async fn run_initial_cycle(&mut self) -> Result<Vec<RunRecord>, UpgradeError> {
        let mut records = Vec::with_capacity(REQUIRED_RUNS.len());
        for (connector, profile) in REQUIRED_RUNS {
            let record = self
                .connect
                .run_profile(connector, profile)
                .await
                .map_err(port("run the initial cycle"))?;
            self.emit(EventKind::Changed {
                server: ServerRole::Connect,
                change: Change::RunProfile {
                    connector,
                    profile,
                    status: record.status.as_str().to_string(),
                },
            });
            records.push(record);
        }
        Ok(records)
    }
}
