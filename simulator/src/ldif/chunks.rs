//! Cutting LDIF text into parts that can be read side by side, each as a reading from the
//! first line would read it.
//!
//! A part starts only where a record must start: at a line beginning with `dn:` whose line
//! before is empty (`\n\n` or `\n\r\n`). An empty line is never a continuation (those start with
//! a space) and never inside a value (base64 and plain values are one logical line), so it
//! always ends a record or lies between records; and the line after it is the `dn:` of the
//! next record. Parts also start only after the first line that is not a comment or blank:
//! from there on `version:` is no longer allowed, which is what a part past the first
//! assumes. Each part knows the number of its first line, so its errors name the same line as
//! a reading from the start.

use rayon::prelude::*;
use std::ops::Range;

/// Bytes a part should at least hold: below that, reading side by side costs more than it saves.
const MIN_PART_BYTES: usize = 1 << 20;

/// A part of the text: its byte range, and the number of its first line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Piece {
    pub(crate) range: Range<usize>,
    pub(crate) first_line: usize,
}

/// How many parts to cut a text of `len` bytes into: up to sixteen per core, so a core that
/// other work slows down does not hold up the others, and the last parts to finish are small.
pub(super) fn parts_for(len: usize) -> usize {
    let by_size = len / MIN_PART_BYTES;
    by_size.clamp(1, rayon::current_num_threads() * 16)
}

/// Cuts `text` into at most `parts` pieces of about equal size, at record starts.
pub(super) fn split(text: &str, parts: usize) -> Vec<Piece> {
    split_bytes(text.as_bytes(), parts)
}

/// `split` of text not yet checked to be UTF-8: the cuts fall before ASCII `dn:` after a line
/// feed, so each piece of UTF-8 text is UTF-8 on its own.
pub(super) fn split_bytes(bytes: &[u8], parts: usize) -> Vec<Piece> {
    split_bytes_with(bytes, parts, true)
}

/// `split_bytes`; without `count_lines`, every piece's `first_line` is 1 (a reading that
/// needs no line numbers: one that reads again, counting them, when it meets an error).
pub(super) fn split_bytes_with(bytes: &[u8], parts: usize, count_lines: bool) -> Vec<Piece> {
    let first = first_content_line(bytes);
    let mut starts = vec![0];
    for k in 1..parts {
        let target = (bytes.len() / parts * k).max(first + 1);
        let from = target.max(starts[starts.len() - 1] + 1);
        match record_start_from(bytes, from) {
            Some(p) => starts.push(p),
            None => break,
        }
    }
    let ranges: Vec<Range<usize>> = starts
        .iter()
        .zip(starts.iter().skip(1).chain([&bytes.len()]))
        .map(|(&a, &b)| a..b)
        .collect();
    let newlines: Vec<usize> = if ranges.len() == 1 || !count_lines {
        vec![0; ranges.len()]
    } else {
        ranges
            .par_iter()
            .map(|r| count_newlines(&bytes[r.clone()]))
            .collect()
    };
    let mut line = 1;
    ranges
        .into_iter()
        .zip(newlines)
        .map(|(range, n)| {
            let piece = Piece {
                range,
                first_line: line,
            };
            line += n;
            piece
        })
        .collect()
}

/// The offset of the first line that is not blank, a comment or a continuation line: where
/// the first record (or `version:`, or an error) starts. The length of the text when none.
pub(super) fn first_content_line(bytes: &[u8]) -> usize {
    let mut pos = 0;
    while pos < bytes.len() {
        if !matches!(bytes[pos], b'#' | b' ' | b'\r' | b'\n') {
            return pos;
        }
        pos = match memchr_newline(&bytes[pos..]) {
            Some(i) => pos + i + 1,
            None => bytes.len(),
        };
    }
    bytes.len()
}

/// The first offset at or after `from` where a record must start (see the module's comment).
pub(super) fn record_start_from(bytes: &[u8], from: usize) -> Option<usize> {
    // `j` walks the newlines; a record may start right after one.
    let mut j = from.checked_sub(1)?;
    loop {
        j += memchr_newline(bytes.get(j..)?)?;
        let p = j + 1;
        let blank_before = j >= 1
            && (bytes[j - 1] == b'\n'
                || (j >= 2 && bytes[j - 1] == b'\r' && bytes[j - 2] == b'\n'));
        if blank_before
            && bytes
                .get(p..p + 3)
                .is_some_and(|l| l.eq_ignore_ascii_case(b"dn:"))
        {
            return Some(p);
        }
        j = p;
    }
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(b'\n', bytes)
}

/// The number of `\n` bytes (memchr counts them a vector register at a time).
fn count_newlines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

#[cfg(test)]
#[path = "chunks_tests.rs"]
pub(in crate::ldif) mod tests;
