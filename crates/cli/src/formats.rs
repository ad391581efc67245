//! Directory files: which format a file is in (by extension, else by its first bytes), reading a
//! directory from one and writing a directory as one.

use crate::error::CliError;
use clap::ValueEnum;
use rayon::prelude::*;
use serde::Serialize;
use std::io::{self, Write};
use std::path::Path;
use upgrade_lab_model::{Directory, Domain, OrganizationalUnit, Value};
use upgrade_lab_simulator::ldif::{self, SkipCounts};

/// A directory file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DirectoryFormat {
    /// LDIF as `ldifde -f` writes it (read also from ldapsearch and Samba exports).
    Ldif,
    /// The model's JSON form (`Directory` as serde writes it).
    Json,
}

impl DirectoryFormat {
    /// The format a path's extension names, if any.
    pub fn from_extension(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Self::Json),
            "ldif" | "ldf" => Some(Self::Ldif),
            _ => None,
        }
    }

    /// The format of `bytes` judged by their content: JSON starts with `{`, anything else is
    /// taken for LDIF (whose reader says precisely what is wrong when it is not).
    pub fn sniff(bytes: &[u8]) -> Self {
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Self::Json,
            _ => Self::Ldif,
        }
    }
}

/// Writes `directory` to `out` in `format`.
pub fn write_directory(
    directory: &Directory,
    format: DirectoryFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        DirectoryFormat::Json => write_json(directory, out),
        DirectoryFormat::Ldif => ldif::write_directory(directory, &mut &mut *out),
    }
}

/// Objects serialized per parallel task, and tasks per batch held in memory at once.
const JSON_OBJECTS_PER_TASK: usize = 8_192;
const JSON_TASKS_PER_BATCH: usize = 4;

/// `serde_json::to_writer(directory)` plus a newline, byte for byte, but with the objects
/// serialized on all cores in bounded batches: one thread spends ~1.7 s on a million users.
fn write_json(directory: &Directory, out: &mut dyn Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Head<'a> {
        forest: &'a Value,
        domains: &'a [Domain],
        organizational_units: &'a [OrganizationalUnit],
    }
    let head = serde_json::to_vec(&Head {
        forest: &directory.forest,
        domains: &directory.domains,
        organizational_units: &directory.organizational_units,
    })?;
    out.write_all(&head[..head.len() - 1])?;
    out.write_all(b",\"objects\":[")?;
    let batch_len = JSON_OBJECTS_PER_TASK * JSON_TASKS_PER_BATCH;
    for (b, batch) in directory.objects.chunks(batch_len).enumerate() {
        let parts: Vec<io::Result<Vec<u8>>> = batch
            .par_chunks(JSON_OBJECTS_PER_TASK)
            .map(|objects| {
                let mut buf = Vec::with_capacity(objects.len() * 900);
                for (i, o) in objects.iter().enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    serde_json::to_writer(&mut buf, o)?;
                }
                Ok(buf)
            })
            .collect();
        for (i, part) in parts.into_iter().enumerate() {
            if b > 0 || i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(&part?)?;
        }
    }
    out.write_all(b"]}\n")
}

/// A directory read from a file, with what an LDIF file held that the model does not.
pub struct DirectoryFile {
    pub directory: Directory,
    pub skipped: Option<SkipCounts>,
}

/// The bytes of the file at `path`, or of standard input for `-`.
pub fn read_input(path: &Path) -> Result<Vec<u8>, CliError> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        io::Read::read_to_end(&mut io::stdin().lock(), &mut bytes)
            .map_err(|e| CliError::usage(format!("cannot read standard input: {e}")))?;
        return Ok(bytes);
    }
    std::fs::read(path).map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))
}

/// Reads the directory file at `path` (`-`: standard input), in the format its extension names
/// or its content shows.
pub fn read_directory(path: &Path) -> Result<DirectoryFile, CliError> {
    read_directory_with(path, ldif::ReadOptions::default())
}

/// `read_directory` with the LDIF reader's options (JSON files ignore them).
pub fn read_directory_with(
    path: &Path,
    options: ldif::ReadOptions,
) -> Result<DirectoryFile, CliError> {
    let bytes = read_input(path)?;
    let format =
        DirectoryFormat::from_extension(path).unwrap_or_else(|| DirectoryFormat::sniff(&bytes));
    directory_from_bytes(path, &bytes, format, options)
}

/// The directory in `bytes`, the content of the file at `path` (named in errors) in `format`.
pub fn directory_from_bytes(
    path: &Path,
    bytes: &[u8],
    format: DirectoryFormat,
    options: ldif::ReadOptions,
) -> Result<DirectoryFile, CliError> {
    match format {
        DirectoryFormat::Json => serde_json::from_slice(bytes)
            .map(|directory| DirectoryFile {
                directory,
                skipped: None,
            })
            .map_err(|e| {
                CliError::usage(format!(
                    "{} is not a valid directory in JSON: {e}",
                    path.display()
                ))
            }),
        DirectoryFormat::Ldif => ldif::read_directory_bytes_with(bytes, options)
            .map(|import| DirectoryFile {
                directory: import.directory,
                skipped: Some(import.skipped),
            })
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use upgrade_lab_simulator::generate::{DirectorySpec, generate};

    #[test]
    fn parallel_json_is_exactly_what_serde_writes() {
        for users in [0, 3, 20_000] {
            let spec = DirectorySpec {
                users,
                groups: users / 10,
                contacts: 5,
                ..DirectorySpec::default()
            };
            let directory = generate(&spec).unwrap();
            let mut ours = Vec::new();
            write_directory(&directory, DirectoryFormat::Json, &mut ours).unwrap();
            let mut expected = serde_json::to_vec(&directory).unwrap();
            expected.push(b'\n');
            assert!(ours == expected, "JSON differs for {users} users");
        }
    }

    #[test]
    fn ldif_written_here_reads_back_to_the_same_directory() {
        let spec = DirectorySpec {
            users: 200,
            groups: 20,
            contacts: 5,
            service_accounts: 1,
            ..DirectorySpec::default()
        };
        let directory = generate(&spec).unwrap();
        let mut out = Vec::new();
        write_directory(&directory, DirectoryFormat::Ldif, &mut out).unwrap();
        assert_eq!(DirectoryFormat::sniff(&out), DirectoryFormat::Ldif);
        let back = ldif::read_directory_bytes(&out).unwrap();
        assert_eq!(back.directory, directory);
    }
}
