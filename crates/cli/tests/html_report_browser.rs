//! The HTML report as a person sees it: the binary writes the whole suite's report, headless
//! Chromium opens it, and the page must have every scenario's lanes, no console message (the
//! page has no script, so any is a problem), and a screenshot that is more than a blank page.
//!
//! Without Chromium the test says so and passes, unless `CI=true`: CI installs Debian's
//! `chromium` (`.ci/run`) and must run it. `UPGRADE_LAB_CHROMIUM` names another binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The browser to use: `UPGRADE_LAB_CHROMIUM`, or the first of the usual names on `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("UPGRADE_LAB_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ];
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

fn browser(bin: &Path, args: &[&str], page: &Path) -> std::process::Output {
    let url = format!("file://{}", page.display());
    Command::new(bin)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--hide-scrollbars",
        ])
        .args(["--enable-logging=stderr", "--v=0"])
        .args(args)
        .arg(&url)
        .output()
        .expect("chromium runs")
}

/// Width and height from a PNG's header.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let signature = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    if bytes.len() < 24 || bytes[..8] != signature || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let word = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    Some((word(16), word(20)))
}

/// The lines Chromium logged for the page's console (`INFO:CONSOLE(…)`).
fn console_messages(out: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect()
}

/// The browser, or `None` after saying why the test is skipped; under `CI=true` a missing
/// browser fails.
fn chromium_or_skip() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(
            !ci,
            "CI=true but no chromium: install it (`apt-get install -y chromium`)"
        );
        eprintln!("SKIPPED: no chromium on PATH (set UPGRADE_LAB_CHROMIUM or install chromium)");
    }
    found
}

#[test]
fn a_console_error_is_caught() {
    let Some(bin) = chromium_or_skip() else {
        return;
    };
    let dir = common::scratch("html-report", "console");
    let page = dir.join("planted.html");
    let planted = "<!DOCTYPE html><p>x</p><script>console.error('planted')</script>";
    std::fs::write(&page, planted).unwrap();
    let out = browser(&bin, &["--dump-dom"], &page);
    let console = console_messages(&out);
    assert!(console.iter().any(|l| l.contains("planted")), "{console:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_suite_report_opens_in_chromium_with_lanes_and_no_console_errors() {
    let Some(bin) = chromium_or_skip() else {
        return;
    };
    let dir = common::scratch("html-report", "browser");
    let report = dir.join("report.html");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let scenarios = root.join("scenarios");
    let out = common::run(&[
        "run",
        scenarios.to_str().unwrap(),
        "--format",
        "html",
        "--out",
        report.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&report).unwrap();
    let sections = written.matches("<section class=\"scenario").count();
    assert!(sections >= 80, "{sections} scenario sections");

    let dom = browser(&bin, &["--dump-dom"], &report);
    let html = String::from_utf8_lossy(&dom.stdout);
    let console = console_messages(&dom);
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );
    assert!(
        html.matches("class=\"lane\"").count() >= sections,
        "a lane per scenario at least"
    );
    assert!(
        html.contains("id=\"s0-lane-dirsync-"),
        "the first scenario's DirSync lane"
    );
    assert!(
        html.contains("-lane-connect-aadc01\""),
        "a Connect server's lane"
    );
    assert!(html.contains("class=\"tl-run\""), "run bars");

    let shot = dir.join("report.png");
    let arg = format!("--screenshot={}", shot.display());
    let s = browser(&bin, &[&arg, "--window-size=1280,2400"], &report);
    let png = std::fs::read(&shot).unwrap_or_else(|e| {
        panic!(
            "no screenshot ({e}): {}",
            String::from_utf8_lossy(&s.stderr)
        )
    });
    assert_eq!(png_size(&png), Some((1280, 2400)), "a PNG of the window");
    // A blank page of that size compresses to about 12 kB; the report's tables and
    // timelines to far more.
    assert!(
        png.len() > 60_000,
        "the screenshot is nearly blank: {} bytes",
        png.len()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn png_headers_are_read() {
    let mut header = vec![
        0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13,
    ];
    header.extend_from_slice(b"IHDR");
    header.extend_from_slice(&1280u32.to_be_bytes());
    header.extend_from_slice(&720u32.to_be_bytes());
    assert_eq!(png_size(&header), Some((1280, 720)));
    header[1] = b'X';
    assert_eq!(png_size(&header), None);
}
