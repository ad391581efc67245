//! A Samba Active Directory domain controller on loopback for the tests that read a live
//! directory (`samba_dc.rs`, `plan_samba.rs`): provisioned into a scratch folder, filled with
//! users, contacts, groups (one of more than 2,000 members, so a read needs ranged retrieval) and
//! an OU, served over LDAPS (636) and LDAP with StartTLS (389), stopped when dropped.
//!
//! Needs Debian's `samba`, `ldb-tools` and `ldap-utils` (and `openssl` for the test CA) and root.
//! Without them a test says so and passes, except under `CI=true`, where `.ci/run` installs them
//! and a missing one is a failure.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::fs;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const REALM: &str = "LAB.TEST";
pub const BASE: &str = "DC=lab,DC=test";
/// Only for this throw-away test domain; never a real credential.
pub const ADMIN_PASSWORD: &str = "Lab-Admin-Pw1!";
pub const USERS: usize = 320;
pub const CONTACTS: usize = 1_750;
pub const BIG_GROUP_MEMBERS: usize = 2_050;

/// Skips (outside CI) or fails (under CI=true) when the DC cannot be run here.
pub fn unavailable(reason: &str) -> bool {
    assert!(
        !std::env::var("CI").is_ok_and(|v| v == "true"),
        "the Samba DC test cannot run: {reason}; .ci/run installs samba, ldb-tools and openssl"
    );
    eprintln!(
        "SKIPPED: the Samba DC test: {reason} (apt-get install samba ldb-tools openssl; run as root)"
    );
    true
}

pub fn missing_prerequisite() -> Option<String> {
    for tool in ["samba", "samba-tool", "ldbadd", "ldapsearch", "openssl"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            return Some(format!("`{tool}` is not installed"));
        }
    }
    let uid = Command::new("id").arg("-u").output().ok()?;
    (String::from_utf8_lossy(&uid.stdout).trim() != "0").then(|| "not running as root".into())
}

pub fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A CA and a server certificate for 127.0.0.1, signed by it.
pub fn certificates(dir: &Path) {
    let sh = |script: &str| {
        run(
            Command::new("sh").args(["-c", script]).current_dir(dir),
            script,
        )
    };
    sh(
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=upgrade-lab-test-ca 2>/dev/null",
    );
    sh(
        "openssl req -newkey rsa:2048 -nodes -keyout key.pem -out dc.csr -subj /CN=127.0.0.1 2>/dev/null",
    );
    sh(
        "printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext && openssl x509 -req -in dc.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cert.pem -days 2 -extfile san.ext 2>/dev/null",
    );
    sh("chmod 600 key.pem");
}

/// Provisions the domain into `dir` and returns its smb.conf.
pub fn provision(dir: &Path) -> PathBuf {
    run(
        Command::new("samba-tool").args([
            "domain",
            "provision",
            &format!("--realm={REALM}"),
            "--domain=LAB",
            "--server-role=dc",
            "--dns-backend=NONE",
            &format!("--targetdir={}", dir.display()),
            &format!("--adminpass={ADMIN_PASSWORD}"),
            "--host-ip=127.0.0.1",
            "--option=interfaces=127.0.0.1",
            "--option=bind interfaces only=yes",
        ]),
        "samba-tool domain provision",
    );
    let conf = dir.join("etc/smb.conf");
    let text = fs::read_to_string(&conf).unwrap();
    let tls = |name: &str| dir.join(name).display().to_string();
    let extra = format!(
        "\tserver services = ldap\n\tldap server require strong auth = no\n\
         \tlog file = {}\n\ttls enabled = yes\n\ttls keyfile = {}\n\ttls certfile = {}\n\ttls cafile = {}\n",
        tls("samba.log"),
        tls("key.pem"),
        tls("cert.pem"),
        tls("ca.pem")
    );
    let text: String = text
        .lines()
        .filter(|l| {
            !l.trim_start().starts_with("server services")
                && !l.trim_start().starts_with("log file")
        })
        .flat_map(|l| [l, "\n"])
        .collect::<String>()
        .replacen("[global]\n", &format!("[global]\n{extra}"), 1);
    fs::write(&conf, text).unwrap();
    conf
}

