//! The command that replays a scenario: the program as it was invoked, then `run FILE --seed N`,
//! every word shell-quoted so a path with spaces or quotes pastes back into a shell unchanged.
//!
//! The program is set once per process by the command line ([`set_program`], from argv[0]), so
//! the human report, JUnit and HTML all show the same command. The JSON report never holds it:
//! argv[0] differs between machines and JSON is compared byte for byte.

use std::sync::OnceLock;

/// The program of a replay when none was set (a library caller, the test suites) or when
/// upgrade-lab was started by `cargo run --release`.
pub const CARGO_RELEASE_PROGRAM: &str = "cargo run --release -p upgrade-lab --";

/// The program when started by `cargo run` without `--release`.
pub const CARGO_DEBUG_PROGRAM: &str = "cargo run -p upgrade-lab --";

static PROGRAM: OnceLock<String> = OnceLock::new();

/// Sets the replay program for the rest of the process (the first call wins).
pub fn set_program(program: String) {
    let _ = PROGRAM.set(program);
}

/// The replay program: what [`set_program`] set, else [`CARGO_RELEASE_PROGRAM`].
pub fn program() -> &'static str {
    PROGRAM.get().map_or(CARGO_RELEASE_PROGRAM, String::as_str)
}

/// The program prefix for an invocation as `argv0`. `under_cargo` is whether Cargo started the
/// process (it sets `CARGO` in the environment of what it runs): then a binary in Cargo's
/// `target/release` or `target/debug` is replayed through `cargo run`, which rebuilds first.
/// Otherwise argv[0] exactly as typed (`upgrade-lab`, `target/release/upgrade-lab`), quoted.
pub fn program_for(argv0: &str, under_cargo: bool) -> String {
    let dir = std::path::Path::new(argv0)
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str());
    match (under_cargo, dir) {
        (true, Some("release")) => CARGO_RELEASE_PROGRAM.to_string(),
        (true, Some("debug")) => CARGO_DEBUG_PROGRAM.to_string(),
        _ => shell_words::quote(argv0).into_owned(),
    }
}

/// `PROGRAM run FILE --seed SEED`, `FILE` shell-quoted.
pub fn command(program: &str, file: &str, seed: u64) -> String {
    format!("{program} run {} --seed {seed}", shell_words::quote(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_installed_binary_replays_as_invoked_and_cargo_runs_replay_through_cargo() {
        assert_eq!(program_for("upgrade-lab", false), "upgrade-lab");
        assert_eq!(
            program_for("target/release/upgrade-lab", false),
            "target/release/upgrade-lab"
        );
        assert_eq!(
            program_for("/w/target/release/upgrade-lab", true),
            CARGO_RELEASE_PROGRAM
        );
        assert_eq!(
            program_for("/w/target/debug/upgrade-lab", true),
            CARGO_DEBUG_PROGRAM
        );
        assert_eq!(
            program_for("/opt/my tools/upgrade-lab", false),
            "'/opt/my tools/upgrade-lab'"
        );
    }

    #[test]
    fn paths_with_spaces_and_quotes_are_quoted_and_split_back_unchanged() {
        let file = "my scenarios/it's here.toml";
        let line = command("upgrade-lab", file, 204);
        assert_eq!(
            shell_words::split(&line).unwrap(),
            ["upgrade-lab", "run", file, "--seed", "204"]
        );
        assert_eq!(
            command("upgrade-lab", "scenarios/a.toml", 1),
            "upgrade-lab run scenarios/a.toml --seed 1"
        );
    }
}
