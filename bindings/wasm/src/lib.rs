#![doc = include_str!("../README.md")]

pub mod plain;

use js_sys::{Error, JSON, Reflect};
use wasm_bindgen::prelude::*;

use plain::{Checked, Problem};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

/// Runs once when the module is instantiated: a panic (a bug in offramp) is written to the
/// console before the module traps, so the page shows a message instead of only `unreachable`.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error(&format!(
            "offramp failed inside (a bug: please report it): {info}"
        ));
    }));
}

/// The version of the offramp bindings (the workspace version).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Checks a program (TOML text): an array of diagnostics, each `{severity, code, file, line,
/// column, path?, message, help?, span, rendered}`. A program that does not load gives its
/// errors (`severity: "error"`); one that loads gives its warnings, or an empty array.
#[wasm_bindgen]
pub fn check(program: &str) -> Result<JsValue, JsValue> {
    let json = plain::check_json(program).map_err(to_error)?;
    parse(&json)
}

/// Routes one encounter (JSON text) through a program (TOML text): the decision as one line of
/// JSON, the same bytes `offramp route` prints for it.
#[wasm_bindgen]
pub fn route(program: &str, encounter: &str) -> Result<String, JsValue> {
    plain::route_json(program, encounter).map_err(to_error)
}

/// The decision for one encounter in sentences, as `offramp explain` prints it.
#[wasm_bindgen]
pub fn explain(program: &str, encounter: &str) -> Result<String, JsValue> {
    plain::explain_text(program, encounter).map_err(to_error)
}

/// Every rule, exclusion and amnesty with its result, as one line of JSON (`offramp explain
/// --trace --format json`).
#[wasm_bindgen]
pub fn trace(program: &str, encounter: &str) -> Result<String, JsValue> {
    plain::trace_json(program, encounter).map_err(to_error)
}

/// The trace as indented text (`offramp explain --trace`).
#[wasm_bindgen(js_name = traceText)]
pub fn trace_text(program: &str, encounter: &str) -> Result<String, JsValue> {
    plain::trace_text(program, encounter).map_err(to_error)
}

/// A program loaded once, for routing many encounters without reading the program each time:
/// `new Router(programToml)` throws as `route` does for a program that does not load.
#[wasm_bindgen(js_name = Router)]
pub struct JsRouter {
    router: offramp::Router,
}

#[wasm_bindgen(js_class = Router)]
impl JsRouter {
    /// Loads the program (TOML text).
    #[wasm_bindgen(constructor)]
    pub fn new(program: &str) -> Result<JsRouter, JsValue> {
        let router = plain::router(program).map_err(to_error)?;
        Ok(JsRouter { router })
    }

    /// The decision as one line of JSON, as [`route`] gives it.
    pub fn route(&self, encounter: &str) -> Result<String, JsValue> {
        plain::route_with(&self.router, encounter).map_err(to_error)
    }

    /// The decision in sentences, as [`explain`] gives it.
    pub fn explain(&self, encounter: &str) -> Result<String, JsValue> {
        plain::explain_with(&self.router, encounter).map_err(to_error)
    }
}

/// JSON text into a JavaScript value.
fn parse(json: &str) -> Result<JsValue, JsValue> {
    JSON::parse(json)
}

/// Sets a property; setting one on a fresh `Error` cannot fail, and if it did the error would
/// still carry its message.
fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// A number property, or `undefined` for an unknown position.
fn number(n: Option<usize>) -> JsValue {
    n.filter(|n| *n > 0)
        .map_or(JsValue::UNDEFINED, |n| JsValue::from_f64(n as f64))
}

/// A problem as a JavaScript `Error`, its `name` the kind of problem and its fields those the
/// Kotlin and Swift bindings give:
/// - `InvalidProgram`: `line`, `column` and `detail` of the first problem, and `diagnostics`
///   (as [`check`] returns them);
/// - `InvalidEncounter`: `field` (`offenses[0].nibrs`, `.` for the whole object), `detail`,
///   and `line`, `column` in the JSON text when known;
/// - `InternalError`: a result that could not be written (a bug).
fn to_error(problem: Problem) -> JsValue {
    match problem {
        Problem::Program(e) => {
            let error = JsValue::from(Error::new(&e.to_string()));
            set(&error, "name", &"InvalidProgram".into());
            let first = e.diagnostics().first();
            set(&error, "line", &number(first.map(|d| d.line)));
            set(&error, "column", &number(first.map(|d| d.column)));
            let detail = first.map_or_else(|| e.to_string(), |d| d.message.clone());
            set(&error, "detail", &detail.into());
            let items: Vec<Checked<'_>> = e.diagnostics().iter().map(Checked::error).collect();
            let diagnostics = serde_json::to_string(&items)
                .ok()
                .and_then(|json| parse(&json).ok())
                .unwrap_or_else(|| js_sys::Array::new().into());
            set(&error, "diagnostics", &diagnostics);
            error
        }
        Problem::Encounter(e) => {
            let error = JsValue::from(Error::new(&e.to_string()));
            set(&error, "name", &"InvalidEncounter".into());
            set(&error, "field", &e.field().into());
            set(&error, "detail", &e.message().into());
            let (line, column) = e.position().unzip();
            set(&error, "line", &number(line));
            set(&error, "column", &number(column));
            error
        }
        Problem::Json(e) => {
            let error = JsValue::from(Error::new(&format!(
                "offramp could not write its answer as JSON (a bug: please report it): {e}"
            )));
            set(&error, "name", &"InternalError".into());
            error
        }
    }
}
