//! desk-loader: the bootstrap module between a desk page and its panel.
//!
//! It reads a release manifest and the runtime configuration, validates the
//! configuration against what the release declares it needs, loads the
//! release's files with Subresource Integrity, waits for the panel to say it
//! is ready, falls back to another release in the same page load when that
//! fails, and shows an accessible error (never a blank screen) when nothing
//! can run.
//!
//! This crate is the browser module that `wasm-pack` builds (see
//! `ARCHITECTURE.md`): `web`, the shell that carries out the core's actions
//! in the page, on `wasm32` only; natively it is empty. Its layers are crates
//! of the workspace, so Cargo keeps each in its place:
//!
//! - `desk-loader-core` (`crates/core`): every decision, plain Rust that
//!   compiles and is tested natively;
//! - `desk-loader-cli` (`crates/cli`): the preflight CLI's logic, the embed
//!   and the release writer, sans I/O, and the native `desk-loader` binary;
//! - this crate: the browser shell, and with the `cli` feature the npm
//!   package's Node CLI (`node`).

#![deny(unsafe_code)]

#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(target_arch = "wasm32")]
pub use web::{check, start};

#[cfg(all(target_arch = "wasm32", feature = "cli"))]
mod node;

/// A free-list allocator of a few hundred bytes instead of dlmalloc's
/// several KB: the loader allocates little, briefly, on one thread.
/// Without a lock: `LockedAllocator`'s lock and unlock on every allocation
/// were 2 % of a check's time in a Node profile of validate-500.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
// SAFETY: without the `atomics` target feature the module's memory is not
// shared: a Worker that loads the module gets its own instance, memory and
// allocator, and the allocator calls no JavaScript, so it is never re-entered.
#[allow(unsafe_code)]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
compile_error!(
    "a build with shared memory needs a locked allocator: lol_alloc::LockedAllocator, not AssumeSingleThreaded"
);
