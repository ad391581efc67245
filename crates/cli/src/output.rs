//! Writing a file the user asked for, atomically: into a temporary file beside it, then renamed
//! over it, so a reader never sees half a file and a failed run leaves the old file intact.
//! `-` means standard output; a path that exists but is not a regular file (`/dev/null`, a
//! pipe) is written in place, since renaming over it would replace the device.

use crate::error::CliError;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Buffer size of file output: large, since directories run to hundreds of megabytes.
const BUFFER_BYTES: usize = 1 << 20;

/// Writes what `write` produces to `path` (atomically for regular files) or to stdout for `-`.
pub fn write_output(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), CliError> {
    let failed = |e: io::Error| CliError::usage(format!("cannot write {}: {e}", path.display()));
    if path == Path::new("-") {
        let mut out = BufWriter::with_capacity(BUFFER_BYTES, io::stdout().lock());
        return write(&mut out).and_then(|()| out.flush()).map_err(failed);
    }
    let in_place = fs::metadata(path).is_ok_and(|m| !m.is_file());
    if in_place {
        let mut out = BufWriter::with_capacity(BUFFER_BYTES, File::create(path).map_err(failed)?);
        return write(&mut out).and_then(|()| out.flush()).map_err(failed);
    }
    let temp = temp_path(path);
    let result = (|| {
        let file = File::options().write(true).create_new(true).open(&temp)?;
        let mut out = BufWriter::with_capacity(BUFFER_BYTES, file);
        write(&mut out)?;
        let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result.map_err(failed)
}

/// `dir/.name.upgrade-lab-<pid>.tmp`: beside the target, so the rename stays on one file system.
fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map_or_else(
        || "output".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    path.with_file_name(format!(".{name}.upgrade-lab-{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = std::env::temp_dir().join(format!("upgrade-lab-output-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.json");
        fs::write(&path, "old").unwrap();
        let err = write_output(&path, |w: &mut dyn Write| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("disk full"), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert!(!temp_path(&path).exists());
        write_output(&path, |w| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_written_in_place() {
        use std::os::unix::fs::FileTypeExt;
        write_output(Path::new("/dev/null"), |w| w.write_all(b"x")).unwrap();
        assert!(
            fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }
}