/// The directory's objects, as LDIF for `ldbadd`.
pub fn population() -> String {
    let mut out = format!("dn: OU=Staff,{BASE}\nobjectClass: organizationalUnit\nou: Staff\n\n");
    for i in 0..USERS {
        let _ = write!(
            out,
            "dn: CN=User {i:04},OU=Staff,{BASE}\nobjectClass: user\nsAMAccountName: user{i:04}\n\
             userPrincipalName: user{i:04}@lab.test\ngivenName: User\nsn: Number{i:04}\n\
             displayName: User {i:04}\nmail: user{i:04}@lab.test\n\n"
        );
    }
    for i in 0..CONTACTS {
        let _ = write!(
            out,
            "dn: CN=Contact {i:04},OU=Staff,{BASE}\nobjectClass: contact\n\
             displayName: Contact {i:04}\nmail: contact{i:04}@partner.example\n\n"
        );
    }
    let mut members = (0..USERS).map(|i| format!("member: CN=User {i:04},OU=Staff,{BASE}\n"));
    let small: String = members.by_ref().take(10).collect();
    let big: String = (0..USERS)
        .map(|i| format!("member: CN=User {i:04},OU=Staff,{BASE}\n"))
        .chain(
            (0..BIG_GROUP_MEMBERS - USERS)
                .map(|i| format!("member: CN=Contact {i:04},OU=Staff,{BASE}\n")),
        )
        .collect();
    let _ = write!(
        out,
        "dn: CN=Small Group,OU=Staff,{BASE}\nobjectClass: group\nsAMAccountName: smallgroup\n{small}\n"
    );
    let _ = write!(
        out,
        "dn: CN=Big Group,OU=Staff,{BASE}\nobjectClass: group\nsAMAccountName: biggroup\n{big}\n"
    );
    out
}

/// The running DC; stopped when dropped.
pub struct Dc {
    pub child: Child,
}

impl Drop for Dc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(conf: &Path) -> Dc {
    let child = Command::new("samba")
        .args(["-i", "-M", "single", "-s"])
        .arg(conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("samba starts");
    let dc = Dc { child };
    let deadline = Instant::now() + Duration::from_secs(120);
    while TcpStream::connect(("127.0.0.1", 636)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the DC did not listen on 127.0.0.1:636 within 120 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    dc
}

/// The directory as OpenLDAP's `ldapsearch` exports it (paged, binary values in base64, as
/// `ldifde -f` writes them): the LDIF a Linux administrator would hand us.
pub fn ldapsearch_export(dir: &Path) -> String {
    run(
        Command::new("ldapsearch")
            .env("LDAPTLS_CACERT", dir.join("ca.pem"))
            .args(["-LLL", "-x", "-o", "ldif-wrap=no", "-E", "pr=1000/noprompt"])
            .args([
                "-H",
                "ldaps://127.0.0.1:636",
                "-D",
                "Administrator@lab.test",
                "-w",
                ADMIN_PASSWORD,
            ])
            .args(["-b", BASE, "(objectClass=*)", "*"]),
        "ldapsearch",
    )
}

/// Whether the DC can run here; `false` after saying why (outside CI) or failing (under CI).
pub fn available() -> bool {
    if let Some(reason) = missing_prerequisite() {
        !unavailable(&reason)
    } else {
        for port in [389, 636] {
            assert!(
                TcpStream::connect(("127.0.0.1", port)).is_err(),
                "127.0.0.1:{port} is already in use (another LDAP server or a DC left running): stop it first"
            );
        }
        true
    }
}

/// A provisioned, populated and running DC in a fresh scratch folder named after `test`.
pub fn lab_dc(test: &str) -> (Dc, PathBuf) {
    let dir = std::env::temp_dir().join(format!("upgrade-lab-{test}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    certificates(&dir);
    let conf = provision(&dir);
    let sam = dir.join("private/sam.ldb");
    fs::write(dir.join("population.ldif"), population()).unwrap();
    run(
        Command::new("ldbadd")
            .arg("-H")
            .arg(&sam)
            .arg(dir.join("population.ldif")),
        "ldbadd",
    );
    (start(&conf), dir)
}
