//! `survey` of a file read in windows: each core reads its stretch of the file into one buffer
//! it keeps from stretch to stretch, so the file is never copied whole (no page faults for a
//! fresh 100 MB buffer) and each window is still in the core's cache when it is parsed. A
//! window ends at the last place in it where a record must start (`chunks`), and each window
//! is read as a part of the file; the parts are joined in file order as `survey` joins them,
//! so the survey is the one of the whole text.
//!
//! Only a file that surveys cleanly is surveyed here: an error, a byte order mark, UTF-16,
//! text that is not UTF-8 or a read that fails give `None`, and the caller reads the file
//! whole, which reports the error with its line and column as before. Users, groups and
//! contacts leave only their keys (DN hash, objectGUID) for the merge, so two entries that
//! share one (a duplicate, or a hash collision) also leave the file to the whole reading.
//!
//! Memory: one buffer per core of `WINDOW` bytes, doubled while a single record does not fit
//! in it, so at most about twice the longest record (or the window) per core, beside the
//! summaries of the parts.

use super::chunks;
use super::merge::Part;
use super::read::{join, read_piece_keys};
use super::survey::{LdifSurvey, summarize};
use rayon::prelude::*;
use std::cell::Cell;
use std::io;

/// A positional read of the file: fills the buffer with the bytes at the offset or fails, as
/// `std::os::unix::fs::FileExt::read_exact_at` does.
pub type ReadAt<'f> = dyn Fn(&mut [u8], u64) -> io::Result<()> + Sync + 'f;

/// The bytes read at once: the window stays in a core's cache while it is parsed.
const WINDOW: usize = 1 << 20;

/// The bytes read first to find where a stretch starts.
const PROBE: usize = 4096;

/// The bytes read first, to find the byte order mark and the first record.
const HEAD: usize = 64 << 10;

thread_local! {
    /// The window of the thread reading a stretch (kept, so its pages are touched once).
    static BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// The survey of the `len` bytes of a file that `read_at` reads, or `None` when the file must
/// be read whole (see the module's comment).
pub fn survey_windows(len: u64, read_at: &ReadAt<'_>) -> Option<LdifSurvey> {
    let len = usize::try_from(len).ok()?;
    survey_windows_with(len, read_at, chunks::parts_for(len), WINDOW)
}

/// `survey_windows` with the file cut into `stretches` stretches (one task each) read in
/// windows of `window` bytes (at least 16).
pub(super) fn survey_windows_with(
    len: usize,
    read_at: &ReadAt<'_>,
    stretches: usize,
    window: usize,
) -> Option<LdifSurvey> {
    let mut head = vec![0; len.min(HEAD)];
    read_at(&mut head, 0).ok()?;
    if super::text::utf8_bytes(&head).is_none_or(|utf8| utf8.len() != head.len()) {
        return None;
    }
    // Stretches start only after the first record's line, as `chunks::split` cuts.
    let first = chunks::first_content_line(&head);
    if first == head.len() && head.len() < len {
        return None;
    }
    let stretches = stretches.max(1);
    let targets: Vec<usize> = (1..stretches)
        .map(|k| (len / stretches * k).max(first + 1))
        .collect();
    let bounds: Vec<(Option<usize>, Option<usize>)> = (0..stretches)
        .map(|k| {
            (
                k.checked_sub(1).map(|i| targets[i]),
                targets.get(k).copied(),
            )
        })
        .collect();
    let parts: Vec<Vec<Part<'static>>> = bounds
        .par_iter()
        .map(|&(from, to)| {
            let mut buffer = BUFFER.take();
            let parts = stretch(len, read_at, from, to, window, &mut buffer);
            BUFFER.set(buffer);
            parts
        })
        .collect::<Option<_>>()?;
    let parts: Vec<Part<'static>> = parts.into_iter().flatten().collect();
    // The objects left only their keys: when two entries share one, the merge's per-entry
    // checks cannot tell what a reading from the start reports, and the file is read whole.
    let (merge, surveys) = join(parts, true).ok()?;
    merge.keys_unique().then(|| summarize((merge, surveys)))
}

/// The parts of the stretch from the first record start at or after `from` (the file's start
/// when `None`) to the first at or after `to` (the file's end when `None`), read in windows
/// of `buf`; `None` when a read fails or a part is not read cleanly.
fn stretch(
    len: usize,
    read_at: &ReadAt<'_>,
    from: Option<usize>,
    to: Option<usize>,
    window: usize,
    buf: &mut Vec<u8>,
) -> Option<Vec<Part<'static>>> {
    buf.resize(window, 0);
    let mut parts = Vec::new();
    // `buf[..filled]` holds the file's bytes from `pos`, which starts a part.
    let (mut pos, mut filled) = match from {
        None => (0, 0),
        Some(from) => match first_start(len, read_at, from, buf).ok()? {
            Some(start) => start,
            None => return Some(parts),
        },
    };
    // No record starts between `from` and `to`: the next stretch starts where this one would.
    let mut end = match to {
        Some(to) if to <= pos => return Some(parts),
        Some(_) => None,
        None => Some(len),
    };
    loop {
        // Up to the end when it is known, else a little past `to` (where it usually is).
        let stop = end.unwrap_or_else(|| to.map_or(len, |to| to + PROBE));
        filled = read_on(len, read_at, buf, pos, filled, stop).ok()?;
        if let (None, Some(to)) = (end, to) {
            // `to - pos` >= 1: `to` lies after `pos` (checked above, and the cuts stop before it).
            let found = (pos + filled > to)
                .then(|| chunks::record_start_from(&buf[..filled], to - pos))
                .flatten();
            end = found
                .map(|p| pos + p)
                .or((pos + filled == len).then_some(len));
        }
        let cut = match end {
            Some(e) if e - pos <= filled => e - pos,
            // Record starts at or after `to` would have been found as the end: this is before.
            _ => match last_record_start(&buf[..filled]) {
                Some(p) => p,
                // Not all read yet: read on.
                None if filled < buf.len() => continue,
                None => {
                    // One record fills the window: a larger one holds it.
                    buf.resize(buf.len() * 2, 0);
                    continue;
                }
            },
        };
        let body = std::str::from_utf8(&buf[..cut]).ok()?;
        let piece = chunks::Piece {
            range: pos..pos + cut,
            first_line: 1,
        };
        let part = read_piece_keys(body, &piece);
        if part.failure.is_some() {
            return None;
        }
        parts.push(part.into_owned());
        if end == Some(pos + cut) {
            return Some(parts);
        }
        buf.copy_within(cut..filled, 0);
        pos += cut;
        filled -= cut;
    }
}

