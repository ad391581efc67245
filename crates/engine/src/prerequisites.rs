//! Prerequisite checks of the server Azure AD Connect is installed on (docs/real-systems.md,
//! "Prerequisites"): OS,
//! .NET, PowerShell, TLS 1.2, domain membership, proxy scope and the required endpoints. Each
//! finding says what is wrong and how to fix it.
//!
//! A pure function of the `ServerEnvironment` a port reported; it knows nothing of how the facts
//! were gathered.

use serde::{Deserialize, Serialize};
use upgrade_lab_model::{EndpointReach, ProxySetting, ServerEnvironment, Version};

/// The Azure AD Connect generation being installed (docs/real-systems.md, "Prerequisites").
/// The requirements differ by build.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConnectGeneration {
    /// Azure AD Connect 1.x (2015–2022).
    V1,
    /// Azure AD Connect V2 before 2.2.8.0.
    V2Early,
    /// V2 from 2.2.8.0 (.NET 4.7.1).
    V2,
    /// The current builds (2.5.79.0 and later: .NET 4.7.2 and TLS 1.2).
    #[default]
    V2Current,
}

impl std::fmt::Display for ConnectGeneration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ConnectGeneration::V1 => "1.x",
            ConnectGeneration::V2Early => "V2 before 2.2.8.0",
            ConnectGeneration::V2 => "V2 from 2.2.8.0",
            ConnectGeneration::V2Current => "V2 from 2.5.79.0",
        })
    }
}

impl ConnectGeneration {
    /// The generation an installer build belongs to.
    pub fn of_version(version: &Version) -> Self {
        if *version < Version::new(&[2]) {
            ConnectGeneration::V1
        } else if *version < Version::new(&[2, 2, 8, 0]) {
            ConnectGeneration::V2Early
        } else if *version < Version::new(&[2, 5, 79, 0]) {
            ConnectGeneration::V2
        } else {
            ConnectGeneration::V2Current
        }
    }

    /// A representative installer build of the generation.
    pub fn installer_version(self) -> Version {
        match self {
            ConnectGeneration::V1 => Version::new(&[1, 6, 16, 0]),
            ConnectGeneration::V2Early => Version::new(&[2, 0, 3, 0]),
            ConnectGeneration::V2 => Version::new(&[2, 2, 8, 0]),
            ConnectGeneration::V2Current => Version::new(&[2, 5, 79, 0]),
        }
    }

    /// The oldest Windows Server the generation installs on.
    pub fn min_os(self) -> (Version, &'static str) {
        match self {
            // Connect 1.x: 2008 patched or later, but password sync (DirSync's default) needs 2008
            // R2.
            ConnectGeneration::V1 => (Version::new(&[6, 1]), "Windows Server 2008 R2"),
            _ => (Version::new(&[10, 0, 14393]), "Windows Server 2016"),
        }
    }

    /// The oldest .NET Framework the generation's installer accepts.
    pub fn min_dotnet(self) -> Version {
        match self {
            ConnectGeneration::V1 => Version::new(&[4, 5, 1]),
            ConnectGeneration::V2Early => Version::new(&[4, 6, 2]),
            ConnectGeneration::V2 => Version::new(&[4, 7, 1]),
            ConnectGeneration::V2Current => Version::new(&[4, 7, 2]),
        }
    }

    /// The oldest Windows PowerShell the generation needs.
    pub fn min_powershell(self) -> Version {
        match self {
            ConnectGeneration::V1 => Version::new(&[3, 0]),
            _ => Version::new(&[5, 0]),
        }
    }

    /// Whether the generation needs TLS 1.2 enabled for .NET (2.x and later).
    pub fn requires_tls12(self) -> bool {
        !matches!(self, ConnectGeneration::V1)
    }
}

/// Which prerequisite a finding is about.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, strum::IntoStaticStr,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "snake_case")]
pub enum PrerequisiteCheck {
    /// The Windows Server version.
    OperatingSystem,
    /// `dotnet` in scenario files; serde's `dot-net` in the event stream.
    #[strum(serialize = "dotnet")]
    DotNet,
    /// `powershell` in scenario files; serde's `power-shell` in the event stream.
    #[strum(serialize = "powershell")]
    PowerShell,
    /// TLS 1.2 enabled for .NET (SchUseStrongCrypto).
    Tls12,
    /// The server is joined to a domain of the forest.
    DomainJoined,
    /// The proxy: Azure AD Connect uses the machine-wide settings (machine.config), not the
    /// signed-in user's.
    Proxy,
    /// Reaching Azure AD's endpoints.
    Endpoint,
}

