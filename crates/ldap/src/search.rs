//! The protocol side: connecting (LDAPS or StartTLS), binding, finding the default naming
//! context, the paged subtree search and ranged retrieval of large attributes.

use crate::entry::{RawEntry, ranged, raw_entry};
use crate::error::LdapReadError;
use crate::render::Rendered;
use crate::{LdapSource, PAGE_SIZE, tls};
use ldap3::adapters::PagedResults;
use ldap3::{LdapConn, LdapConnSettings, Scope, parse_refs};

/// Result codes of RFC 4511 the read answers to by name.
const TIME_LIMIT_EXCEEDED: u32 = 3;
const SIZE_LIMIT_EXCEEDED: u32 = 4;
const REFERRAL: u32 = 10;

/// Every user attribute, and `member` by ranged retrieval from the start: AD forces ranges on
/// groups beyond MaxValRange (1,500 values) anyway, and servers that do not force them (Samba)
/// answer this request the same way, so one code path reads both.
const ATTRIBUTES: [&str; 2] = ["*", "member;range=0-1499"];

/// Parts fetched for one attribute at most: 100,000 × 1,500 values is far beyond any group.
const MAX_RANGE_PARTS: usize = 100_000;

/// What the search produced, before the model is built.
pub struct Read {
    pub rendered: Rendered,
    pub ranged_values: usize,
}

/// Connects and binds as the source says.
pub fn connect(source: &LdapSource) -> Result<LdapConn, LdapReadError> {
    let url = source.url.as_str();
    let mut settings = LdapConnSettings::new()
        .set_conn_timeout(source.timeout)
        .set_starttls(source.starttls);
    if let Some(ca) = &source.ca_file {
        settings = settings.set_config(tls::config_from_ca_file(url, ca)?);
    }
    let mut conn = LdapConn::with_settings(settings, url).map_err(|e| LdapReadError::Connect {
        url: url.to_string(),
        reason: e.to_string(),
    })?;
    if let Some(bind_dn) = &source.bind_dn {
        let password = source
            .password
            .as_ref()
            .filter(|p| !p.expose().is_empty())
            .ok_or_else(|| LdapReadError::NoPassword {
                url: url.to_string(),
            })?;
        conn.with_timeout(source.timeout)
            .simple_bind(bind_dn, password.expose())
            .and_then(ldap3::LdapResult::success)
            .map_err(|e| LdapReadError::Bind {
                url: url.to_string(),
                bind_dn: bind_dn.clone(),
                reason: e.to_string(),
            })?;
    }
    Ok(conn)
}

/// The rootDSE's `defaultNamingContext`: the domain partition.
pub fn default_naming_context(
    conn: &mut LdapConn,
    source: &LdapSource,
) -> Result<String, LdapReadError> {
    let url = source.url.clone();
    let failed = |reason: String| LdapReadError::Search {
        url: url.clone(),
        base: "(rootDSE)".into(),
        reason,
    };
    let (entries, _) = conn
        .with_timeout(source.timeout)
        .search(
            "",
            Scope::Base,
            "(objectClass=*)",
            vec!["defaultNamingContext"],
        )
        .and_then(ldap3::SearchResult::success)
        .map_err(|e| failed(e.to_string()))?;
    entries
        .into_iter()
        .filter_map(raw_entry)
        .flat_map(|e| e.attributes)
        .find(|(name, _)| name.eq_ignore_ascii_case("defaultNamingContext"))
        .and_then(|(_, values)| values.into_iter().next())
        .and_then(|v| String::from_utf8(v).ok())
        .ok_or(LdapReadError::NoDefaultNamingContext { url })
}

/// Every entry under `base`, page by page, then the rest of each ranged attribute.
pub fn all_entries(
    conn: &mut LdapConn,
    base: &str,
    source: &LdapSource,
) -> Result<Read, LdapReadError> {
    let (mut entries, mut rendered) = paged_search(conn, base, source)?;
    let mut ranged_values = 0;
    for entry in &mut entries {
        ranged_values += complete_ranges(conn, entry, source)?;
        rendered.entry(entry);
    }
    Ok(Read {
        rendered,
        ranged_values,
    })
}

