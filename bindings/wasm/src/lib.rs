#![doc = include_str!("../README.md")]

pub mod plain;

use js_sys::{Error, JSON, Reflect};
use offramp::Diagnostic;
use offramp::authoring::analysis::AnalysisError;
use wasm_bindgen::prelude::*;

use plain::{Checked, Problem, authoring};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

/// The TypeScript shapes of the objects the functions return (the `.d.ts` names them through
/// `unchecked_return_type`).
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("types.d.ts");

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
#[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
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

/// Runs a scenario file (TOML text, as `offramp test` reads) against a program (TOML text):
/// `{program, passed, failed, text, results}`, `text` being what `offramp test PROGRAM
/// --scenarios FILE` prints and `results` one result per scenario. The file's `program` key
/// is not read: the program is the text given. Throws `InvalidProgram` or `InvalidScenarios`.
#[wasm_bindgen(js_name = runScenarios, unchecked_return_type = "ScenarioRun")]
pub fn run_scenarios(program: &str, scenarios: &str) -> Result<JsValue, JsValue> {
    let json = authoring::run_scenarios_json(program, scenarios).map_err(to_error)?;
    parse(&json)
}

/// The program's analysis (gaps, overlaps, dead rules, exclusions that empty a pathway, the
/// intercept grid) as an object: the JSON `offramp analyze PROGRAM --format json` prints.
/// Throws `InvalidProgram`, or `AnalysisTooLarge` for a program whose rules read too many
/// fields at once to analyse exactly.
#[wasm_bindgen(unchecked_return_type = "Analysis")]
pub fn analyze(program: &str) -> Result<JsValue, JsValue> {
    let json = authoring::analyze_json(program).map_err(to_error)?;
    parse(&json)
}

/// The analysis as the text `offramp analyze PROGRAM` prints.
#[wasm_bindgen(js_name = analyzeText)]
pub fn analyze_text(program: &str) -> Result<String, JsValue> {
    authoring::analyze_text(program).map_err(to_error)
}

/// The Sequential Intercept Model gap map of the program's analysis, as `offramp analyze
/// PROGRAM --map FILE --map-format FORMAT` writes it: `svg` (the default), `mermaid` or
/// `html`. Another format throws `InvalidArgument`. (Its TypeScript signature, with the
/// format optional and typed, is written in `types.d.ts`.)
#[wasm_bindgen(skip_typescript)]
pub fn map(program: &str, format: Option<String>) -> Result<String, JsValue> {
    authoring::map(program, format.as_deref()).map_err(to_error)
}

/// A program loaded once, with partner providers when a directory is given, for routing many
/// encounters without reading the program each time: `new Router(programToml,
/// directoryJson?)` throws `InvalidProgram` for a program that does not load and
/// `InvalidDirectory` for a directory that does not.
#[wasm_bindgen(js_name = Router)]
pub struct JsRouter {
    router: offramp::Router,
    warnings: Vec<String>,
}

#[wasm_bindgen(js_class = Router)]
impl JsRouter {
    /// Loads the program (TOML text) and, when given, a provider directory (JSON text: offramp's
    /// directory format or HSDS 3.0, as `offramp route --providers FILE.json` reads it), read
    /// in the program's time zone.
    #[wasm_bindgen(constructor)]
    pub fn new(program: &str, directory: Option<String>) -> Result<JsRouter, JsValue> {
        let (router, warnings) = match directory {
            Some(d) => plain::router_with_directory(program, &d).map_err(to_error)?,
            None => (plain::router(program).map_err(to_error)?, Vec::new()),
        };
        Ok(JsRouter { router, warnings })
    }

    /// What was incomplete in the directory when it loaded, each as the command prints it
    /// after `warning: `; empty without a directory.
    #[wasm_bindgen(js_name = directoryWarnings)]
    pub fn directory_warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    /// The decision as one line of JSON, as [`route`] gives it; with a directory, its
    /// pathways carry partner options, as `offramp route --providers` prints them.
    pub fn route(&self, encounter: &str) -> Result<String, JsValue> {
        plain::route_with(&self.router, encounter).map_err(to_error)
    }

    /// The decision in sentences, as [`explain`] gives it (`offramp explain --providers`).
    pub fn explain(&self, encounter: &str) -> Result<String, JsValue> {
        plain::explain_with(&self.router, encounter).map_err(to_error)
    }