/// An error blocks the installation; a warning does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Worth fixing; the installation proceeds.
    Warning,
    /// Blocks the installation until fixed.
    Error,
}

impl PrerequisiteCheck {
    /// The name in scenario files (`expect.prerequisite_findings`) and reports.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::fmt::Display for PrerequisiteCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PrerequisiteCheck::OperatingSystem => "operating system",
            PrerequisiteCheck::DotNet => ".NET Framework",
            PrerequisiteCheck::PowerShell => "PowerShell",
            PrerequisiteCheck::Tls12 => "TLS 1.2",
            PrerequisiteCheck::DomainJoined => "domain membership",
            PrerequisiteCheck::Proxy => "proxy",
            PrerequisiteCheck::Endpoint => "Azure AD endpoint",
        })
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// What is wrong and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Which prerequisite.
    pub check: PrerequisiteCheck,
    /// Whether it blocks the installation.
    pub severity: Severity,
    /// What is wrong, in the installer's terms.
    pub problem: String,
    /// What to do about it.
    pub fix: String,
}

impl Finding {
    fn error(check: PrerequisiteCheck, problem: String, fix: String) -> Self {
        Self {
            check,
            severity: Severity::Error,
            problem,
            fix,
        }
    }
}

/// Windows Server 2025 (10.0.26100) is not supported by Connect as of 2025-09
/// (docs/real-systems.md, "Prerequisites").
const WS2025: [u32; 3] = [10, 0, 26100];

/// Every prerequisite finding for installing `generation` on the server; empty = all met.
pub fn check_prerequisites(env: &ServerEnvironment, generation: ConnectGeneration) -> Vec<Finding> {
    let mut out = Vec::new();
    check_os(env, generation, &mut out);
    check_runtime(env, generation, &mut out);
    check_network(env, &mut out);
    out
}

/// The findings that block the installation.
pub fn blocking(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{} ({})", f.problem, f.fix))
        .collect()
}

fn check_os(env: &ServerEnvironment, generation: ConnectGeneration, out: &mut Vec<Finding>) {
    let (min_os, min_name) = generation.min_os();
    if env.os_version < min_os {
        out.push(Finding::error(
            PrerequisiteCheck::OperatingSystem,
            format!(
                "the OS version {} on {} is older than {min_name} ({min_os}), the minimum for \
                 Azure AD Connect {generation}",
                env.os_version, env.hostname
            ),
            format!(
                "install Azure AD Connect on a server running {min_name} or later (a parallel \
                 deployment on a new server)"
            ),
        ));
    } else if generation != ConnectGeneration::V1 && env.os_version >= Version::new(&WS2025) {
        out.push(Finding::error(
            PrerequisiteCheck::OperatingSystem,
            format!(
                "Windows Server 2025 ({}) is not supported by Azure AD Connect",
                env.os_version
            ),
            "use Windows Server 2016, 2019 or 2022".to_string(),
        ));
    }
    if !env.domain_joined {
        out.push(Finding::error(
            PrerequisiteCheck::DomainJoined,
            format!("{} is not joined to a domain", env.hostname),
            "join the server to a domain of the forest before installing".to_string(),
        ));
    }
}

fn check_runtime(env: &ServerEnvironment, generation: ConnectGeneration, out: &mut Vec<Finding>) {
    let dotnet = generation.min_dotnet();
    if env.dotnet_version < dotnet {
        out.push(Finding::error(
            PrerequisiteCheck::DotNet,
            format!(
                ".NET Framework {} is installed; Azure AD Connect {generation} needs {dotnet} \
                 or later (newer than DirSync needed)",
                env.dotnet_version
            ),
            format!("install .NET Framework {dotnet} or later, then reboot"),
        ));
    }
    let ps = generation.min_powershell();
    if env.powershell_version < ps {
        out.push(Finding::error(
            PrerequisiteCheck::PowerShell,
            format!(
                "Windows PowerShell {} is installed; Azure AD Connect {generation} needs {ps} \
                 or later",
                env.powershell_version
            ),
            format!("install Windows Management Framework {ps} or later"),
        ));
    }
    if generation.requires_tls12() && !env.tls12_enabled {
        out.push(Finding::error(
            PrerequisiteCheck::Tls12,
            "TLS 1.2 is not enabled; Azure AD Connect V2 uses TLS 1.2 only and its installation \
             fails without it"
                .to_string(),
            "enable TLS 1.2 (SCHANNEL TLS 1.2 Client and Server Enabled=1, DisabledByDefault=0; \
             .NETFramework v4.0.30319 SchUseStrongCrypto=1), then reboot"
                .to_string(),
        ));
    }
}

