//! desk-loader's tools for a deploy pipeline, sans I/O: the preflight CLI's
//! logic ([`cli`]), the recommended embed ([`embed`]) and release entries read
//! from a bundler's build output ([`release`]).
//!
//! Every decision here is the core's (`desk_loader_core`): the CLI checks a
//! release as the browser's boot does. Two shells only read and print: the
//! native `desk-loader` binary (`src/bin/desk-loader.rs`) and the npm
//! package's Node command (the root crate's `node` module, built with its
//! `cli` feature).

#![deny(unsafe_code)]

pub mod cli;
pub mod embed;
pub mod release;
