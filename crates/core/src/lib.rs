//! desk-loader's functional core: plain Rust, no web-sys, no js-sys, no
//! clock, no randomness.
//!
//! Everything the loader decides is decided here and tested natively. The
//! browser module (the `desk-loader` crate at the repository's root) and the
//! CLI (`desk-loader-cli`) only carry out what the core returns. Cargo keeps
//! it so: this crate's dependency tree holds none of wasm-bindgen, web-sys or
//! js-sys (`tests/layers.rs` checks `cargo tree`).

#![deny(unsafe_code)]

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
#[cfg(feature = "sri")]
pub mod sri;
pub mod texts;
pub mod value;

/// The id of the page element holding the manifest when the host page's
/// options name no source (`docs/embed.md`); `desk-loader embed` writes it.
pub const MANIFEST_ELEMENT: &str = "desk-manifest";

/// The id of the page element holding the runtime configuration when the host
/// page's options name no source; `desk-loader embed` writes it.
pub const CONFIG_ELEMENT: &str = "desk-config";
