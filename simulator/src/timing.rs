//! The timing model: how much simulated time each run profile, install, configure and uninstall
//! costs, as per-object costs plus fixed overheads, and the Azure AD write throttle that bounds
//! exports. Every duration in the world comes from here; nothing else invents a number.
//!
//! It must not know the servers or the tenant: it turns object counts into durations.
//!
//! # Calibration (docs/real-systems.md, "Timing figures")
//!
//! Sources: import scales linearly, "10,000 objects in 10 min" → 60 ms per AD object;
//! the Azure AD write throttle is 7,000 writes per 5 minutes; DirSync's uninstall takes
//! "up to 15 minutes"; the wizard estimates 3 hours per 50,000 objects, and Microsoft's upgrade
//! document says "If you have more than 50,000 objects then it might take longer than three
//! hours" ("Azure AD Connect: Upgrade from DirSync"). The other costs are chosen
//! (**inference**) so that the first export of an in-place upgrade of 50,000 objects starts just
//! after three hours: Connect has then imported and synchronized everything and starts writing
//! to Azure AD.
//!
//! | step (50,000 objects)                | cost                                  | minutes |
//! |--------------------------------------|---------------------------------------|--------:|
//! | uninstall DirSync                    | 5 min + 12 ms × 50,000, capped 15 min |    15.0 |
//! | install Azure AD Connect             | 10 min                                |    10.0 |
//! | configure (wizard "Configure" page)  | 5 min                                 |     5.0 |
//! | Full Import, AD connector            | 5 s + 60 ms × 50,000                  |    50.1 |
//! | Full Import, Azure AD connector      | 5 s + 45 ms × 50,000                  |    37.6 |
//! | Full Synchronization, AD connector   | 5 s + 50 ms × 50,000                  |    41.8 |
//! | Full Synchronization, Azure AD       | 5 s + 35 ms × 50,000                  |    29.3 |
//! | **first Connect export starts**      | (plus 6 s of port queries)            | **188.8** (3:08:46) |
//! | Export, 50,000 writes                | 30 ms each, ≤ 7,000 per 5-min window  |    35.5 |
//! | **first export done**                | (windows are fixed in time)           | **222.9** (3:42:51) |
//!
//! The export row: 7,000 writes at 30 ms take 3.5 min, then the window is spent until its
//! fifth minute; 7 full windows (49,000 writes) = 35 min, plus 1,000 × 30 ms = 0.5 min.
//! Why every object is written on Connect's first export: Connect's default rules flow
//! attributes DirSync never wrote (see `sync::rules::FlowSet`).
//!
//! Against the wizard's estimate (3 h per 50,000 objects), the first export starts at:
//!
//! | objects | estimate | first export starts | ratio |
//! |--------:|---------:|--------------------:|------:|
//! |  49,999 |  2:59:59 |             3:08:46 |  1.05 |
//! |  50,000 |  3:00:00 |             3:08:46 |  1.05 |
//! | 150,000 |  9:00:00 |             8:25:26 |  0.94 |
//!
//! Time is the sum of per-object costs and waits, never a constant per step; the fixed half
//! hour of uninstall, install and configure is why small directories run over the estimate's
//! proportion and large ones under it.

use crate::tenant::throttle::WriteThrottle;
use serde::Deserialize;
use upgrade_lab_model::SimDuration;
use upgrade_lab_model::constants::{AAD_THROTTLE_WINDOW_MINUTES, AAD_WRITES_PER_WINDOW};

