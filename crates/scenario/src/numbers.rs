//! Numbers as people read them: thousands separated by commas (`162,992,277`) and a noun in the
//! plural unless the count is exactly one (`1 scenario`, `2 scenarios`, `0 problems`). Every
//! report for people (the run's lines and table, `inspect`, `bench`, `generate`) uses these;
//! JSON never does.

/// `n` with a comma between each group of three digits: `1234567` → `1,234,567`.
pub fn thousands(n: impl Into<u64>) -> String {
    let digits = n.into().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// `usize` counts, the common case.
pub fn thousands_usize(n: usize) -> String {
    thousands(n as u64)
}

/// The count and the noun, plural unless the count is one: `count(1, "scenario")` →
/// `1 scenario`, `count(85000, "object")` → `85,000 objects`. Nouns whose plural is not
/// `noun + s` go through [`count_irregular`].
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", thousands(n))
    }
}

/// `usize` counts.
pub fn count_usize(n: usize, noun: &str) -> String {
    count(n as u64, noun)
}

/// The count with `singular` when it is one, else `plural`: `1 entry`, `3 entries`.
pub fn count_irregular(n: impl Into<u64>, singular: &str, plural: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {singular}")
    } else {
        format!("{} {plural}", thousands(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated_by_commas() {
        assert_eq!(thousands(0u64), "0");
        assert_eq!(thousands(999u64), "999");
        assert_eq!(thousands(1_000u64), "1,000");
        assert_eq!(thousands(50_000u64), "50,000");
        assert_eq!(thousands(162_992_277u64), "162,992,277");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn one_is_singular_and_everything_else_plural() {
        assert_eq!(count(1u64, "scenario"), "1 scenario");
        assert_eq!(count(0u64, "scenario"), "0 scenarios");
        assert_eq!(count(2u64, "problem"), "2 problems");
        assert_eq!(count(12_345u64, "object"), "12,345 objects");
        assert_eq!(count_irregular(1u64, "entry", "entries"), "1 entry");
        assert_eq!(count_irregular(3u64, "entry", "entries"), "3 entries");
    }
}
