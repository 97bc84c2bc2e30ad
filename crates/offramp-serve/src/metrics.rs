//! The counters `/metrics` shows, in the Prometheus text format (version 0.0.4), written by
//! hand: a few counters need no library.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// The service's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Requests answered, by endpoint (the route's pattern) and status.
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    /// Decisions written to the audit log.
    logged: AtomicU64,
    /// Appends to the audit log that failed (their decisions were not returned).
    audit_failures: AtomicU64,
}

impl Metrics {
    /// Counts one answered request.
    pub fn request(&self, endpoint: &str, status: u16) {
        if let Ok(mut map) = self.requests.lock() {
            let n = map.entry((endpoint.to_string(), status)).or_insert(0);
            *n = n.saturating_add(1);
        }
    }

    /// Counts decisions written to the log.
    pub fn logged(&self, n: usize) {
        self.logged
            .fetch_add(u64::try_from(n).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// Counts a failed append.
    pub fn audit_failure(&self) {
        self.audit_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters as Prometheus text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP offramp_http_requests_total HTTP requests answered, by endpoint and status.\n",
        );
        out.push_str("# TYPE offramp_http_requests_total counter\n");
        if let Ok(map) = self.requests.lock() {
            for ((endpoint, status), n) in map.iter() {
                let _ = writeln!(
                    out,
                    "offramp_http_requests_total{{endpoint=\"{}\",status=\"{status}\"}} {n}",
                    label(endpoint)
                );
            }
        }
        out.push_str("# HELP offramp_decisions_logged_total Decisions written to the audit log.\n");
        out.push_str("# TYPE offramp_decisions_logged_total counter\n");
        let _ = writeln!(
            out,
            "offramp_decisions_logged_total {}",
            self.logged.load(Ordering::Relaxed)
        );
        out.push_str("# HELP offramp_audit_failures_total Appends to the audit log that failed; their decisions were not returned.\n");
        out.push_str("# TYPE offramp_audit_failures_total counter\n");
        let _ = writeln!(
            out,
            "offramp_audit_failures_total {}",
            self.audit_failures.load(Ordering::Relaxed)
        );
        out
    }
}

/// A label value escaped as the text format asks (backslash, quote, line feed).
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_render_as_prometheus_text() {
        let m = Metrics::default();
        m.request("/v1/route", 200);
        m.request("/v1/route", 200);
        m.request("/v1/route", 401);
        m.logged(3);
        let text = m.render();
        assert!(
            text.contains("offramp_http_requests_total{endpoint=\"/v1/route\",status=\"200\"} 2\n")
        );
        assert!(
            text.contains("offramp_http_requests_total{endpoint=\"/v1/route\",status=\"401\"} 1\n")
        );
        assert!(text.contains("offramp_decisions_logged_total 3\n"));
        assert!(text.contains("offramp_audit_failures_total 0\n"));
        assert_eq!(label("a\"b\\"), "a\\\"b\\\\");
    }
}
