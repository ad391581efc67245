//! A small lab for integration tests: a generated directory in a simulated world, and the
//! upgrade engine wired to the world's ports.

#![allow(dead_code)]

use upgrade_lab_engine::UpgradeOptions;
use upgrade_lab_model::{Credential, DirSyncConfig, Directory, SqlBackend};
use upgrade_lab_simulator::generate::{DirectorySpec, generate};
use upgrade_lab_simulator::world::builder::DEFAULT_PASSWORD;
use upgrade_lab_simulator::world::{World, WorldBuilder};

/// The engine as the tests drive it: against the world's ports.
pub type LabUpgrade = upgrade_lab_simulator::world::ports::WorldUpgrade;

/// The new server of a parallel deployment.
pub const NEW_SERVER: &str = "AADC01";

/// A directory of `users` users, a tenth as many groups and a twentieth as many contacts.
pub fn directory(users: u32, seed: u64) -> Directory {
    let spec = DirectorySpec {
        seed,
        users,
        groups: users / 10,
        contacts: users / 20,
        ..DirectorySpec::default()
    };
    generate(&spec).expect("the spec is valid")
}

/// A directory with exactly `objects` users + groups + contacts.
pub fn directory_of_exactly(objects: u32, seed: u64) -> Directory {
    let groups = objects / 20;
    let contacts = objects / 50;
    let spec = DirectorySpec {
        seed,
        users: objects - groups - contacts,
        groups,
        contacts,
        ou_depth: 1,
        ..DirectorySpec::default()
    };
    generate(&spec).expect("the spec is valid")
}

/// A world builder with DirSync's typical configuration over `directory`.
pub fn world_builder(directory: Directory) -> WorldBuilder {
    World::builder().directory(directory).seed(7)
}

/// DirSync's configuration on full SQL Server.
pub fn full_sql(mut config: DirSyncConfig) -> DirSyncConfig {
    config.sql = SqlBackend::Full {
        server: "SQL01".into(),
        instance: "DIRSYNC".into(),
    };
    config
}

/// The lab: a world and the credentials an administrator would type.
pub struct Lab {
    pub world: World,
    pub config: DirSyncConfig,
    pub enterprise_admin: Credential,
}

impl Lab {
    pub fn new(builder: WorldBuilder) -> Self {
        let config = builder.dirsync_config();
        let enterprise_admin = builder.default_enterprise_admin();
        let world = builder.build().expect("the world builds");
        Self {
            world,
            config,
            enterprise_admin,
        }
    }

    /// The wizard's defaults with the right credentials.
    pub fn options(&self) -> UpgradeOptions {
        UpgradeOptions::new(
            Credential::new(self.config.azure_ad_account.clone(), DEFAULT_PASSWORD),
            self.enterprise_admin.clone(),
        )
    }

    /// The engine for an in-place upgrade (Connect on the DirSync server).
    pub fn in_place(&self, options: UpgradeOptions) -> LabUpgrade {
        let host = self.world.dirsync_port().hostname().clone();
        self.world.upgrade(&host, options)
    }

    /// The engine for a parallel deployment onto [`NEW_SERVER`].
    pub fn parallel(&self, options: UpgradeOptions) -> LabUpgrade {
        self.world.upgrade(NEW_SERVER, options)
    }
}

/// Runs `scenarios/<name>.toml` after `edit` changed its text, with the file's own seed.
pub fn run_edited(
    name: &str,
    edit: impl Fn(String) -> String,
) -> upgrade_lab_scenario::outcome::ScenarioOutcome {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"));
    let text = edit(std::fs::read_to_string(&path).unwrap());
    let s = upgrade_lab_scenario::load_text(name, &path, text)
        .unwrap_or_else(|e| panic!("{}", e[0].plain()));
    upgrade_lab_scenario::runner::run_scenario(&s, s.seed())
}
