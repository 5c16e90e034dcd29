//! `desk-loader`: the preflight CLI. See `docs/cli.md`.

fn main() {}
