//! `upgrade-lab timeline`: one scenario's SVG to a file or standard output; bad input exits 2
//! with what is wrong and what to do.

mod common;

use std::path::Path;

fn scenario(name: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    root.join(name).to_string_lossy().into_owned()
}

#[test]
fn writes_the_svg_to_a_file_and_to_stdout() {
    let dir = common::scratch("timeline", "writes");
    let out = dir.join("t.svg");
    let file = scenario("cutover/uninstall-then-staging-off.toml");
    let r = common::run(&["timeline", &file, "--out", out.to_str().unwrap()]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("id=\"lane-connect-aadc01\""));
    let r = common::run(&["timeline", &file, "--seed", "706", "--out", "-"]);
    assert_eq!(r.status.code(), Some(0));
    let stdout = String::from_utf8(r.stdout).unwrap();
    assert!(
        stdout.contains("seed 706 ·"),
        "the seed given replaces the file's"
    );
    assert!(String::from_utf8_lossy(&r.stderr).contains("pass (seed 706)"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_exits_2_with_a_hint() {
    let r = common::run(&["timeline", "no/such/file.toml", "--out", "-"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(r.stdout.is_empty());
    let folder = scenario("in-place");
    let r = common::run(&["timeline", &folder, "--out", "-"]);
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("timeline draws one"), "{err}");
    assert!(err.contains("hint: name one .toml file"), "{err}");
    let dir = common::scratch("timeline", "bad");
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "format_version = 1\nseed = -5\n").unwrap();
    let r = common::run(&["timeline", bad.to_str().unwrap(), "--out", "-"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("bad.toml:2:"),
        "file:line:column"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
