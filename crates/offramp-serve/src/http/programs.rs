//! Loading a program while the service runs (`POST /v1/programs`, `admin`): checked first, as
//! `offramp check` checks it; a program that does not load changes nothing and is answered with
//! its diagnostics. One that loads replaces the program of the same id, or is added.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use offramp::{Diagnostic, Format, Program};
use serde::Serialize;

use super::{JSON, St, answer, authorize, body_text, respond};
use crate::config::Scope;
use crate::problem::Problem;
use crate::{Loaded, ProgramText};

/// The answer to a program that loaded.
#[derive(Serialize)]
struct Loading<'a> {
    id: &'a str,
    version: Option<&'a str>,
    hash: &'a str,
    /// The hash of the program it replaced, or null when it was added.
    replaced: Option<String>,
    /// What `offramp check` warns about in it: it loads, but something in it cannot work as
    /// written.
    warnings: &'a [Diagnostic],
}

/// The program's format, by the request's `Content-Type`: TOML (`application/toml`) or JSON.
fn format(headers: &HeaderMap) -> Result<Format, Problem> {
    let essence = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("application/toml" | "text/toml") => Ok(Format::Toml),
        Some("application/json") => Ok(Format::Json),
        _ => Err(Problem::media_type_program()),
    }
}

/// `POST /v1/programs`: a program file's text as the body.
pub(super) async fn load(
    State(shared): St,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let service = &shared.service;
    let checked = (|| {
        authorize(service, &headers, Some(Scope::Admin))?;
        let format = format(&headers)?;
        let body = body_text(body, service.limits.max_body_bytes)?;
        Ok::<_, Problem>((format, body))
    })();
    let (format, body) = match checked {
        Ok(c) => c,
        Err(p) => return respond(Err(p)),
    };
    let worker = Arc::clone(&shared);
    // Compiling a program and reading the directory are work for the processor and the disk.
    let done = tokio::task::spawn_blocking(move || {
        let text = std::str::from_utf8(&body)
            .map_err(|_| Problem::bad_request("the request body is not valid UTF-8"))?;
        let name = match format {
            Format::Toml => "request.toml",
            Format::Json => "request.json",
        };
        let program =
            Program::from_str_as(text, format, name).map_err(|e| Problem::invalid_program(&e))?;
        let service = &worker.service;
        // Its text is in the log before any decision it makes.
        let stored = ProgramText::of(&program, format, text.to_string());
        service.audit.record_programs(vec![stored]).map_err(|_| {
            service.metrics.audit_failure();
            Problem::audit()
        })?;
        let (loaded, _) = Loaded::new(program, service.providers.as_deref())
            .map_err(Problem::program_directory)?;
        // Under the capacity lock: the new router starts from the figures routing uses now,
        // and no update can fall between reading them and the swap.
        let _one = worker.capacity.lock().map_err(|_| Problem::internal())?;
        let current = service.programs.load_full();
        if let Some(with_board) = current.iter().find(|p| p.router.has_directory()) {
            let board = with_board.router.capacities();
            loaded
                .router
                .update_capacities(board.iter().map(|(id, c)| (id.as_str(), c.clone())));
        }
        let loaded = Arc::new(loaded);
        let id = loaded.router.program().id();
        let mut next: Vec<Arc<Loaded>> = current.as_ref().clone();
        let replaced = match next.iter_mut().find(|p| p.router.program().id() == id) {
            Some(slot) => {
                let old = slot.router.program().hash().to_string();
                *slot = Arc::clone(&loaded);
                Some(old)
            }
            None => {
                next.push(Arc::clone(&loaded));
                None
            }
        };
        service.programs.store(Arc::new(next));
        let program = loaded.router.program();
        let json = serde_json::to_string(&Loading {
            id: program.id(),
            version: loaded.version.as_deref(),
            hash: program.hash(),
            replaced,
            warnings: program.warnings(),
        })
        .map_err(|_| Problem::internal())?;
        Ok(answer(JSON, json + "\n"))
    })
    .await
    .map_err(|_| Problem::internal())
    .and_then(|r| r);
    respond(done)
}
