//! desk-loader: the bootstrap module between a desk page and its panel.
//!
//! It reads a release manifest and the runtime configuration, validates the
//! configuration against what the release declares it needs, loads the
//! release's files with Subresource Integrity, waits for the panel to say it
//! is ready, falls back to another release in the same page load when that
//! fails, and shows an accessible error (never a blank screen) when nothing
//! can run.
//!
//! The crate has three parts (see `ARCHITECTURE.md`):
//!
//! - [`core`]: every decision, as plain Rust that compiles and is tested natively;
//! - `web` (only on `wasm32`): the browser shell that carries out the core's actions;
//! - [`embed`]: the recommended embed's HTML, generated for a deploy pipeline;
//! - the `desk-loader` binary: the same validator as a preflight CLI, and `embed`.

#![deny(unsafe_code)]

pub mod core;
pub mod embed;
pub mod sri;

#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(target_arch = "wasm32")]
pub use web::{check, start};

/// A free-list allocator of a few hundred bytes instead of dlmalloc's
/// several KB: the loader allocates little, briefly, on one thread.
/// Without a lock: a lock's two atomic swaps on every allocation were 2 % of
/// a check's time (BENCHMARKS.md, validate-500).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: wasm32-unknown-unknown, built without the `atomics` target
// feature, has one thread: no Worker shares this module's memory.
#[allow(unsafe_code)]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
