//! The large customer the benchmarks and `upgrade-lab bench` upgrade: a directory of any size
//! (up to millions of objects), DirSync converged on a full SQL Server on its own host, and a
//! tenant whose object quota was raised to fit. One preset, so the criterion benches and the
//! CLI time the same world.

use super::builder::WorldBuilder;
use crate::tenant::TenantSpec;
use upgrade_lab_model::{Credential, Directory, SqlBackend};

/// The SQL Server instance DirSync's database lives on in the large customer's world.
const LARGE_CUSTOMER_DIRSYNC_SQL_INSTANCE: &str = "DIRSYNC";

/// Tenant quota headroom above the directory's object count: every object may be exported
/// once as itself and once more (a hard match that rebinds leaves the old one until deleted),
/// plus room for the tenant's own accounts.
const QUOTA_PER_OBJECT: u64 = 2;
/// Objects of the quota beyond `QUOTA_PER_OBJECT` per directory object.
const QUOTA_EXTRA: u64 = 1_000;

impl WorldBuilder {
    /// A large customer's world over `directory`: DirSync (converged, the default start) keeps
    /// its database on a full SQL Server on its own host, `DIRSYNC01\DIRSYNC` (SQL Server
    /// Express holds about 100,000 objects, and a remote SQL Server would need a domain service
    /// account for the in-place upgrade), and the tenant's quota is raised to twice the
    /// directory's objects plus 1,000 (the default quota of a verified domain is 300,000).
    ///
    /// Chain the other knobs (`.seed(…)`, `.timing(…)`) after it; the DirSync host stays
    /// [`super::builder::DEFAULT_DIRSYNC_HOST`], which the SQL Server's name follows.
    #[must_use]
    pub fn large_customer(directory: Directory) -> Self {
        let objects = directory.objects.len() as u64;
        let builder = WorldBuilder::default()
            .directory(directory)
            .tenant(TenantSpec {
                quota: Some(objects * QUOTA_PER_OBJECT + QUOTA_EXTRA),
                ..TenantSpec::default()
            });
        let mut config = builder.dirsync_config();
        config.sql = SqlBackend::Full {
            server: super::builder::DEFAULT_DIRSYNC_HOST.into(),
            instance: LARGE_CUSTOMER_DIRSYNC_SQL_INSTANCE.into(),
        };
        builder.dirsync(config)
    }

    /// DirSync's Azure AD account (a Hybrid Identity Administrator of the tenant) with the
    /// password the builder gives it: what an upgrade signs in to the tenant with.
    pub fn azure_ad_credential(&self) -> Credential {
        Credential::new(
            self.dirsync_config().azure_ad_account,
            self.azure_ad_password.as_str(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{DirectorySpec, generate};
    use crate::world::World;
    use upgrade_lab_engine::ports::{AzureTenant, DirSyncDiscovery, DirSyncServer};

    fn directory(users: u32) -> Directory {
        generate(&DirectorySpec {
            users,
            groups: users / 11,
            contacts: users / 56,
            ..DirectorySpec::default()
        })
        .expect("valid spec")
    }

    #[test]
    fn the_preset_puts_dirsync_on_full_sql_and_raises_the_quota() {
        let d = directory(1_200);
        let objects = d.objects.len() as u64;
        let builder = WorldBuilder::large_customer(d);
        let config = builder.dirsync_config();
        assert_eq!(
            config.sql,
            SqlBackend::Full {
                server: "DIRSYNC01".into(),
                instance: "DIRSYNC".into()
            }
        );
        assert_eq!(builder.tenant.quota, Some(objects * 2 + 1_000));
        // The tenant's default quota stays where it was for other worlds.
        assert_eq!(World::builder().tenant.quota, None);
    }

    #[test]
    fn the_world_builds_converged_and_its_credential_signs_in() {
        let builder = WorldBuilder::large_customer(directory(600)).seed(5);
        let aad = builder.azure_ad_credential();
        let world = builder.build().expect("the preset builds");
        let (mut dirsync, mut tenant) = (world.dirsync_port(), world.tenant_port());
        let (found, signed_in) =
            world.run(async move { (dirsync.discover().await, tenant.sign_in(&aad).await) });
        let Ok(DirSyncDiscovery::Installed(found)) = found else {
            panic!("DirSync is installed: {found:?}");
        };
        assert!(found.config.sql.is_full(), "{:?}", found.config.sql);
        assert!(
            found.object_counts.users >= 590,
            "{:?}",
            found.object_counts
        );
        assert!(signed_in.is_ok(), "{signed_in:?}");
        // A wrong password is refused, so the check above means something.
        let wrong = WorldBuilder::large_customer(directory(600)).azure_ad_password("other");
        let credential = Credential::new(wrong.dirsync_config().azure_ad_account, "nope");
        let world = wrong.build().expect("builds");
        let mut tenant = world.tenant_port();
        assert!(
            world
                .run(async move { tenant.sign_in(&credential).await })
                .is_err()
        );
    }
}
