//! Errors as RFC 9457 problem details (`application/problem+json`).
//!
//! Every problem has a stable `type` (a link to its entry in docs/serve.md), a `title`, the
//! HTTP `status`, a `detail` in words and offramp's `code` (`offramp::encounter` and the like,
//! as the command's errors carry). An encounter that does not read also gives the `field` at
//! fault and, when known, the `line` and `column` in the text sent, as `offramp route` does.
//! No problem repeats a value from the request.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use offramp::EncounterError;
use serde::Serialize;

/// Where the problem types are described; each type is this and `#` and its slug.
pub const TYPE_BASE: &str = "https://github.com/offramp-project/offramp/blob/main/docs/serve.md#";

/// One problem, ready to send. Kept small (the place of an encounter's problem is boxed), as
/// it is the error of every handler's steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The problem type's slug: its anchor in docs/serve.md.
    pub slug: &'static str,
    /// The problem type in words, the same for every occurrence.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// This occurrence in words.
    pub detail: String,
    /// offramp's error code.
    pub code: &'static str,
    /// Where in the encounter, for an encounter that does not read.
    pub at: Option<Box<Place>>,
    /// Every problem of a program that does not load, each placed in its text.
    pub diagnostics: Option<Box<[offramp::Diagnostic]>>,
}

/// Where an encounter's problem is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The encounter field at fault (`age`, `offenses[0].nibrs`, `.` for the whole object).
    pub field: String,
    /// The 1-based line in the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The 1-based column, in characters, in that line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            #[serde(rename = "type")]
            kind: String,
            title: &'a str,
            status: u16,
            detail: &'a str,
            code: &'a str,
            #[serde(flatten, skip_serializing_if = "Option::is_none")]
            at: Option<&'a Place>,
            #[serde(skip_serializing_if = "Option::is_none")]
            diagnostics: Option<&'a [offramp::Diagnostic]>,
        }
        Shown {
            kind: format!("{TYPE_BASE}{}", self.slug),
            title: self.title,
            status: self.status,
            detail: &self.detail,
            code: self.code,
            at: self.at.as_deref(),
            diagnostics: self.diagnostics.as_deref(),
        }
        .serialize(serializer)
    }
}

impl Problem {
    /// A problem of a type (its slug), status and code, with the detail.
    pub fn new(
        slug: &'static str,
        title: &'static str,
        status: StatusCode,
        code: &'static str,
        detail: impl Into<String>,
    ) -> Problem {
        Problem {
            slug,
            title,
            status: status.as_u16(),
            detail: detail.into(),
            code,
            at: None,
            diagnostics: None,
        }
    }

    /// 400: the encounter does not read; its field, line and column as the core gives them.
    pub fn encounter(e: &EncounterError) -> Problem {
        let mut p = Problem::new(
            "invalid-encounter",
            "The encounter is not valid",
            StatusCode::BAD_REQUEST,
            "offramp::encounter",
            format!("{}: {}", e.field(), e.message()),
        );
        p.at = Some(Box::new(Place {
            field: e.field().to_string(),
            line: e.position().map(|(line, _)| line),
            column: e.position().map(|(_, column)| column),
        }));
        p
    }

