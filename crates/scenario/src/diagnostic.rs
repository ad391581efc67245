//! Errors in scenario files, rendered with miette: `file:line:column`, what is wrong, the
//! offending text underlined, and a hint saying what to do.

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, NamedSource, SourceSpan};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

/// One problem in one scenario file (or with a path given on the command line).
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{location}: {message}")]
pub struct ScenarioError {
    /// `file:line:column`, or just the path when there is no position.
    pub location: String,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to do about it, when there is something to say.
    #[help]
    pub help: Option<String>,
    #[source_code]
    source_code: Option<NamedSource<Arc<String>>>,
    #[label("{label}")]
    span: Option<SourceSpan>,
    label: String,
}

impl ScenarioError {
    /// An error at a byte range of a file's text.
    pub fn at(
        path: &Path,
        text: &Arc<String>,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Self {
        let message = message.into();
        let span = span.map(|r| clamp(r, text.len()));
        let (line, column) = span.as_ref().map_or((1, 1), |r| line_column(text, r.start));
        Self {
            location: format!("{}:{line}:{column}", path.display()),
            label: short_label(&message),
            message,
            help,
            source_code: Some(NamedSource::new(
                path.display().to_string(),
                Arc::clone(text),
            )),
            span: Some(span.map_or_else(|| (0, 0).into(), |r| (r.start, r.len()).into())),
        }
    }

    /// An error about a path that has no text to point into (missing file, unreadable).
    pub fn about_path(path: &Path, message: impl Into<String>, help: Option<String>) -> Self {
        let message = message.into();
        Self {
            location: path.display().to_string(),
            label: short_label(&message),
            message,
            help,
            source_code: None,
            span: None,
        }
    }

    /// `file:line:column: message` plus the hint on one more line: for logs and tests.
    pub fn plain(&self) -> String {
        match &self.help {
            Some(h) => format!("{self}\n  hint: {h}"),
            None => self.to_string(),
        }
    }

    /// The full miette rendering, with the source excerpt; ANSI colours only if `color`.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let mut out = String::new();
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
        if handler.render_report(&mut out, self).is_err() {
            return self.plain();
        }
        out
    }
}

fn clamp(r: Range<usize>, len: usize) -> Range<usize> {
    let start = r.start.min(len);
    start..r.end.clamp(start, len)
}

fn short_label(message: &str) -> String {
    let cut = [", expected", ";"]
        .iter()
        .filter_map(|sep| message.find(sep))
        .min()
        .unwrap_or(message.len());
    message[..cut].trim().to_string()
}

/// The byte offset of a 1-based line and column (in characters), clamped to the text.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    let rest = &text[line_start..];
    let line_text = &rest[..rest.find('\n').unwrap_or(rest.len())];
    line_start
        + line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i)
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_lines_and_columns() {
        let t = "a = 1\nbé = 2\n";
        assert_eq!(line_column(t, 0), (1, 1));
        assert_eq!(line_column(t, 6), (2, 1));
        assert_eq!(line_column(t, 9), (2, 3));
        assert_eq!(line_column(t, 999), (3, 1));
        for offset in [0, 3, 6, 9, 10] {
            let (l, c) = line_column(t, offset);
            assert_eq!(offset_of(t, l, c), offset, "offset {offset}");
        }
        assert_eq!(offset_of(t, 9, 9), t.len());
    }

    #[test]
    fn an_error_names_file_line_column_and_renders_its_hint() {
        let text = Arc::new("format_version = 1\nseed = -3\n".to_string());
        let e = ScenarioError::at(
            Path::new("s/x.toml"),
            &text,
            Some(26..28),
            "seed is negative",
            Some("use a number from 0".into()),
        );
        assert_eq!(e.to_string(), "s/x.toml:2:8: seed is negative");
        let shown = e.render(false);
        assert!(shown.contains("seed = -3"), "{shown}");
        assert!(shown.contains("use a number from 0"), "{shown}");
        assert!(!shown.contains('\u{1b}'), "no colour codes: {shown}");
    }
}
