//! The binary's live output and Unix habits: lines flushed as scenarios end (through a pipe),
//! the document alone on stdout, quiet and verbose, colour rules, `-` for standard input and
//! output, `inspect --fail-on-defects`, the replay command as invoked, completions and man.

mod common;

use common::{BIN, run, scratch};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

/// A scenario that passes in a moment.
const FAST: &str = "format_version = 1\ndescription = \"recommend.in-place-under-50k: a small directory\"\nseed = 5\n[world]\nusers = 60\ngroups = 5\ncontacts = 5\n[[steps]]\naction = \"analyze\"\n[expect]\nrecommendation = \"in_place\"\n";

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A folder of scenario files (name, text).
fn suite(test: &str, files: &[(&str, String)]) -> PathBuf {
    let dir = scratch("live", test);
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// FAST with its expectation wrong: it fails.
fn failing() -> String {
    FAST.replace("\"in_place\"", "\"parallel\"")
}

/// The binary without Cargo's environment: replay commands then name the program as invoked.
fn bin() -> Command {
    let mut c = Command::new(BIN);
    c.env_remove("CARGO")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CI");
    c
}

/// Wall times as `[wall]`, so the lines can be snapshotted.
fn redact_wall(text: &str) -> String {
    text.lines()
        .map(|l| match (l.find(" ["), l.find("s] [sim")) {
            (Some(a), Some(b)) if a < b => format!("{}[wall]{}", &l[..=a], &l[b + 2..]),
            _ => match l.rfind(" (") {
                Some(a) if l.starts_with("Summary") => format!("{} ([wall])", &l[..a]),
                _ => l.to_string(),
            },
        })
        .map(|l| l + "\n")
        .collect()
}

#[test]
fn the_first_line_arrives_through_a_pipe_while_later_scenarios_still_run() {
    let slow = FAST.replace("users = 60", "users = 40000");
    let dir = suite(
        "pipe",
        &[("a-fast.toml", FAST.into()), ("b-slow.toml", slow)],
    );
    let started = Instant::now();
    let mut child = bin()
        .args(["run", dir.to_str().unwrap(), "--jobs", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("a first line").unwrap();
    let first_at = started.elapsed();
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    let status = child.wait().unwrap();
    let ended_at = started.elapsed();
    assert!(status.success(), "{first}\n{}", rest.join("\n"));
    assert!(first.contains("a-fast"), "{first}");
    let slow_line = rest.iter().find(|l| l.contains("b-slow")).expect("b-slow");
    let slow_wall: f64 = slow_line
        .split('[')
        .nth(1)
        .and_then(|w| w.split('s').next())
        .and_then(|w| w.trim().parse().ok())
        .unwrap_or_else(|| panic!("a wall time in {slow_line}"));
    // Buffered output would arrive all at the end: the first line only after b-slow ran.
    let gap = ended_at.saturating_sub(first_at).as_secs_f64();
    assert!(
        gap >= slow_wall * 0.5,
        "the first line came {first_at:?} after the start, {gap:.3}s before the end, \
         while b-slow alone ran {slow_wall}s: the lines were held back"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn live_lines_of_a_suite_with_a_failure() {
    let dir = suite(
        "snapshot",
        &[("ok.toml", FAST.into()), ("wrong.toml", failing())],
    );
    let o = bin()
        .current_dir(&dir)
        .args(["run", ".", "--jobs", "1"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = redact_wall(&stdout(&o)).replace(BIN, "upgrade-lab");
    insta::assert_snapshot!(text);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn quiet_shows_only_failures_and_verbose_adds_the_steps() {
    let dir = suite(
        "verbosity",
        &[("ok.toml", FAST.into()), ("wrong.toml", failing())],
    );
    let path = dir.to_str().unwrap();
    let o = bin().args(["run", path, "-q"]).output().unwrap();
    let text = stdout(&o);
    assert!(!text.contains(" ok\n"), "{text}");
    assert!(text.contains(" FAIL ["), "{text}");
    assert!(
        text.contains("Summary 2 scenarios: 1 passed, 1 failed, 0 errors"),
        "{text}"
    );
    let o = bin()
        .args(["run", path, "-v", "--jobs", "1"])
        .output()
        .unwrap();
    let text = stdout(&o);
    // Each step as it happens: its start and its end, before the scenario's own line.
    let start = text.find("step 1 [T+0:00:00] ok: analyze starts");
    let end = text.find("step 1 [T+0:00:01] ok: done: ");
    let line = text.find(" PASS [");
    assert!(start.is_some() && end.is_some() && line.is_some(), "{text}");
    assert!(
        start < end && end < line,
        "steps come before the scenario's line: {text}"
    );
    let o = bin().args(["run", path]).output().unwrap();
    assert!(!stdout(&o).contains("analyze starts"), "steps only with -v");
    let o = bin().args(["run", path, "-q", "-v"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "-q and -v exclude each other");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_document_on_stdout_stays_pure_and_the_lines_go_to_stderr() {
    let dir = suite("document", &[("ok.toml", FAST.into())]);
    let path = dir.to_str().unwrap();
    for args in [
        vec!["run", path, "--format", "json"],
        vec!["run", path, "--format", "json", "--out", "-"],
    ] {
        let o = bin().args(&args).output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("pure JSON");
        assert_eq!(json["summary"]["passed"], 1);
        assert!(stderr(&o).contains(" PASS ["), "{}", stderr(&o));
    }
    let o = bin()
        .args(["run", path, "--format", "junit"])
        .output()
        .unwrap();
    assert!(stdout(&o).starts_with("<?xml"), "{}", stdout(&o));
    let report = dir.join("r.json");
    let o = bin()
        .args(["run", path, "--format", "json", "--out"])
        .arg(&report)
        .output()
        .unwrap();
    assert!(stdout(&o).contains(" PASS ["), "{}", stdout(&o));
    assert!(stdout(&o).ends_with(&format!("report written to {}\n", report.display())));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn colour_follows_the_flag_no_color_and_clicolor_force() {
    let dir = suite("colour", &[("ok.toml", FAST.into())]);
    let path = dir.to_str().unwrap();
    let coloured = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = bin();
        c.args(["run", path]).args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        stdout(&c.output().unwrap()).contains('\u{1b}')
    };
    assert!(!coloured(&[], &[]), "a pipe gets no colour");
    assert!(coloured(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!coloured(
        &[],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]
    ));
    assert!(coloured(&["--color", "always"], &[("NO_COLOR", "1")]));
    assert!(!coloured(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs `wrong.toml` in `dir` through the binary at `program` and returns the replay line.
fn replay_line(program: &Path, dir: &Path, cargo: Option<&str>) -> String {
    let mut c = Command::new(program);
    c.env_remove("CARGO").arg("run").arg(dir.join("wrong.toml"));
    if let Some(cargo) = cargo {
        c.env("CARGO", cargo);
    }
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("replay: "))
        .unwrap_or_else(|| panic!("no replay line in {text}"));
    line.trim_start().trim_start_matches("replay: ").to_string()
}

#[test]
fn the_replay_command_is_the_program_as_invoked_and_pastes_back_into_a_shell() {
    let dir = suite("replay", &[("with space/wrong.toml", failing())]);
    let tools = dir.join("my tools");
    std::fs::create_dir_all(&tools).unwrap();
    let program = tools.join("upgrade-lab");
    std::fs::copy(BIN, &program).unwrap();
    let scenarios = dir.join("with space");
    let line = replay_line(&program, &scenarios, None);
    let words = shell_words::split(&line).expect("a shell line");
    let file = scenarios.join("wrong.toml");
    assert_eq!(
        words,
        [
            program.to_str().unwrap(),
            "run",
            file.to_str().unwrap(),
            "--seed",
            "5"
        ],
        "{line}"
    );
    let line = replay_line(Path::new(BIN), &scenarios, Some("cargo"));
    assert!(
        line.starts_with("cargo run -p upgrade-lab -- run '"),
        "{line}"
    );
    // The JSON report never holds the program: it must read the same on every machine.
    let o = Command::new(&program)
        .args(["run", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!stdout(&o).contains("my tools"), "{}", stdout(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn generate_to_stdout_pipes_into_inspect_from_stdin() {
    let mut generate = bin()
        .args(["generate", "--users", "1000", "--out", "-"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let inspect = bin()
        .args(["inspect", "-"])
        .stdin(Stdio::from(generate.stdout.take().unwrap()))
        .output()
        .unwrap();
    assert!(generate.wait().unwrap().success());
    assert!(inspect.status.success(), "{}", stderr(&inspect));
    let text = stdout(&inspect);
    assert!(text.contains("users     1,000"), "{text}");
    assert!(text.contains("Defects: none"), "{text}");
}

#[test]
fn a_scenario_from_stdin_runs_and_checks_as_stdin() {
    for (command, expect) in [("run", " stdin\n"), ("check", "1 scenario file is valid")] {
        let mut c = bin()
            .args([command, "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut c.stdin.take().unwrap(), FAST.as_bytes()).unwrap();
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{command}: {}", stderr(&o));
        assert!(stdout(&o).contains(expect), "{command}: {}", stdout(&o));
    }
    let mut c = bin()
        .args(["check", "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut c.stdin.take().unwrap(),
        b"format_version = 1\nseed = -1\n",
    )
    .unwrap();
    let o = c.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("-:2:8"), "{}", stderr(&o));
}

#[test]
fn a_spec_from_stdin_and_a_line_per_phase_on_stderr() {
    let mut c = bin()
        .args(["generate", "--spec", "-", "--out", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut c.stdin.take().unwrap(), b"users = 33\ngroups = 2\n").unwrap();
    let o = c.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let directory: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert!(directory["objects"].as_array().unwrap().len() > 33);
    let err = stderr(&o);
    let phases: Vec<&str> = err.lines().collect();
    assert_eq!(phases.len(), 2, "{err}");
    assert!(phases[0].starts_with("phase generate "), "{err}");
    assert!(
        phases[1].starts_with("phase write json to standard output … done in "),
        "{err}"
    );
}

#[test]
fn fail_on_defects_exits_1_with_counts_per_kind_and_0_on_a_clean_directory() {
    let dir = scratch("live", "defects");
    let planted = dir.join("planted.json");
    let clean = dir.join("clean.json");
    for (path, extra) in [
        (
            &planted,
            vec!["--duplicate-upns", "2", "--invalid-upns", "3"],
        ),
        (&clean, vec![]),
    ] {
        let mut args = vec![
            "generate",
            "--users",
            "300",
            "--out",
            path.to_str().unwrap(),
        ];
        args.extend(extra);
        let o = run(&args);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = run(&["inspect", planted.to_str().unwrap(), "--fail-on-defects"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("duplicate UPNs: 2"), "{err}");
    assert!(err.contains("invalid values: 3"), "{err}");
    assert!(
        !err.contains("proxyAddresses"),
        "kinds without defects: {err}"
    );
    let o = run(&["inspect", planted.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "without the flag defects only show"
    );
    let o = run(&["inspect", clean.to_str().unwrap(), "--fail-on-defects"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bash_completion_knows_run_and_seed_and_every_shell_gets_a_script() {
    let o = run(&["completions", "bash"]);
    assert!(o.status.success());
    let script = stdout(&o);
    assert!(
        script.contains("run") && script.contains("--seed"),
        "{script}"
    );
    for shell in ["zsh", "fish", "powershell"] {
        let o = run(&["completions", shell]);
        assert!(o.status.success() && !o.stdout.is_empty(), "{shell}");
    }
    assert_eq!(run(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn the_man_pages_render() {
    let o = run(&["man"]);
    assert!(o.status.success());
    let page = stdout(&o);
    assert!(page.contains(".TH upgrade-lab 1"), "{page}");
    let dir = scratch("live", "man");
    let o = run(&["man", "--out", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for page in [
        "upgrade-lab.1",
        "upgrade-lab-run.1",
        "upgrade-lab-inspect.1",
    ] {
        let text = std::fs::read_to_string(dir.join(page)).unwrap();
        assert!(text.contains(".TH"), "{page}: {text}");
    }
    let man = Command::new("man")
        .args(["-l", "-P", "cat"])
        .arg(dir.join("upgrade-lab-run.1"))
        .env("MANWIDTH", "100")
        .output();
    match man {
        Ok(o) if o.status.success() => {
            let text = stdout(&o);
            assert!(text.contains("--seed"), "{text}");
            assert!(text.contains("upgrade-lab-run"), "{text}");
        }
        _ => eprintln!("man is not installed: the pages were checked for .TH only"),
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