/// Per-object costs and fixed durations. Deserialises from a scenario's `[timing]` table; every
/// field has the default of the calibration table above.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Timing {
    /// Fixed overhead of any run profile (connecting, opening the run history entry).
    pub run_overhead_ms: u64,
    pub(crate) full_import_ad_ms_per_object: u64,
    pub(crate) delta_import_ad_ms_per_change: u64,
    pub(crate) full_import_aad_ms_per_object: u64,
    pub(crate) delta_import_aad_ms_per_change: u64,
    pub(crate) full_sync_ad_ms_per_object: u64,
    pub(crate) delta_sync_ad_ms_per_object: u64,
    pub(crate) full_sync_aad_ms_per_object: u64,
    pub(crate) delta_sync_aad_ms_per_object: u64,
    /// Cost of one export call when Azure AD does not throttle.
    pub(crate) export_ms_per_write: u64,
    /// Azure AD write throttle: writes allowed per window (7,000).
    pub(crate) aad_writes_per_window: u64,
    pub(crate) aad_throttle_window_ms: u64,
    pub(crate) connect_install_ms: u64,
    pub(crate) connect_configure_ms: u64,
    /// A configuration wizard run (e.g. "Configure staging mode").
    pub(crate) connect_reconfigure_ms: u64,
    pub(crate) dirsync_uninstall_base_ms: u64,
    pub(crate) dirsync_uninstall_ms_per_object: u64,
    /// DirSync's uninstall takes "up to 15 minutes" (the upgrade document).
    pub(crate) dirsync_uninstall_max_ms: u64,
    /// Stopping or starting a Windows service.
    pub(crate) service_control_ms: u64,
    /// A port query (discover, read history, read a file).
    pub(crate) query_ms: u64,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            run_overhead_ms: 5_000,
            full_import_ad_ms_per_object: 60,
            delta_import_ad_ms_per_change: 60,
            full_import_aad_ms_per_object: 45,
            delta_import_aad_ms_per_change: 30,
            full_sync_ad_ms_per_object: 50,
            delta_sync_ad_ms_per_object: 30,
            full_sync_aad_ms_per_object: 35,
            delta_sync_aad_ms_per_object: 15,
            export_ms_per_write: 30,
            aad_writes_per_window: AAD_WRITES_PER_WINDOW,
            aad_throttle_window_ms: AAD_THROTTLE_WINDOW_MINUTES * 60_000,
            connect_install_ms: 10 * 60_000,
            connect_configure_ms: 5 * 60_000,
            connect_reconfigure_ms: 2 * 60_000,
            dirsync_uninstall_base_ms: 5 * 60_000,
            dirsync_uninstall_ms_per_object: 12,
            dirsync_uninstall_max_ms: 15 * 60_000,
            service_control_ms: 10_000,
            query_ms: 1_000,
        }
    }
}

impl Timing {
    /// Duration of an import or sync run that touches `objects_count` objects at `ms_each`.
    /// Panics on overflow: the scenario validator bounds the costs and the object counts so
    /// that one run stays within days, and the runner reports the panic as the scenario's error.
    pub fn run(&self, objects_count: u64, ms_each: u64) -> SimDuration {
        SimDuration(self.run_overhead_ms) + SimDuration::per_item(ms_each, objects_count)
    }

    /// DirSync's uninstall for a metaverse of `objects_count` objects. Saturates: the result is
    /// capped at `dirsync_uninstall_max_ms` anyway, so a saturated sum gives the same cap.
    pub(crate) fn dirsync_uninstall(&self, objects_count: u64) -> SimDuration {
        let ms = self
            .dirsync_uninstall_base_ms
            .saturating_add(objects_count.saturating_mul(self.dirsync_uninstall_ms_per_object));
        SimDuration(ms.min(self.dirsync_uninstall_max_ms))
    }

    /// Installing and configuring Connect; panics on overflow like [`Self::run`].
    pub(crate) fn connect_install_and_configure(&self) -> SimDuration {
        SimDuration(self.connect_install_ms) + SimDuration(self.connect_configure_ms)
    }

