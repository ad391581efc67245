//! The Windows server an installer runs on: OS, .NET, PowerShell, TLS 1.2, proxy scope and which
//! endpoints it reaches. Reported by a server port, judged by the engine's prerequisite checks.

use crate::version::Version;
use serde::{Deserialize, Serialize};

/// How the server reaches the internet (docs/real-systems.md, "Prerequisites").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scope", rename_all = "kebab-case")]
pub enum ProxySetting {
    /// No proxy: direct connection.
    None,
    /// A proxy configured machine-wide (`machine.config`), which Connect uses.
    Machine {
        /// The proxy's URL.
        address: String,
    },
    /// A proxy configured only for the installing user (IE settings), as DirSync used it.
    PerUser {
        /// The proxy's URL.
        address: String,
    },
}

/// What an HTTP probe of a required endpoint got back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndpointReach {
    /// The endpoint answered.
    Reachable,
    /// "Unable to connect to the remote server".
    Unreachable,
    /// HTTP 403 from the proxy: URL not allowed.
    ProxyForbidden403,
    /// HTTP 407 from the proxy: proxy authentication required.
    ProxyAuthRequired407,
}

/// A required endpoint and how it answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointStatus {
    /// The endpoint probed.
    pub url: String,
    /// What the probe got back.
    pub reach: EndpointReach,
}

/// The facts of a server that prerequisites are judged on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerEnvironment {
    /// The server's host name.
    pub hostname: String,
    /// Windows Server version as `major.minor.build` (WS2016 = 10.0.14393).
    pub os_version: Version,
    /// The installed .NET Framework (`4.7.2`).
    pub dotnet_version: Version,
    /// The installed Windows PowerShell (`5.1`).
    pub powershell_version: Version,
    /// TLS 1.2 is enabled for .NET (SchUseStrongCrypto).
    pub tls12_enabled: bool,
    /// How the server reaches the internet.
    pub proxy: ProxySetting,
    /// How each required endpoint answered.
    pub endpoints: Vec<EndpointStatus>,
    /// The server is joined to a domain of the forest.
    pub domain_joined: bool,
}

/// The endpoints DirSync-equivalent scenarios need (docs/real-systems.md, "Prerequisites").
pub const REQUIRED_ENDPOINTS: [&str; 3] = [
    "https://login.microsoftonline.com",
    "https://adminwebservice.microsoftonline.com/ProvisioningService.svc",
    "https://provisioningapi.microsoftonline.com",
];

impl ServerEnvironment {
    /// A server that meets the current generation's prerequisites: WS2019, .NET 4.8,
    /// PowerShell 5.1, TLS 1.2, no proxy, every endpoint reachable.
    pub fn current(hostname: &str) -> Self {
        Self {
            hostname: hostname.to_string(),
            os_version: Version::new(&[10, 0, 17763]),
            dotnet_version: Version::new(&[4, 8]),
            powershell_version: Version::new(&[5, 1]),
            tls12_enabled: true,
            proxy: ProxySetting::None,
            endpoints: REQUIRED_ENDPOINTS
                .iter()
                .map(|u| EndpointStatus {
                    url: u.to_string(),
                    reach: EndpointReach::Reachable,
                })
                .collect(),
            domain_joined: true,
        }
    }
}
