//! What the plan tests share: running `plan`, and the directory's names found in an output.

#![allow(dead_code)]

use upgrade_lab_model::Directory;

/// `upgrade-lab plan ARGS` to standard output; it must succeed.
pub fn plan_output(args: &[&str]) -> String {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_upgrade-lab"))
        .arg("plan")
        .args(args)
        .output()
        .expect("the binary runs");
    assert!(
        o.status.success(),
        "plan {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8")
}

/// The values of a DN's components (escaped commas kept inside their value).
fn components(dn: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut current, mut escaped) = (String::new(), false);
    for c in dn.chars().chain([',']) {
        match c {
            ',' if !escaped => {
                if let Some((_, v)) = current.split_once('=') {
                    out.push(v.trim().replace('\\', ""));
                }
                current.clear();
            }
            '\\' if !escaped => escaped = true,
            _ => {
                escaped = false;
                current.push(c);
            }
        }
    }
    out
}

/// Every sAMAccountName, UPN, mail address and DN component of the directory, except the
/// names every AD holds and the domains' last labels (`com`), which identify nobody.
pub fn names(d: &Directory) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for o in &d.objects {
        let a = &o.attrs;
        out.extend(
            a.sam_account_name()
                .iter()
                .map(std::string::ToString::to_string),
        );
        out.extend(
            a.user_principal_name()
                .iter()
                .map(std::string::ToString::to_string),
        );
        out.extend(a.mail().iter().map(std::string::ToString::to_string));
        out.extend(components(&o.dn));
    }
    for ou in &d.organizational_units {
        out.extend(components(&ou.dn));
    }
    out.retain(|n| !n.trim().is_empty() && !upgrade_lab_plan::is_public(n, d));
    out.sort();
    out.dedup();
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// The names of `d` that `text` holds as whole words, ignoring ASCII case (also HTML-escaped).
pub fn leaked_names(d: &Directory, text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    names(d)
        .into_iter()
        .filter(|name| {
            let escaped = name.replace('&', "&amp;").replace('\'', "&#39;");
            [name.to_ascii_lowercase(), escaped.to_ascii_lowercase()]
                .iter()
                .any(|n| {
                    lower.match_indices(n.as_str()).any(|(i, _)| {
                        let before = lower[..i].chars().next_back().is_none_or(|c| !is_word(c));
                        let after = lower[i + n.len()..]
                            .chars()
                            .next()
                            .is_none_or(|c| !is_word(c));
                        before && after
                    })
                })
        })
        .collect()
}
