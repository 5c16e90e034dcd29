//! Subresource Integrity and Content-Security-Policy hashes, the one helper
//! for everything around the loader that writes or checks them: `cargo
//! xtask sri` and the bench's generated panel (xtask compiles this file in as
//! a module: it does not depend on the product), `desk-loader embed`'s CSP
//! line, and the tests (natively and in the browser). Nothing in the wasm
//! module calls it, so none of it ships.

use base64::Engine;
use sha2::{Digest, Sha256, Sha384};

/// The `integrity` of `bytes`: `sha384-<base64>`, as the manifest lists it.
pub fn integrity(bytes: &[u8]) -> String {
    format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes)))
}

/// The CSP source that allows an inline element whose text is `text`:
/// `'sha256-<base64>'`.
pub fn csp_hash(text: &str) -> String {
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes())))
}