fn check_network(env: &ServerEnvironment, out: &mut Vec<Finding>) {
    if let ProxySetting::PerUser { address } = &env.proxy {
        out.push(Finding::error(
            PrerequisiteCheck::Proxy,
            format!(
                "the proxy {address} is configured only for the signed-in user; DirSync used the \
                 installing user's proxy, but Azure AD Connect uses the machine-wide settings"
            ),
            format!(
                "configure the proxy in machine.config before upgrading: <system.net><defaultProxy>\
                 <proxy usesystemdefault=\"true\" proxyaddress=\"{address}\" \
                 bypassonlocal=\"true\"/></defaultProxy></system.net>"
            ),
        ));
    }
    for endpoint in &env.endpoints {
        let (problem, fix) = match endpoint.reach {
            EndpointReach::Reachable => continue,
            EndpointReach::Unreachable => (
                "Unable to connect to the remote server",
                "no proxy is used or DNS fails: configure the machine-wide proxy and check name \
                 resolution and the firewall (port 443)",
            ),
            EndpointReach::ProxyForbidden403 => (
                "The remote server returned an error: (403) Forbidden",
                "the proxy does not allow this URL: open it in the proxy's allow list",
            ),
            EndpointReach::ProxyAuthRequired407 => (
                "The remote server returned an error: (407) Proxy Authentication Required",
                "the proxy needs authentication: set useDefaultCredentials=\"true\" on \
                 defaultProxy in machine.config, use a domain service account and a custom \
                 installation",
            ),
        };
        out.push(Finding::error(
            PrerequisiteCheck::Endpoint,
            format!("{}: {problem}", endpoint.url),
            fix.to_string(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prerequisite_names_in_scenario_files() {
        let names = [
            (PrerequisiteCheck::OperatingSystem, "operating_system"),
            (PrerequisiteCheck::DotNet, "dotnet"),
            (PrerequisiteCheck::PowerShell, "powershell"),
            (PrerequisiteCheck::Tls12, "tls12"),
            (PrerequisiteCheck::DomainJoined, "domain_joined"),
            (PrerequisiteCheck::Proxy, "proxy"),
            (PrerequisiteCheck::Endpoint, "endpoint"),
        ];
        for (check, name) in names {
            assert_eq!(check.as_str(), name);
        }
    }
    use upgrade_lab_model::EndpointStatus;

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    fn only(env: &ServerEnvironment, g: ConnectGeneration) -> Finding {
        let mut f = check_prerequisites(env, g);
        assert_eq!(f.len(), 1, "{f:#?}");
        f.remove(0)
    }

    #[test]
    fn a_current_server_meets_every_generation() {
        let env = ServerEnvironment::current("AADC01");
        for g in [
            ConnectGeneration::V1,
            ConnectGeneration::V2Early,
            ConnectGeneration::V2,
            ConnectGeneration::V2Current,
        ] {
            assert!(check_prerequisites(&env, g).is_empty(), "{g:?}");
        }
    }

    #[test]
    fn v2_needs_windows_server_2016_and_v1_accepts_2012() {
        let mut env = ServerEnvironment::current("DIRSYNC01");
        env.os_version = v("6.2.9200");
        let f = only(&env, ConnectGeneration::V2Current);
        assert_eq!(f.check, PrerequisiteCheck::OperatingSystem);
        assert!(
            f.problem.contains("Windows Server 2016 (10.0.14393)"),
            "{}",
            f.problem
        );
        assert!(check_prerequisites(&env, ConnectGeneration::V1).is_empty());
        env.os_version = v("6.0.6002");
        assert_eq!(
            only(&env, ConnectGeneration::V1).check,
            PrerequisiteCheck::OperatingSystem
        );
        env.os_version = v("10.0.14393");
        assert!(check_prerequisites(&env, ConnectGeneration::V2Current).is_empty());
        env.os_version = v("10.0.26100");
        assert!(
            only(&env, ConnectGeneration::V2Current)
                .problem
                .contains("Windows Server 2025")
        );
    }

    #[test]
    fn dotnet_minimum_follows_the_build() {
        let mut env = ServerEnvironment::current("AADC01");
        env.dotnet_version = v("4.7.1");
        assert!(check_prerequisites(&env, ConnectGeneration::V2).is_empty());
        let f = only(&env, ConnectGeneration::V2Current);
        assert_eq!(f.check, PrerequisiteCheck::DotNet);
        assert!(f.fix.contains("4.7.2"));
        env.dotnet_version = v("4.6.2");
        assert!(check_prerequisites(&env, ConnectGeneration::V2Early).is_empty());
        assert!(only(&env, ConnectGeneration::V2).problem.contains("4.7.1"));
        env.dotnet_version = v("4.5.1");
        assert!(check_prerequisites(&env, ConnectGeneration::V1).is_empty());
        assert_eq!(
            only(&env, ConnectGeneration::V2Early).check,
            PrerequisiteCheck::DotNet
        );
        env.dotnet_version = v("4.5");
        assert_eq!(
            only(&env, ConnectGeneration::V1).check,
            PrerequisiteCheck::DotNet
        );
    }

    #[test]
    fn powershell_3_for_v1_and_5_for_v2() {
        let mut env = ServerEnvironment::current("AADC01");
        env.powershell_version = v("4.0");
        assert!(check_prerequisites(&env, ConnectGeneration::V1).is_empty());
        let f = only(&env, ConnectGeneration::V2Early);
        assert_eq!(f.check, PrerequisiteCheck::PowerShell);
        env.powershell_version = v("2.0");
        assert_eq!(
            only(&env, ConnectGeneration::V1).check,
            PrerequisiteCheck::PowerShell
        );
    }

    #[test]
    fn tls12_is_required_by_v2_only() {
        let mut env = ServerEnvironment::current("AADC01");
        env.tls12_enabled = false;
        assert!(check_prerequisites(&env, ConnectGeneration::V1).is_empty());
        let f = only(&env, ConnectGeneration::V2Current);
        assert_eq!(f.check, PrerequisiteCheck::Tls12);
        assert!(f.fix.contains("SchUseStrongCrypto"));
    }

    #[test]
    fn a_per_user_proxy_must_move_to_machine_config() {
        let mut env = ServerEnvironment::current("AADC01");
        env.proxy = ProxySetting::PerUser {
            address: "http://proxy:8080".into(),
        };
        let f = only(&env, ConnectGeneration::V2Current);
        assert_eq!(f.check, PrerequisiteCheck::Proxy);
        assert!(f.problem.contains("machine-wide"));
        assert!(f.fix.contains("machine.config") && f.fix.contains("http://proxy:8080"));
        env.proxy = ProxySetting::Machine {
            address: "http://proxy:8080".into(),
        };
        assert!(check_prerequisites(&env, ConnectGeneration::V2Current).is_empty());
    }

    #[test]
    fn endpoints_unreachable_403_and_407_use_the_real_words() {
        let mut env = ServerEnvironment::current("AADC01");
        env.endpoints = vec![
            EndpointStatus {
                url: "https://login.microsoftonline.com".into(),
                reach: EndpointReach::Unreachable,
            },
            EndpointStatus {
                url: "https://a".into(),
                reach: EndpointReach::ProxyForbidden403,
            },
            EndpointStatus {
                url: "https://b".into(),
                reach: EndpointReach::ProxyAuthRequired407,
            },
        ];
        let f = check_prerequisites(&env, ConnectGeneration::V1);
        assert_eq!(f.len(), 3);
        assert!(
            f[0].problem
                .contains("Unable to connect to the remote server")
        );
        assert!(f[1].problem.contains("(403) Forbidden"));
        assert!(f[2].problem.contains("(407) Proxy Authentication Required"));
        assert!(f[2].fix.contains("useDefaultCredentials"));
        assert_eq!(blocking(&f).len(), 3);
    }

    #[test]
    fn a_workgroup_server_is_a_finding() {
        let mut env = ServerEnvironment::current("AADC01");
        env.domain_joined = false;
        assert_eq!(
            only(&env, ConnectGeneration::V2Current).check,
            PrerequisiteCheck::DomainJoined
        );
    }

    #[test]
    fn generations_follow_build_numbers() {
        assert_eq!(
            ConnectGeneration::of_version(&v("1.6.16.0")),
            ConnectGeneration::V1
        );
        assert_eq!(
            ConnectGeneration::of_version(&v("2.1.20.0")),
            ConnectGeneration::V2Early
        );
        assert_eq!(
            ConnectGeneration::of_version(&v("2.2.8.0")),
            ConnectGeneration::V2
        );
        assert_eq!(
            ConnectGeneration::of_version(&v("2.5.79.0")),
            ConnectGeneration::V2Current
        );
        for g in [
            ConnectGeneration::V1,
            ConnectGeneration::V2Early,
            ConnectGeneration::V2,
            ConnectGeneration::V2Current,
        ] {
            assert_eq!(ConnectGeneration::of_version(&g.installer_version()), g);
        }
    }
}