    /// Every field by name with its value, in declaration order (for range checks and docs).
    pub fn fields(&self) -> [(&'static str, u64); 20] {
        [
            ("run_overhead_ms", self.run_overhead_ms),
            (
                "full_import_ad_ms_per_object",
                self.full_import_ad_ms_per_object,
            ),
            (
                "delta_import_ad_ms_per_change",
                self.delta_import_ad_ms_per_change,
            ),
            (
                "full_import_aad_ms_per_object",
                self.full_import_aad_ms_per_object,
            ),
            (
                "delta_import_aad_ms_per_change",
                self.delta_import_aad_ms_per_change,
            ),
            (
                "full_sync_ad_ms_per_object",
                self.full_sync_ad_ms_per_object,
            ),
            (
                "delta_sync_ad_ms_per_object",
                self.delta_sync_ad_ms_per_object,
            ),
            (
                "full_sync_aad_ms_per_object",
                self.full_sync_aad_ms_per_object,
            ),
            (
                "delta_sync_aad_ms_per_object",
                self.delta_sync_aad_ms_per_object,
            ),
            ("export_ms_per_write", self.export_ms_per_write),
            ("aad_writes_per_window", self.aad_writes_per_window),
            ("aad_throttle_window_ms", self.aad_throttle_window_ms),
            ("connect_install_ms", self.connect_install_ms),
            ("connect_configure_ms", self.connect_configure_ms),
            ("connect_reconfigure_ms", self.connect_reconfigure_ms),
            ("dirsync_uninstall_base_ms", self.dirsync_uninstall_base_ms),
            (
                "dirsync_uninstall_ms_per_object",
                self.dirsync_uninstall_ms_per_object,
            ),
            ("dirsync_uninstall_max_ms", self.dirsync_uninstall_max_ms),
            ("service_control_ms", self.service_control_ms),
            ("query_ms", self.query_ms),
        ]
    }

    /// The tenant-wide throttle these settings describe.
    pub(crate) fn throttle(&self) -> WriteThrottle {
        WriteThrottle::new(self.aad_writes_per_window, self.aad_throttle_window_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// When the first export of an in-place upgrade of `n` objects starts: uninstall, install,
    /// configure, the four full runs, and the wizard's port queries (6 s in the world).
    fn first_export_start_ms(t: &Timing, n: u64) -> u64 {
        let fixed = t.dirsync_uninstall(n).0 + t.connect_install_ms + t.connect_configure_ms;
        let runs = t.run(n, t.full_import_ad_ms_per_object).0
            + t.run(n, t.full_import_aad_ms_per_object).0
            + t.run(n, t.full_sync_ad_ms_per_object).0
            + t.run(n, t.full_sync_aad_ms_per_object).0;
        fixed + runs + 6 * t.query_ms
    }

    /// The first export's end: the table's last row.
    fn first_export_done_ms(t: &Timing, n: u64) -> u64 {
        let start = first_export_start_ms(t, n) + t.run_overhead_ms;
        t.throttle().reserve(start, n, t.export_ms_per_write)
    }

    fn hms(ms: u64) -> String {
        SimDuration(ms).to_string()
    }

    #[test]
    fn the_first_export_of_50k_objects_in_place_starts_just_after_three_hours() {
        let t = Timing::default();
        assert_eq!(hms(first_export_start_ms(&t, 50_000)), "3:08:46");
        assert_eq!(hms(first_export_done_ms(&t, 50_000)), "3:42:51");
    }

    #[test]
    fn the_first_export_start_follows_the_wizards_estimate() {
        let t = Timing::default();
        for (n, table) in [(49_999, "3:08:45"), (150_000, "8:25:26")] {
            let start = first_export_start_ms(&t, n);
            assert_eq!(hms(start), table, "{n} objects");
            let estimate = n * 10_800_000 / 50_000;
            let ratio = start as f64 / estimate as f64;
            assert!((0.9..1.1).contains(&ratio), "{n} objects: {ratio}");
        }
    }

    #[test]
    fn dirsync_uninstall_never_exceeds_fifteen_minutes() {
        let t = Timing::default();
        assert_eq!(t.dirsync_uninstall(1_000_000), SimDuration::from_mins(15));
        assert!(t.dirsync_uninstall(1_000) < SimDuration::from_mins(15));
    }

    #[test]
    fn a_run_cost_past_u64_panics_and_the_capped_uninstall_saturates() {
        let t = Timing {
            dirsync_uninstall_ms_per_object: u64::MAX,
            ..Timing::default()
        };
        assert_eq!(t.dirsync_uninstall(3), SimDuration::from_mins(15));
        let r = std::panic::catch_unwind(|| t.run(u64::MAX, 2));
        let message = r.unwrap_err();
        let text = message.downcast_ref::<String>().unwrap();
        assert!(text.contains("simulated time overflow"), "{text}");
    }

    #[test]
    fn fields_list_every_field_once() {
        let f = Timing::default().fields();
        let mut names: Vec<&str> = f.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 20);
        assert_eq!(f[12], ("connect_install_ms", 600_000));
    }

    #[test]
    fn overrides_deserialize_and_unknown_keys_are_refused() {
        let t: Timing = serde_json::from_str(r#"{"export_ms_per_write": 5}"#).unwrap();
        assert_eq!(t.export_ms_per_write, 5);
        assert_eq!(t.full_import_ad_ms_per_object, 60);
        let err = serde_json::from_str::<Timing>(r#"{"export_ms": 5}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }
}