/// Reads the file after the `filled` bytes from `pos` that `buf` holds, up to `stop` (as far
/// as `buf` and the file go), or on past `stop` in reads that double: the bytes after the
/// stretch's end are the next stretch's to read. Returns the bytes `buf` now holds.
fn read_on(
    len: usize,
    read_at: &ReadAt<'_>,
    buf: &mut [u8],
    pos: usize,
    filled: usize,
    stop: usize,
) -> io::Result<usize> {
    let want = match stop.saturating_sub(pos + filled) {
        0 => PROBE.max(filled),
        n => n,
    };
    let n = want.min(buf.len() - filled).min(len - pos - filled);
    let offset = u64::try_from(pos + filled).map_err(io::Error::other)?;
    read_at(&mut buf[filled..filled + n], offset)?;
    Ok(filled + n)
}

/// The first record start at or after `from` (>= 1), read into `buf` from there: its offset
/// and the bytes of the file from it that `buf` holds at its start; `None` when no record
/// starts there.
fn first_start(
    len: usize,
    read_at: &ReadAt<'_>,
    from: usize,
    buf: &mut [u8],
) -> io::Result<Option<(usize, usize)>> {
    // A record start is judged by the line before it: read from 3 bytes before `from`. The
    // first reads are short (a record start is rarely far), so little is moved to the front.
    let mut at = from.saturating_sub(3);
    let mut probe = PROBE.min(buf.len());
    loop {
        let n = probe.min(len.saturating_sub(at));
        read_at(&mut buf[..n], u64::try_from(at).map_err(io::Error::other)?)?;
        // At the file's start `from` itself; else at least 3, the bytes before a start.
        let local = if at == 0 {
            from
        } else {
            from.saturating_sub(at).max(3)
        };
        if let Some(p) = chunks::record_start_from(&buf[..n], local) {
            buf.copy_within(p..n, 0);
            return Ok(Some((at + p, n - p)));
        }
        if at + n >= len {
            return Ok(None);
        }
        // The next window overlaps this one by the bytes a start needs around it (3 before,
        // `dn:` after), so a start across the boundary is seen.
        at += n - 6;
        probe = (probe * 2).min(buf.len());
    }
}

/// The last place in `bytes` (after its first byte) where a record must start
/// (`chunks::record_start_from`'s rule), with its `dn:` in `bytes`.
fn last_record_start(bytes: &[u8]) -> Option<usize> {
    memchr::memrchr_iter(b'\n', bytes)
        .map(|j| j + 1)
        .find(|&p| chunks::record_start_from(&bytes[..(p + 3).min(bytes.len())], p) == Some(p))
}

#[cfg(test)]
#[path = "windows_tests.rs"]
mod tests;
