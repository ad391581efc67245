//! Byte- and token-level mutations of an input: flips, inserts, deletions, duplications,
//! splices with another input, interesting numbers put in place of numbers, dictionary words,
//! line shuffles, CRLF, NULs, unicode and truncation. A few are stacked per input.

use rand::RngExt;
use rand::rngs::ChaCha8Rng;

/// Numbers at the edges of the integer and float types, as text.
pub const INTERESTING_NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "127",
    "128",
    "255",
    "256",
    "-128",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "-2147483648",
    "-2147483649",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "340282366920938463463374607431768211456",
    "1e300",
    "-1e300",
    "1e-300",
    "1.5",
    "0x10",
    "1_000",
    "nan",
    "inf",
    "-inf",
    "00000000000000000000000000000001",
];

/// Odd text: unicode of every width, controls, BOMs, RTL marks, surrogate-free astral planes.
pub const INTERESTING_TEXT: &[&str] = &[
    "\0",
    "\r\n",
    "\r",
    "\n\n",
    "\t",
    " ",
    "\u{FEFF}",
    "é",
    "Zoë",
    "日本語",
    "😀",
    "\u{202E}",
    "\u{7F}",
    "\\",
    "\"",
    "'",
    "=",
    ",",
    ";",
    ":",
    "::",
    ":<",
    "<",
    ">",
    "#",
    "[",
    "]",
    "{",
    "}",
    "[[",
    "]]",
];

pub fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Applies 1–8 random mutations to `input`, using `others` for splices and `dictionary` for
/// words; the result is cut to `max_len`.
pub fn mutate(
    rng: &mut ChaCha8Rng,
    input: &mut Vec<u8>,
    others: &[Vec<u8>],
    dictionary: &[String],
    max_len: usize,
) {
    let rounds = 1 << rng.random_range(0..4u32);
    for _ in 0..rounds {
        mutate_once(rng, input, others, dictionary);
    }
    input.truncate(max_len);
}

fn mutate_once(
    rng: &mut ChaCha8Rng,
    input: &mut Vec<u8>,
    others: &[Vec<u8>],
    dictionary: &[String],
) {
    let len = input.len();
    let at = rng.random_range(0..=len);
    match rng.random_range(0..16u32) {
        0 if len > 0 => {
            let i = rng.random_range(0..len);
            input[i] ^= 1 << rng.random_range(0..8u32);
        }
        1 if len > 0 => {
            let i = rng.random_range(0..len);
            input[i] = rng.random();
        }
        2 => {
            let n = rng.random_range(1..8usize);
            let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
            input.splice(at..at, bytes);
        }
        3 if len > 0 => {
            let end = (at + rng.random_range(1..64usize)).min(len);
            input.drain(at.min(end)..end);
        }
        4 if len > 0 => {
            let (s, e) = range(rng, len, 256);
            let copy = input[s..e].to_vec();
            let reps = rng.random_range(1..4usize);
            for _ in 0..reps {
                input.splice(at..at, copy.iter().copied());
            }
        }
        5 if !others.is_empty() => {
            let other = pick(rng, others);
            if !other.is_empty() {
                let (s, e) = range(rng, other.len(), 1024);
                input.splice(at..at, other[s..e].iter().copied());
            }
        }
        6 => replace_number(rng, input),
        7 | 8 if !dictionary.is_empty() => {
            let word = pick(rng, dictionary).as_bytes().to_vec();
            input.splice(at..at, word);
        }
        9 => {
            let text = pick(rng, INTERESTING_TEXT).as_bytes();
            input.splice(at..at, text.iter().copied());
        }
        11 => input.truncate(at),
        12 => {
            let crlf = String::from_utf8_lossy(input).replace('\n', "\r\n");
            *input = crlf.into_bytes();
        }
        13 => {
            let n = pick(rng, INTERESTING_NUMBERS).as_bytes();
            input.splice(at..at, n.iter().copied());
        }
        // 10, and the guarded arms above when their guard fails.
        _ => line_op(rng, input),
    }
}

/// A random range of at most `max` bytes of a `len`-byte input (`len` > 0).
fn range(rng: &mut ChaCha8Rng, len: usize, max: usize) -> (usize, usize) {
    let s = rng.random_range(0..len);
    let e = (s + rng.random_range(1..=max)).min(len);
    (s, e)
}

/// Puts an interesting number in place of a run of digits.
fn replace_number(rng: &mut ChaCha8Rng, input: &mut Vec<u8>) {
    let starts: Vec<usize> = (0..input.len())
        .filter(|&i| input[i].is_ascii_digit() && (i == 0 || !input[i - 1].is_ascii_digit()))
        .collect();
    if starts.is_empty() {
        return;
    }
    let s = *pick(rng, &starts);
    let e = s + input[s..].iter().take_while(|b| b.is_ascii_digit()).count();
    let n = pick(rng, INTERESTING_NUMBERS).as_bytes();
    input.splice(s..e, n.iter().copied());
}

/// Duplicates, deletes, swaps or indents whole lines.
fn line_op(rng: &mut ChaCha8Rng, input: &mut Vec<u8>) {
    let mut lines: Vec<Vec<u8>> = input.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
    let n = lines.len();
    let i = rng.random_range(0..n);
    match rng.random_range(0..5u32) {
        0 => {
            let copy = lines[i].clone();
            let reps = if rng.random_bool(0.1) { 200 } else { 1 };
            for _ in 0..reps {
                lines.insert(i, copy.clone());
            }
        }
        1 if n > 1 => {
            lines.remove(i);
        }
        2 => {
            let j = rng.random_range(0..n);
            lines.swap(i, j);
        }
        3 => lines[i].insert(0, b' '),
        _ => {
            let j = rng.random_range(0..n);
            let moved = lines.remove(i);
            lines.insert(j.min(lines.len()), moved);
        }
    }
    *input = lines.join(&b'\n');
}
