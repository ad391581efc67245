//! Directory files: which format a file is in (by extension, else by its first bytes), reading a
//! directory from one and writing a directory as one.

use crate::error::CliError;
use clap::ValueEnum;
use std::io::{self, Write};
use std::path::Path;
use upgrade_lab_model::Directory;

/// A directory file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DirectoryFormat {
    /// The model's JSON form (`Directory` as serde writes it).
    Json,
}

impl DirectoryFormat {
    /// The format a path's extension names, if any.
    pub fn from_extension(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Self::Json),
            _ => None,
        }
    }

    /// The format of `bytes` judged by their content.
    fn sniff(bytes: &[u8]) -> Option<Self> {
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Some(Self::Json),
            _ => None,
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
        DirectoryFormat::Json => {
            serde_json::to_writer(&mut *out, directory)?;
            out.write_all(b"\n")
        }
    }
}

/// Reads the directory file at `path`, in the format its extension names or its content shows.
pub fn read_directory(path: &Path) -> Result<Directory, CliError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    let format = DirectoryFormat::from_extension(path)
        .or_else(|| DirectoryFormat::sniff(&bytes))
        .ok_or_else(|| {
            CliError::usage(format!(
                "{} is not a directory file: expected JSON (starting with '{{'); name it *.json",
                path.display()
            ))
        })?;
    match format {
        DirectoryFormat::Json => serde_json::from_slice(&bytes).map_err(|e| {
            CliError::usage(format!(
                "{} is not a valid directory in JSON: {e}",
                path.display()
            ))
        }),
    }
}
