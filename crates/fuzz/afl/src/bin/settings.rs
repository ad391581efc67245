//! AFL++ target: `upgrade_lab_fuzz::targets::settings`. A broken contract (an error outside the
//! input, a write-back that reads different) panics, so AFL records it as a crash.

fn main() {
    afl::fuzz!(|data: &[u8]| {
        if let Err(why) = upgrade_lab_fuzz::targets::settings(data) {
            panic!("{why}");
        }
    });
}
