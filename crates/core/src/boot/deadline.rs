//! A deadline that runs only while the page is visible: an attempt's ready
//! deadline (`attempt.rs`) and the recheck after the error screen
//! (`recovery.rs`) stop while the page is hidden, and go on with what was
//! left when it shows again.

/// When the deadline fires, or, while the page is hidden, how much of it is left.
#[derive(Clone, Copy, Debug)]
pub(super) enum Deadline {
    Running { at_ms: f64 },
    Paused { left_ms: f64 },
}

impl Deadline {
    /// A deadline `after_ms` from `now_ms`; it waits while the page is hidden.
    pub(super) fn after(after_ms: f64, now_ms: f64, hidden: bool) -> Deadline {
        if hidden {
            Deadline::Paused { left_ms: after_ms }
        } else {
            Deadline::Running { at_ms: now_ms + after_ms }
        }
    }

    /// A deadline at `at_ms`; it waits while the page is hidden.
    pub(super) fn at(at_ms: f64, now_ms: f64, hidden: bool) -> Deadline {
        if hidden {
            Deadline::Paused { left_ms: at_ms - now_ms }
        } else {
            Deadline::Running { at_ms }
        }
    }

    /// When it fires, if it is running.
    pub(super) fn running(self) -> Option<f64> {
        match self {
            Deadline::Running { at_ms } => Some(at_ms),
            Deadline::Paused { .. } => None,
        }
    }

    /// Whether it is running and has passed at `now_ms`.
    pub(super) fn passed(self, now_ms: f64) -> bool {
        self.running().is_some_and(|at_ms| now_ms >= at_ms)
    }

    /// The deadline after the page became hidden or visible at `now_ms`.
    pub(super) fn visibility(self, hidden: bool, now_ms: f64) -> Deadline {
        match (self, hidden) {
            (Deadline::Running { at_ms }, true) => Deadline::Paused { left_ms: (at_ms - now_ms).max(0.0) },
            (Deadline::Paused { left_ms }, false) => Deadline::Running { at_ms: now_ms + left_ms },
            (same, _) => same,
        }
    }
}
