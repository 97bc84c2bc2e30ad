//! `offramp playground --serve PORT`: the browser playground's built folder served over HTTP
//! on 127.0.0.1, for one person on their own machine.
//!
//! `scripts/build-playground` writes the page (HTML, JavaScript, CSS and the WebAssembly
//! package) into `dist/playground/`; this command only serves that folder. It is built on axum
//! over tokio, with tower-http's `ServeDir` for the files (MIME types, `index.html` for a
//! folder, 404 for what is missing, no path out of the folder, GET and HEAD only): the same
//! stack the coming `offramp serve` HTTP service (issue #17) is to use, so the two share one set
//! of dependencies. The runtime is tokio's single-threaded one: a page for one browser needs no
//! more.
//!
//! Every response carries `Cache-Control: no-cache` (a rebuilt page is picked up on reload), a
//! Content-Security-Policy that lets the page run only its own scripts and WebAssembly and
//! reach no other host, and `X-Content-Type-Options: nosniff`. Requests naming another host
//! than `127.0.0.1:PORT` or `localhost:PORT` are refused (403), so that a web page elsewhere
//! cannot reach the server through a name of its own that resolves to 127.0.0.1.

use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::services::ServeDir;

use crate::error::CliError;

/// What `offramp playground --help` adds after the flags.
pub const AFTER_HELP: &str = "The server listens on 127.0.0.1 only and answers GET and HEAD for \
the files of DIR; it stops on Ctrl-C or SIGTERM.\n\nExit codes: 0 stopped by Ctrl-C or SIGTERM; \
3 DIR is not a built page, or the port cannot be listened on.";

/// The Content-Security-Policy of every response: the page may load scripts, styles, images
/// and WebAssembly from this server only (inline styles and `data:` images too), connect to
/// nothing else, and be framed by no other page.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' \
'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// How long, after Ctrl-C or SIGTERM, requests under way may take to finish before the
/// command exits anyway (a browser may hold a connection open that never sends a request).
pub(crate) const GRACE: Duration = Duration::from_secs(5);

/// Arguments of `offramp playground`.
#[derive(clap::Args, Debug, Clone)]
pub struct PlaygroundArgs {
    /// Serve the page over HTTP on 127.0.0.1 at this port until Ctrl-C; 0 picks a free port.
    /// The URL is printed on standard output when the server is ready.
    #[arg(long, value_name = "PORT")]
    pub serve: u16,
    /// The built page's folder, as `scripts/build-playground` writes it (relative to the
    /// current folder).
    #[arg(long, value_name = "DIR", default_value = "dist/playground")]
    pub dir: PathBuf,
}

/// Checks the folder, listens on 127.0.0.1 at the port, prints the URL and serves until
/// Ctrl-C or SIGTERM.
pub fn run(args: PlaygroundArgs) -> Result<ExitCode, CliError> {
    check_dir(&args.dir)?;
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.serve)))
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|source| CliError::Listen {
            port: args.serve,
            source,
        })?;
    let port = listener.local_addr().map_err(CliError::Serve)?.port();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(CliError::Serve)?;
    runtime.block_on(serve(listener, port, &args.dir))?;
    Ok(ExitCode::SUCCESS)
}

/// A built page is a folder with an `index.html`; anything else is refused before the port is
/// taken, naming `--dir`.
fn check_dir(dir: &Path) -> Result<(), CliError> {
    let problem = match std::fs::metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => "no such folder",
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            "the folder cannot be read (permission denied)"
        }
        Err(_) => "the folder cannot be read",
        Ok(meta) if !meta.is_dir() => "not a folder",
        Ok(_) if !dir.join("index.html").is_file() => "the folder has no index.html",
        Ok(_) => return Ok(()),
    };
    Err(CliError::PlaygroundDir {
        path: dir.to_path_buf(),
        problem,
    })
}

/// The host names a request may be addressed to.
struct Hosts {
    allowed: [String; 2],
}