/// The subtree search, paged; references are rendered as they come, entries kept for
/// ranged retrieval.
fn paged_search(
    conn: &mut LdapConn,
    base: &str,
    source: &LdapSource,
) -> Result<(Vec<RawEntry>, Rendered), LdapReadError> {
    let url = source.url.as_str();
    let mut entries = Vec::new();
    let mut rendered = Rendered::default();
    let mut stream = conn
        .with_timeout(source.timeout)
        .streaming_search_with(
            PagedResults::new(PAGE_SIZE),
            base,
            Scope::Subtree,
            "(objectClass=*)",
            ATTRIBUTES.to_vec(),
        )
        .map_err(|e| search_failed(url, base, e.to_string()))?;
    loop {
        let next = stream.next().map_err(|e| LdapReadError::Lost {
            url: url.to_string(),
            entries: entries.len(),
            reason: e.to_string(),
        })?;
        let Some(result) = next else { break };
        if result.is_intermediate() {
            continue;
        }
        if result.is_ref() {
            for r in &parse_refs(result.0) {
                rendered.reference(r);
            }
            continue;
        }
        entries.push(raw_entry(result).ok_or_else(|| LdapReadError::Malformed {
            url: url.to_string(),
            entries: entries.len(),
        })?);
    }
    let done = stream.result();
    ended_well(&done, url, base, entries.len())?;
    Ok((entries, rendered))
}

fn search_failed(url: &str, base: &str, reason: String) -> LdapReadError {
    LdapReadError::Search {
        url: url.to_string(),
        base: base.to_string(),
        reason,
    }
}

/// The search's final result: success, or the limit, referral or failure it names.
fn ended_well(
    done: &ldap3::LdapResult,
    url: &str,
    base: &str,
    entries: usize,
) -> Result<(), LdapReadError> {
    let limit = |limit| LdapReadError::Limit {
        url: url.to_string(),
        base: base.to_string(),
        limit,
        entries,
    };
    match done.rc {
        0 => Ok(()),
        SIZE_LIMIT_EXCEEDED => Err(limit("size limit")),
        TIME_LIMIT_EXCEEDED => Err(limit("time limit")),
        REFERRAL => Err(LdapReadError::Referral {
            url: url.to_string(),
            base: base.to_string(),
            referrals: done.refs.join(", "),
        }),
        rc => Err(search_failed(
            url,
            base,
            format!("result code {rc}: {}", done.text),
        )),
    }
}

/// Fetches the remaining parts of each `attr;range=low-high` attribute of `entry` and merges
/// them under the plain name; returns how many values the extra parts held.
fn complete_ranges(
    conn: &mut LdapConn,
    entry: &mut RawEntry,
    source: &LdapSource,
) -> Result<usize, LdapReadError> {
    let mut fetched = 0;
    for (name, values) in &mut entry.attributes {
        let Some(range) = ranged(name) else { continue };
        let base_name = range.base.to_string();
        let mut request = range.next_request();
        let mut parts = 0;
        while let Some(attr) = request.take() {
            parts += 1;
            if parts > MAX_RANGE_PARTS {
                let reason = format!(
                    "ranged retrieval of {base_name} did not end after {MAX_RANGE_PARTS} parts"
                );
                return Err(search_failed(&source.url, &entry.dn, reason));
            }
            let (part_name, part) = range_part(conn, &entry.dn, &attr, source)?;
            fetched += part.len();
            values.extend(part);
            request = ranged(&part_name).and_then(|r| r.next_request());
        }
        *name = base_name;
    }
    Ok(fetched)
}

/// One part of a ranged attribute: the name the server answered with and its values.
fn range_part(
    conn: &mut LdapConn,
    dn: &str,
    attr: &str,
    source: &LdapSource,
) -> Result<(String, Vec<Vec<u8>>), LdapReadError> {
    let url = source.url.as_str();
    let (entries, _) = conn
        .with_timeout(source.timeout)
        .search(dn, Scope::Base, "(objectClass=*)", vec![attr])
        .and_then(ldap3::SearchResult::success)
        .map_err(|e| search_failed(url, dn, format!("ranged retrieval of {attr}: {e}")))?;
    let wanted = attr.split(';').next().unwrap_or(attr);
    let part = entries
        .into_iter()
        .filter_map(raw_entry)
        .flat_map(|e| e.attributes)
        .find(|(name, _)| {
            name.split(';')
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case(wanted))
        });
    // A server with nothing after the last part answers without the attribute.
    Ok(part.unwrap_or_else(|| (format!("{wanted};range=0-*"), Vec::new())))
}
