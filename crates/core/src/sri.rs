//! Subresource Integrity and Content-Security-Policy hashes, the one helper
//! for everything around the loader that writes or checks them: `cargo
//! xtask sri`, the bench's generated panel, `desk-loader embed`'s CSP line and
//! `desk-loader release`, and the tests (natively and in the browser), each
//! with the crate's `sri` feature. The browser module does not enable it.

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