    /// 400: the request is not what the endpoint reads (not UTF-8, too many lines, a bad
    /// query).
    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(
            "bad-request",
            "The request cannot be read",
            StatusCode::BAD_REQUEST,
            "offramp::request",
            detail,
        )
    }

    /// 400: a JSON body (not an encounter) that does not read: the key path at fault and its
    /// line and column, without the value.
    pub fn body(path: &str, line: usize, column: usize) -> Problem {
        let mut p = Problem::bad_request(format!(
            "the body does not read at `{path}` (see docs/serve.md for its form)"
        ));
        p.at = Some(Box::new(Place {
            field: path.to_string(),
            line: Some(line),
            column: Some(column),
        }));
        p
    }

    /// 422: a program sent to be loaded does not load; every problem, placed in its text as
    /// `offramp check` places it. Nothing was changed.
    pub fn invalid_program(e: &offramp::ProgramError) -> Problem {
        let diagnostics = e.diagnostics();
        let mut p = Problem::new(
            "invalid-program",
            "The program does not load",
            StatusCode::UNPROCESSABLE_ENTITY,
            "offramp::program",
            match diagnostics.first() {
                Some(d) if diagnostics.len() == 1 => {
                    format!(
                        "{}:{}: {}; nothing was changed",
                        d.line, d.column, d.message
                    )
                }
                Some(d) => format!(
                    "{} problems, the first at {}:{}: {}; nothing was changed",
                    diagnostics.len(),
                    d.line,
                    d.column,
                    d.message
                ),
                None => format!("{e}; nothing was changed"),
            },
        );
        p.diagnostics = Some(diagnostics.to_vec().into_boxed_slice());
        p
    }

    /// 422: a program that loads cannot be matched with the provider directory. Nothing was
    /// changed.
    pub fn program_directory(detail: impl std::fmt::Display) -> Problem {
        Problem::new(
            "invalid-program",
            "The program does not load",
            StatusCode::UNPROCESSABLE_ENTITY,
            "offramp::directory",
            format!("{detail}; nothing was changed"),
        )
    }

    /// 409: an endpoint about partners, and no provider directory is loaded.
    pub fn no_directory() -> Problem {
        Problem::new(
            "no-directory",
            "No provider directory is loaded",
            StatusCode::CONFLICT,
            "offramp::directory",
            "the service was started without `providers` in its configuration",
        )
    }

    /// 422: a capacity update names a service the directory does not have; nothing changed.
    pub fn unknown_service(index: usize) -> Problem {
        let field = format!("updates[{index}].service");
        let mut p = Problem::new(
            "unknown-service",
            "No such service",
            StatusCode::UNPROCESSABLE_ENTITY,
            "offramp::capacity",
            format!("{field}: not a service of the provider directory; nothing was changed"),
        );
        p.at = Some(Box::new(Place {
            field,
            line: None,
            column: None,
        }));
        p
    }

    /// 401: no token, or one that is not known.
    pub fn unauthorized() -> Problem {
        Problem::new(
            "unauthorized",
            "A valid token is needed",
            StatusCode::UNAUTHORIZED,
            "offramp::unauthorized",
            "send `Authorization: Bearer SECRET` with the secret of a token in the service's configuration",
        )
    }

    /// 403: a known token without the scope the endpoint needs.
    pub fn forbidden(scope: &str) -> Problem {
        Problem::new(
            "forbidden",
            "The token may not do this",
            StatusCode::FORBIDDEN,
            "offramp::forbidden",
            format!("this endpoint needs a token with the `{scope}` scope"),
        )
    }

    /// 404: no such endpoint, or no such program.
    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(
            "not-found",
            "Not found",
            StatusCode::NOT_FOUND,
            "offramp::not_found",
            detail,
        )
    }

    /// 405: the endpoint exists, for another method.
    pub fn method() -> Problem {
        Problem::new(
            "method-not-allowed",
            "Method not allowed",
            StatusCode::METHOD_NOT_ALLOWED,
            "offramp::method",
            "this endpoint does not take that method",
        )
    }

    /// 413: the body is over `limits.max_body_bytes`.
    pub fn too_large(limit: usize) -> Problem {
        Problem::new(
            "too-large",
            "The request body is too large",
            StatusCode::PAYLOAD_TOO_LARGE,
            "offramp::limit",
            format!("the body is longer than limits.max_body_bytes ({limit} bytes)"),
        )
    }

    /// 415: neither JSON nor JSON lines.
    pub fn media_type() -> Problem {
        Problem::new(
            "unsupported-media-type",
            "Unsupported media type",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "offramp::media_type",
            "send one encounter as application/json, or many as application/x-ndjson (route only)",
        )
    }

    /// 415: a program sent to be loaded is neither TOML nor JSON.
    pub fn media_type_program() -> Problem {
        Problem::new(
            "unsupported-media-type",
            "Unsupported media type",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "offramp::media_type",
            "send the program file as application/toml or application/json",
        )
    }

    /// 503: the request took longer than `limits.request_timeout_ms`.
    pub fn timeout(ms: u128) -> Problem {
        Problem::new(
            "timeout",
            "The request took too long",
            StatusCode::SERVICE_UNAVAILABLE,
            "offramp::timeout",
            format!(
                "no answer within limits.request_timeout_ms ({ms} ms); any decision already logged stays logged"
            ),
        )
    }

    /// 503: the decision could not be logged, so it is not returned.
    pub fn audit() -> Problem {
        Problem::new(
            "audit-unavailable",
            "The audit log cannot be written",
            StatusCode::SERVICE_UNAVAILABLE,
            "offramp::audit",
            "the decision was not logged, so it is not returned; try again, and tell the service's operator",
        )
    }

    /// 500: a bug in offramp.
    pub fn internal() -> Problem {
        Problem::new(
            "internal",
            "Internal error",
            StatusCode::INTERNAL_SERVER_ERROR,
            "offramp::internal",
            "offramp failed inside while answering (a bug: please report it)",
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = serde_json::to_string(&self)
            .unwrap_or_else(|_| "{\"title\":\"Internal error\",\"status\":500}".to_string());
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"offramp\""),
            );
        }
        response
    }
}