async fn serve(listener: TcpListener, port: u16, dir: &Path) -> Result<(), CliError> {
    let listener = tokio::net::TcpListener::from_std(listener).map_err(CliError::Serve)?;
    let hosts = Arc::new(Hosts {
        allowed: [format!("127.0.0.1:{port}"), format!("localhost:{port}")],
    });
    let app = Router::new()
        .fallback_service(ServeDir::new(dir))
        .layer(middleware::from_fn_with_state(hosts, headers));

    {
        let mut out = io::stdout().lock();
        writeln!(
            out,
            "offramp playground: serving {} at http://127.0.0.1:{port}/ (Ctrl-C stops)",
            dir.display()
        )
        .and_then(|()| out.flush())
        .map_err(CliError::Stdout)?;
    }

    // The signal starts a graceful shutdown (no new connections; requests under way finish);
    // `GRACE` after it the command ends whatever is still open.
    let stopping = Arc::new(tokio::sync::Notify::new());
    let server = axum::serve(listener, app).with_graceful_shutdown({
        let stopping = Arc::clone(&stopping);
        async move {
            stop_signal().await;
            stopping.notify_one();
        }
    });
    tokio::select! {
        result = server => result.map_err(CliError::Serve),
        () = async {
            stopping.notified().await;
            tokio::time::sleep(GRACE).await;
        } => Ok(()),
    }
}

/// Ctrl-C, or SIGTERM where there is one. If a handler cannot be installed, the signal keeps
/// its default action (ending the process) and this waits for the other.
pub(crate) async fn stop_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = async {
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    term.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = ctrl_c => {}
            () = term => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}

/// Refuses requests for another host, then adds the security and caching headers to every
/// response, and names `.mjs` files as JavaScript the way `.js` files are.
async fn headers(State(hosts): State<Arc<Hosts>>, request: Request, next: Next) -> Response {
    let module = request.uri().path().ends_with(".mjs");
    let mut response = if allowed_host(request.headers(), &hosts) {
        next.run(request).await
    } else {
        (
            StatusCode::FORBIDDEN,
            "this server answers only requests for 127.0.0.1 or localhost at its port\n",
        )
            .into_response()
    };
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if module && response.status().is_success() {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/javascript"),
        );
    }
    response
}

/// True when the request has one `Host`, and it is `127.0.0.1:PORT` or `localhost:PORT` (any
/// case).
fn allowed_host(headers: &HeaderMap, hosts: &Hosts) -> bool {
    let mut values = headers.get_all(header::HOST).iter();
    match (values.next(), values.next()) {
        (Some(host), None) => host
            .to_str()
            .is_ok_and(|host| hosts.allowed.iter().any(|a| a.eq_ignore_ascii_case(host))),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_host(host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        h
    }

    #[test]
    fn only_the_loopback_names_at_the_port_are_allowed_hosts() {
        let hosts = Hosts {
            allowed: ["127.0.0.1:8080".into(), "localhost:8080".into()],
        };
        assert!(allowed_host(&with_host("127.0.0.1:8080"), &hosts));
        assert!(allowed_host(&with_host("LocalHost:8080"), &hosts));
        assert!(!allowed_host(&with_host("127.0.0.1:8081"), &hosts));
        assert!(!allowed_host(&with_host("evil.example:8080"), &hosts));
        assert!(!allowed_host(&with_host("127.0.0.1"), &hosts));
        assert!(!allowed_host(&HeaderMap::new(), &hosts));
        let mut two = with_host("127.0.0.1:8080");
        two.append(header::HOST, HeaderValue::from_static("evil.example"));
        assert!(!allowed_host(&two, &hosts));
    }

    #[test]
    fn a_missing_or_unbuilt_folder_names_the_problem() {
        let missing = Path::new("no/such/folder/anywhere");
        assert!(matches!(
            check_dir(missing),
            Err(CliError::PlaygroundDir {
                problem: "no such folder",
                ..
            })
        ));
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        assert!(matches!(
            check_dir(&file),
            Err(CliError::PlaygroundDir {
                problem: "not a folder",
                ..
            })
        ));
        let no_index = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        assert!(matches!(
            check_dir(&no_index),
            Err(CliError::PlaygroundDir {
                problem: "the folder has no index.html",
                ..
            })
        ));
    }
}
