//! Small hand-built directories, settings and install requests for the world tests.
#![allow(dead_code)]

use std::sync::Arc;
use upgrade_lab_engine::ports::{InstallMode, InstallRequest, ServiceAccount, SqlChoice};
use upgrade_lab_model::PackedTexts;
use upgrade_lab_model::attribute_flow::Field;
use upgrade_lab_model::settings::SETTINGS_SCHEMA_VERSION;
use upgrade_lab_model::{
    Attributes, Credential, DirSyncConfig, Directory, DirectoryObject, Domain, MigratedFeatures,
    ObjectCounts, ObjectGuid, ObjectKind, OrganizationalUnit, SettingsDocument, SourceAnchor,
    Value,
};
use upgrade_lab_simulator::world::builder::DEFAULT_PASSWORD;

pub const OUS: [&str; 3] = ["Staff", "Sales", "Lab"];

fn guid(n: u32, kind: u8) -> ObjectGuid {
    let mut b = [0u8; 16];
    b[..4].copy_from_slice(&n.to_be_bytes());
    b[4] = kind;
    b[15] = 0x5a;
    ObjectGuid::from_bytes(b)
}

fn v(s: impl AsRef<str>) -> Value {
    Arc::from(s.as_ref())
}

/// A user in `OU=<ou>,DC=<domain>` with a UPN, mail and primary SMTP address.
pub fn user(n: u32, ou: &str, domain: &str) -> DirectoryObject {
    let name = format!("user{n}");
    let dc = upgrade_lab_model::dn::domain_dn(domain);
    let upn = format!("{name}@{domain}");
    DirectoryObject {
        guid: guid(n, 1),
        kind: ObjectKind::User,
        dn: v(format!("CN={name},OU={ou},{dc}")),
        attrs: Arc::new({
            let mut a = Attributes::with_texts(PackedTexts::of_some(&[
                (Field::Cn, Some(&name)),
                (Field::SamAccountName, Some(&name)),
                (Field::UserPrincipalName, Some(&upn)),
                (Field::Mail, Some(&format!("{name}.mail@{domain}"))),
                (
                    Field::ProxyAddresses,
                    Some(&format!("SMTP:{name}.mail@{domain}")),
                ),
                (Field::DisplayName, Some(&format!("User {n}"))),
                (Field::Department, Some(OUS[n as usize % 3])),
                (
                    Field::Extension(15),
                    n.is_multiple_of(5).then_some("NoSync"),
                ),
            ]));
            a.set_user_account_control(Some(512));
            a
        }),
        usn_changed: 0,
        when_changed_ms: 0,
    }
}

pub fn group(n: u32, domain: &str) -> DirectoryObject {
    let dc = upgrade_lab_model::dn::domain_dn(domain);
    DirectoryObject {
        guid: guid(n, 2),
        kind: ObjectKind::Group,
        dn: v(format!("CN=group{n},OU=Staff,{dc}")),
        attrs: Arc::new({
            let mut a = Attributes::from_texts(&[
                (Field::Cn, &v(format!("group{n}"))),
                (Field::SamAccountName, &v(format!("group{n}"))),
            ]);
            a.set_group_type(Some(-2_147_483_646));
            a
        }),
        usn_changed: 0,
        when_changed_ms: 0,
    }
}

pub fn contact(n: u32, domain: &str) -> DirectoryObject {
    let dc = upgrade_lab_model::dn::domain_dn(domain);
    DirectoryObject {
        guid: guid(n, 3),
        kind: ObjectKind::Contact,
        dn: v(format!("CN=contact{n},OU=Sales,{dc}")),
        attrs: Arc::new(Attributes::from_texts(&[
            (Field::Cn, &v(format!("contact{n}"))),
            (Field::Mail, &v(format!("contact{n}@partner.example"))),
            (
                Field::ProxyAddresses,
                &v(format!("SMTP:contact{n}@partner.example")),
            ),
        ])),
        usn_changed: 0,
        when_changed_ms: 0,
    }
}

/// `users` users spread over contoso.com and emea.contoso.com and the three OUs, plus groups
/// and contacts.
pub fn directory(users: u32, groups: u32, contacts: u32) -> Directory {
    let domains = ["contoso.com", "emea.contoso.com"];
    let mut objects = Vec::new();
    for n in 0..users {
        objects.push(user(n, OUS[n as usize % 3], domains[(n as usize / 3) % 2]));
    }
    for n in 0..groups {
        objects.push(group(n, domains[n as usize % 2]));
    }
    for n in 0..contacts {
        objects.push(contact(n, domains[n as usize % 2]));
    }
    Directory {
        forest: v("contoso.com"),
        domains: vec![
            Domain {
                dns_name: v("contoso.com"),
                netbios_name: v("CONTOSO"),
            },
            Domain {
                dns_name: v("emea.contoso.com"),
                netbios_name: v("EMEA"),
            },
        ],
        organizational_units: domains
            .iter()
            .flat_map(|d| {
                OUS.iter().map(move |ou| OrganizationalUnit {
                    guid: ObjectGuid::default(),
                    dn: v(format!("OU={ou},{}", upgrade_lab_model::dn::domain_dn(d))),
                })
            })
            .collect(),
        objects,
    }
}

pub fn config() -> DirSyncConfig {
    DirSyncConfig::typical("contoso.com", "contoso.onmicrosoft.com")
}

/// The settings document the engine would export from `config`.
pub fn settings(config: &DirSyncConfig) -> SettingsDocument {
    SettingsDocument {
        schema_version: SETTINGS_SCHEMA_VERSION,
        source_product: "DirSync".into(),
        source_version: config.version.clone(),
        source_host: "DIRSYNC01".into(),
        tenant: config.tenant.clone(),
        azure_ad_account: config.azure_ad_account.clone(),
        forest: config.forest.clone(),
        domains: vec!["contoso.com".into(), "emea.contoso.com".into()],
        filters: config.filters.clone(),
        features: MigratedFeatures {
            password_sync: config.password_sync,
            exchange_hybrid: config.exchange_hybrid,
        },
        alternate_login_id: config.alternate_login_id.clone(),
        sql: config.sql.clone(),
        object_counts: ObjectCounts::default(),
        source_anchor: SourceAnchor::ObjectGuid,
        checksum: String::new(),
    }
}

pub fn install_request(config: &DirSyncConfig, mode: InstallMode, staging: bool) -> InstallRequest {
    InstallRequest {
        mode,
        settings: settings(config),
        install_location: None,
        sql: SqlChoice::LocalDb,
        service_account: ServiceAccount::Virtual,
        staging,
        start_sync: true,
        azure_ad: Credential::new(config.azure_ad_account.clone(), DEFAULT_PASSWORD),
        enterprise_admin: Credential::new("CONTOSO\\Administrator", DEFAULT_PASSWORD),
    }
}
