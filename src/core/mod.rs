//! The functional core: plain Rust, no web-sys, no js-sys, no clock, no randomness.
//!
//! Everything the loader decides is decided here and tested natively. The web
//! shell (`crate::web`) and the CLI only carry out what the core returns.

pub mod boot;
pub mod check;
pub mod config;
pub mod integrity;
pub mod json;
pub mod manifest;
mod names;
pub mod options;
pub mod origin;
pub mod otlp;
pub mod problem;
pub mod record;
pub mod report;
pub mod rollout;
mod small;
pub mod texts;
pub mod value;

/// The id of the page element holding the manifest when the host page's
/// options name no source (`docs/embed.md`); `desk-loader embed` writes it.
pub const MANIFEST_ELEMENT: &str = "desk-manifest";

/// The id of the page element holding the runtime configuration when the host
/// page's options name no source; `desk-loader embed` writes it.
pub const CONFIG_ELEMENT: &str = "desk-config";
