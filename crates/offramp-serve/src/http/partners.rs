//! The endpoints about partner providers: capacity, read and updated in bulk (`admin`), and
//! the services open at a time (`route`).

use std::collections::BTreeSet;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use chrono::{DateTime, FixedOffset, Utc};
use offramp::providers::{Capacity, Hours, OpeningHours};
use serde::{Deserialize, Serialize};

use super::{JSON, Media, St, answer, authorize, body_text, media, query, respond};
use crate::config::Scope;
use crate::problem::Problem;

/// A bulk capacity update: `{"updates":[{"service":"ID","capacity":{...}}]}`; a `capacity` of
/// `null` clears the figure.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Updates {
    updates: Vec<Update>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Update {
    service: String,
    capacity: Option<Capacity>,
}

#[derive(Serialize)]
struct Board<'a> {
    services: Vec<Figure<'a>>,
}

#[derive(Serialize)]
struct Figure<'a> {
    service: &'a str,
    capacity: &'a Option<Capacity>,
}

/// `GET /v1/capacity`: every service's capacity as routing uses it now.
pub(super) async fn get_capacity(State(shared): St, headers: HeaderMap) -> Response {
    let service = &shared.service;
    respond(
        authorize(service, &headers, Some(Scope::Admin)).and_then(|_| {
            let programs = service.programs.load();
            let router = programs
                .iter()
                .map(|p| &p.router)
                .find(|r| r.has_directory())
                .ok_or_else(Problem::no_directory)?;
            let capacities = router.capacities();
            let board = Board {
                services: capacities
                    .iter()
                    .map(|(id, c)| Figure {
                        service: id,
                        capacity: c,
                    })
                    .collect(),
            };
            let json = serde_json::to_string(&board).map_err(|_| Problem::internal())?;
            Ok(answer(JSON, json + "\n"))
        }),
    )
}

/// `POST /v1/capacity`: updates many services' capacity as one change, for every program's
/// router. A service the directory does not have refuses the whole update.
pub(super) async fn post_capacity(
    State(shared): St,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let service = &shared.service;
    respond((|| {
        authorize(service, &headers, Some(Scope::Admin))?;
        if media(&headers)? != Media::One {
            return Err(Problem::media_type());
        }
        let body = body_text(body, service.limits.max_body_bytes)?;
        let mut reader = serde_json::Deserializer::from_slice(&body);
        let updates: Updates = serde_path_to_error::deserialize(&mut reader).map_err(|e| {
            let path = e.path().to_string();
            Problem::body(&path, e.inner().line(), e.inner().column())
        })?;
        reader
            .end()
            .map_err(|e| Problem::body(".", e.line(), e.column()))?;
        // One update at a time, so that every router sees them in the same order (and a
        // program loaded meanwhile starts from the figures before or after, not between).
        let _one = shared.capacity.lock().map_err(|_| Problem::internal())?;
        let programs = service.programs.load();
        let routers: Vec<_> = programs
            .iter()
            .map(|p| &p.router)
            .filter(|r| r.has_directory())
            .collect();
        let known: BTreeSet<String> = routers
            .first()
            .ok_or_else(Problem::no_directory)?
            .capacities()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        if let Some(i) = updates
            .updates
            .iter()
            .position(|u| !known.contains(&u.service))
        {
            return Err(Problem::unknown_service(i));
        }
        for router in routers {
            router.update_capacities(
                updates
                    .updates
                    .iter()
                    .map(|u| (u.service.as_str(), u.capacity.clone())),
            );
        }
        Ok(answer(
            JSON,
            format!("{{\"updated\":{}}}\n", updates.updates.len()),
        ))
    })())
}

#[derive(Serialize)]
struct Open<'a> {
    at: String,
    services: usize,
    open: Vec<OpenService<'a>>,
}

#[derive(Serialize)]
struct OpenService<'a> {
    service: &'a str,
    name: &'a str,
    until: Option<String>,
}

/// `GET /v1/services/open?at=TIME`: the services open at a time (`now` unless given), and until
/// when, as `offramp providers open` lists them.
pub(super) async fn open_services(State(shared): St, headers: HeaderMap, uri: Uri) -> Response {
    let service = &shared.service;
    respond((|| {
        authorize(service, &headers, Some(Scope::Route))?;
        let directory = service
            .directory
            .as_ref()
            .ok_or_else(Problem::no_directory)?;
        let at: DateTime<FixedOffset> = match query(&uri, "at").as_deref() {
            None | Some("now") => Utc::now().fixed_offset(),
            Some(text) => DateTime::parse_from_rfc3339(text).map_err(|_| {
                Problem::bad_request(
                    "`at` is not an RFC 3339 time with its offset, such as 2026-03-02T22:30:00-06:00 (write `+` as %2B)",
                )
            })?,
        };
        let mut open = Vec::new();
        for s in directory.services().iter().filter(|s| s.is_active()) {
            let hours: Vec<&Hours> = s
                .hours
                .iter()
                .chain(s.sites.iter().filter_map(|x| x.hours.as_ref()))
                .collect();
            for h in hours {
                let compiled = OpeningHours::compile(h).map_err(|_| Problem::internal())?;
                if compiled.is_open(at) {
                    open.push(OpenService {
                        service: &s.id,
                        name: &s.name,
                        until: compiled.open_until(at).map(|u| u.to_rfc3339()),
                    });
                    break;
                }
            }
        }
        let json = serde_json::to_string(&Open {
            at: at.to_rfc3339(),
            services: directory.services().len(),
            open,
        })
        .map_err(|_| Problem::internal())?;
        Ok(answer(JSON, json + "\n"))
    })())
}
