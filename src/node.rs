//! The preflight CLI's bindings for Node: the npm package's `desk-loader`
//! command (`www/npm/bin/desk-loader.js`) and `require("desk-loader/node")`.
//! Built only with the `cli` feature, into the package's Node module
//! (`[[build]] node` in `wasm-pack.toml`), never into the browser's. Like
//! the native binary, the JavaScript shell only reads what `cliInputs`
//! names and prints what `cliRun` answers: the decisions are `desk_loader_cli::cli`'s.

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use desk_loader_cli::cli::{self, Failure, Fetched, Output};

fn set(target: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(target, &key.into(), &value.into());
}

fn output(out: &Output) -> Object {
    let o = Object::new();
    set(&o, "stdout", out.stdout.as_str());
    set(&o, "stderr", out.stderr.as_str());
    set(&o, "code", out.code);
    o
}

/// What to read for these arguments, given what was read so far (as for
/// `cliRun`): `{inputs: [{location, url, limit}], headers: [[name, value]],
/// timeoutMs}` (`limit`: the most bytes to read), or `{output: {stdout,
/// stderr, code}}` for a usage error. The shell reads the inputs past those
/// it has, and asks again, until no new one comes (`Cli::inputs_given`).
#[wasm_bindgen(js_name = cliInputs)]
pub fn cli_inputs(args: Vec<String>, reads: Vec<JsValue>) -> JsValue {
    let result = Object::new();
    match cli::parse(&args) {
        Ok(cli) => {
            let inputs: Array = cli
                .inputs_given(&from_js(&reads))
                .into_iter()
                .map(|input| {
                    let o = Object::new();
                    set(&o, "location", input.location);
                    set(&o, "url", input.url);
                    set(&o, "limit", input.limit as f64);
                    JsValue::from(o)
                })
                .collect();
            let headers: Array =
                cli.headers().iter().map(|(n, v)| JsValue::from(Array::of2(&n.into(), &v.into()))).collect();
            set(&result, "inputs", inputs);
            set(&result, "headers", headers);
            set(&result, "timeoutMs", cli.timeout_ms());
        }
        Err(usage) => set(&result, "output", output(&usage)),
    }
    result.into()
}

/// The command's `{stdout, stderr, code}`, given what was read for each
/// input of `cliInputs`, in order: `{bytes: Uint8Array, contentType}`, or
/// `{failure}`, one of `cli::Failure` by name (`no-such-file`,
/// `permission-denied`, `directory`, `status` with `status`, `no-answer`,
/// `host-unknown`, `cannot-connect`, `cut-off`, or another with its `words`).
#[wasm_bindgen(js_name = cliRun)]
pub fn cli_run(args: Vec<String>, reads: Vec<JsValue>) -> JsValue {
    let cli = match cli::parse(&args) {
        Ok(cli) => cli,
        Err(usage) => return output(&usage).into(),
    };
    output(&cli.run(from_js(&reads))).into()
}

/// What the shell read, from JavaScript: `{bytes: Uint8Array, contentType}`,
/// or `{failure}` (see `cliRun`).
fn from_js(reads: &[JsValue]) -> Vec<Result<Fetched, Failure>> {
    let get = |o: &JsValue, key: &str| Reflect::get(o, &key.into()).ok().filter(|v| !v.is_undefined() && !v.is_null());
    reads
        .iter()
        .map(|r| match (get(r, "failure").and_then(|f| f.as_string()), get(r, "bytes")) {
            (Some(failure), _) => Err(match failure.as_str() {
                "no-such-file" => Failure::NoSuchFile,
                "permission-denied" => Failure::PermissionDenied,
                "directory" => Failure::Directory,
                "status" => Failure::Status(get(r, "status").and_then(|s| s.as_f64()).unwrap_or_default() as u16),
                "no-answer" => Failure::NoAnswer,
                "host-unknown" => Failure::HostUnknown,
                "cannot-connect" => Failure::CannotConnect,
                "cut-off" => Failure::CutOff,
                _ => Failure::Other(get(r, "words").and_then(|w| w.as_string()).unwrap_or(failure)),
            }),
            (None, Some(bytes)) => Ok(Fetched {
                bytes: bytes.dyn_into::<Uint8Array>().map(|b| b.to_vec()).unwrap_or_default(),
                content_type: get(r, "contentType").and_then(|t| t.as_string()),
            }),
            (None, None) => Err(Failure::Other("nothing was read".to_owned())),
        })
        .collect()
}