    /// The trace as one line of JSON, as [`trace`] gives it.
    pub fn trace(&self, encounter: &str) -> Result<String, JsValue> {
        plain::trace_with(&self.router, encounter).map_err(to_error)
    }

    /// The trace as indented text, as [`trace_text`] gives it.
    #[wasm_bindgen(js_name = traceText)]
    pub fn trace_text(&self, encounter: &str) -> Result<String, JsValue> {
        plain::trace_text_with(&self.router, encounter).map_err(to_error)
    }

    /// What the decision still needs, as JSON text: an array of `{field, pathways,
    /// exclusions}` (the decision's `needs_information`, as Python's
    /// `Decision.needs_information` and Kotlin's `Decision.needsInformation` give it).
    #[wasm_bindgen(js_name = needsInformation)]
    pub fn needs_information(&self, encounter: &str) -> Result<String, JsValue> {
        plain::needs_information_with(&self.router, encounter).map_err(to_error)
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

/// An `Error` with its `name` and message.
fn named(name: &str, message: &str) -> JsValue {
    let error = JsValue::from(Error::new(message));
    set(&error, "name", &name.into());
    error
}

/// An `Error` for a file that does not load: `line`, `column` and `detail` of its first
/// problem, and `diagnostics`, every problem as [`check`] returns them.
fn file_error(name: &str, message: &str, diagnostics: &[Diagnostic]) -> JsValue {
    let error = named(name, message);
    let first = diagnostics.first();
    set(&error, "line", &number(first.map(|d| d.line)));
    set(&error, "column", &number(first.map(|d| d.column)));
    let detail = first.map_or_else(|| message.to_string(), |d| d.message.clone());
    set(&error, "detail", &detail.into());
    let items: Vec<Checked<'_>> = diagnostics.iter().map(Checked::error).collect();
    let diagnostics = serde_json::to_string(&items)
        .ok()
        .and_then(|json| parse(&json).ok())
        .unwrap_or_else(|| js_sys::Array::new().into());
    set(&error, "diagnostics", &diagnostics);
    error
}

/// A problem as a JavaScript `Error`, its `name` the kind of problem and its fields those the
/// Kotlin and Swift bindings give:
/// - `InvalidProgram`, `InvalidDirectory`, `InvalidScenarios`: `line`, `column` and `detail`
///   of the first problem, and `diagnostics` (as [`check`] returns them);
/// - `InvalidEncounter`: `field` (`offenses[0].nibrs`, `.` for the whole object), `detail`,
///   and `line`, `column` in the JSON text when known;
/// - `AnalysisTooLarge`: the program cannot be analysed exactly; `detail` says which limit;
/// - `InvalidArgument`: an argument that is not one of the words the function takes;
/// - `InternalError`: a result that could not be written (a bug).
fn to_error(problem: Problem) -> JsValue {
    match problem {
        Problem::Program(e) => file_error("InvalidProgram", &e.to_string(), e.diagnostics()),
        Problem::Directory(e) => file_error(
            "InvalidDirectory",
            &e.to_string(),
            std::slice::from_ref(&e.diagnostic()),
        ),
        Problem::Scenarios(e) => file_error("InvalidScenarios", &e.to_string(), e.diagnostics()),
        Problem::Encounter(e) => {
            let error = named("InvalidEncounter", &e.to_string());
            set(&error, "field", &e.field().into());
            set(&error, "detail", &e.message().into());
            let (line, column) = e.position().unzip();
            set(&error, "line", &number(line));
            set(&error, "column", &number(column));
            error
        }
        Problem::Analysis(e) => {
            let name = match e {
                AnalysisError::TooLarge { .. } | AnalysisError::TooVaried { .. } => {
                    "AnalysisTooLarge"
                }
                _ => "AnalysisError",
            };
            let message = e.to_string();
            let error = named(name, &message);
            set(&error, "detail", &message.into());
            error
        }
        Problem::Argument(message) => {
            let error = named("InvalidArgument", &message);
            set(&error, "detail", &message.into());
            error
        }
        Problem::Json(e) => named(
            "InternalError",
            &format!("offramp could not write its answer as JSON (a bug: please report it): {e}"),
        ),
    }
}
