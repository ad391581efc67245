//! Panic isolation: a panic inside one scenario becomes that scenario's error (message and
//! location), and the other scenarios still run and report. While a scenario runs on a thread,
//! the process's panic hook records the message for the runner instead of printing it; on every
//! other thread, and outside scenarios, the previous hook runs as before.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;

thread_local! {
    /// Whether this thread is running a scenario (its panics are recorded, not printed).
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    /// Panics recorded on this thread since the scenario started: `message at file:line:col`.
    static CAUGHT: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

static HOOK: Once = Once::new();

fn install_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CAPTURING.with(Cell::get) {
                CAUGHT.with(|c| c.borrow_mut().push(describe(info)));
            } else {
                previous(info);
            }
        }));
    });
}

fn describe(info: &PanicHookInfo<'_>) -> String {
    let message = payload_text(info.payload());
    match info.location() {
        Some(l) => format!("{message} (at {}:{}:{})", l.file(), l.line(), l.column()),
        None => message,
    }
}

fn payload_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(std::string::ToString::to_string)
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}

/// What [`catch`] saw.
pub struct Caught<R> {
    /// The result, or the panic that ended it (message and location).
    pub result: Result<R, String>,
    /// Panics caught and swallowed inside the run (by the world's async runtime, say): each a
    /// bug the scenario must not hide.
    pub swallowed: Vec<String>,
}

/// Runs `f`; a panic in it comes back as its message and location instead of unwinding.
pub fn catch<R>(f: impl FnOnce() -> R) -> Caught<R> {
    install_hook();
    let was = CAPTURING.with(|c| c.replace(true));
    let before = CAUGHT.with(|c| c.borrow().len());
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    CAPTURING.with(|c| c.set(was));
    let mut caught = CAUGHT.with(|c| c.borrow_mut().split_off(before));
    let result = result.map_err(|payload| {
        caught
            .pop()
            .unwrap_or_else(|| payload_text(payload.as_ref()))
    });
    Caught {
        result,
        swallowed: caught,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message_and_location() {
        let c = catch(|| -> u32 { panic!("boom {}", 7) });
        let e = c.result.unwrap_err();
        assert!(e.starts_with("boom 7 (at "), "{e}");
        assert!(e.contains("isolate.rs:"), "{e}");
        assert!(c.swallowed.is_empty());
        assert_eq!(catch(|| 5).result.unwrap(), 5);
    }

    #[test]
    fn a_panic_caught_inside_is_reported_as_swallowed() {
        let c = catch(|| std::panic::catch_unwind(|| panic!("inner")).is_err());
        assert!(c.result.unwrap());
        assert_eq!(c.swallowed.len(), 1);
        assert!(
            c.swallowed[0].starts_with("inner (at "),
            "{:?}",
            c.swallowed
        );
    }
}
