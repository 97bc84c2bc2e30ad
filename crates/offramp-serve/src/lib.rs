//! offramp as a local HTTP service, with every decision it returns written first to a
//! tamper-evident audit log.
//!
//! The `offramp serve --config FILE` command runs it; this crate holds the service so that it
//! can be tested, and started, on its own:
//!
//! - [`config`]: the configuration file (programs, provider directory, audit log, tokens,
//!   limits), every key checked;
//! - [`Service`]: what a configuration loads (routers, tokens, the open log);
//! - [`serve`] and [`Running`]: the HTTP endpoints on a listener, until told to stop;
//! - [`audit`]: the log (a SQLite file, WAL, synchronous=FULL, or a PostgreSQL database; a
//!   SHA-256 hash chain) and its [`audit::verify`];
//! - [`problem`]: errors as RFC 9457 problem details.
//!
//! The endpoints, the configuration and the log's format are described for agency IT in the
//! repository's docs/serve.md.
//!
//! ```no_run
//! let config = offramp_serve::Config::from_file("offramp-serve.toml")?;
//! let service = offramp_serve::Service::load(&config)?;
//! let running = offramp_serve::Running::start(service, &config)?;
//! println!("listening on http://{}", running.address());
//! running.stop()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod audit;
pub mod config;
mod http;
mod metrics;
pub mod problem;
pub mod tls;

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};

use arc_swap::ArcSwap;
use std::sync::Arc;

use offramp::providers::{Directory, DirectoryError, LoadOptions, LoadSetting};
use offramp::{Format, Program, ProgramError, Router};

pub use audit::{AuditError, AuditLog, ProgramText, Verified, VerifyError, verify};
pub use config::{Config, ConfigError, Limits, Scope, Token, hash_secret};
pub use http::serve;
pub use tls::{TlsError, TlsFiles};

use metrics::Metrics;

/// Why the service cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The configuration cannot be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A program file does not load.
    #[error("{}: {source}", path.display())]
    Program {
        /// The program file.
        path: PathBuf,
        /// Why it does not load.
        #[source]
        source: ProgramError,
    },
    /// Two program files have the same id: a request could not say which it means.
    #[error("{}: program `{id}` is loaded already from another file", path.display())]
    DuplicateProgram {
        /// The second file.
        path: PathBuf,
        /// The id both have.
        id: String,
    },
    /// The provider directory does not load, or does not fit a program.
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    /// The audit log cannot be opened.
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// The TLS certificate or key cannot be used.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The address cannot be listened on.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address and port from the configuration.
        address: SocketAddr,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The server cannot start, or failed while running.
    #[error("the server failed: {0}")]
    Io(#[source] std::io::Error),
}

/// A loaded program and the router over it.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) router: Router,
    pub(crate) version: Option<String>,
}

/// Everything a configuration loads: the routers (one per program, each with the provider
/// directory when one is configured), the tokens, the open audit log and the limits.
#[derive(Debug)]
pub struct Service {
    /// The programs, in the configuration's order (programs loaded later at the end); a
    /// program loaded while running replaces the list, so a request reads one list throughout.
    pub(crate) programs: ArcSwap<Vec<Arc<Loaded>>>,
    /// The provider directory's file, read again for a program loaded while running.
    pub(crate) providers: Option<PathBuf>,
    pub(crate) tokens: Vec<Token>,
    pub(crate) audit: AuditLog,
    pub(crate) store_encounters: bool,
    pub(crate) limits: Limits,
    pub(crate) metrics: Metrics,
    /// The provider directory as read for the first program (in its time zone), for the
    /// services open at a time.
    pub(crate) directory: Option<Directory>,
    /// TLS settings when `[tls]` is configured.
    pub(crate) tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    warnings: Vec<String>,
}

impl Service {
    /// Loads the programs (each checked as `offramp check` checks it), the provider directory
    /// (read in each program's time zone, as `offramp route --providers` reads it) and opens
    /// the audit log, creating it when missing.
    pub fn load(config: &Config) -> Result<Service, ServeError> {
        // TLS first: a certificate that does not load stops the start before anything opens.
        let tls = config.tls.as_ref().map(tls::server_config).transpose()?;
        let mut programs: Vec<Arc<Loaded>> = Vec::with_capacity(config.programs.len());
        let mut warnings = Vec::new();
        let mut first_directory = None;
        let mut texts = Vec::with_capacity(config.programs.len());
        for path in &config.programs {
            let (program, text) = read_program(path)?;
            if programs
                .iter()
                .any(|p| p.router.program().id() == program.id())
            {
                return Err(ServeError::DuplicateProgram {
                    path: path.clone(),
                    id: program.id().to_string(),
                });
            }
            texts.push(text);
            let (loaded, directory) = Loaded::new(program, config.providers.as_deref())?;
            if let Some(d) = directory {
                warnings.extend(directory_warnings(&d));
                first_directory.get_or_insert(d);
            }
            programs.push(Arc::new(loaded));
        }
        let audit = AuditLog::open_with(&config.audit_log, config.retain)?;
        audit.record_programs(texts)?;
        Ok(Service {
            programs: ArcSwap::from_pointee(programs),
            providers: config.providers.clone(),
            tokens: config.tokens.clone(),
            audit,
            store_encounters: config.store_encounters,
            limits: config.limits.clone(),
            metrics: Metrics::default(),
            directory: first_directory,
            tls,
            warnings,
        })
    }

    /// The provider directory's warnings, as `offramp route --providers` prints them (each
    /// after `warning: `), once per program it was read for.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The scheme clients use: `https` when TLS is configured, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() { "https" } else { "http" }
    }

    /// The ids of the programs loaded, in order.
    pub fn program_ids(&self) -> Vec<String> {
        self.programs
            .load()
            .iter()
            .map(|p| p.router.program().id().to_string())
            .collect()
    }
}

impl Loaded {
    /// The router for a program, with the provider directory read in the program's time zone
    /// (as `offramp route --providers` reads it), and that directory.
    pub(crate) fn new(
        program: Program,
        providers: Option<&Path>,
    ) -> Result<(Loaded, Option<Directory>), DirectoryError> {
        let version = program.spec().program.version.clone();
        let Some(path) = providers else {
            let router = Router::new(program);
            return Ok((Loaded { router, version }, None));
        };
        let options = LoadOptions {
            timezone: Some(program.spec().program.timezone.clone()),
            ..LoadOptions::default()
        };
        let directory = Directory::from_file_with(path, &options)?;
        let router = Router::with_directory(program, &directory)?;
        Ok((Loaded { router, version }, Some(directory)))
    }
}

/// Reads a program file (at most one byte past the core's size limit, which then refuses it)
/// and loads it, keeping its text for the audit log.
fn read_program(path: &Path) -> Result<(Program, ProgramText), ServeError> {
    use std::io::Read as _;
    let failed = |source| ServeError::Program {
        path: path.to_path_buf(),
        source,
    };
    let io = |e: std::io::Error| {
        failed(ProgramError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    };
    let mut text = String::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(
            u64::try_from(offramp::program::MAX_PROGRAM_BYTES)
                .unwrap_or(u64::MAX)
                .saturating_add(1),
        )
        .read_to_string(&mut text)
        .map_err(io)?;
    let format = match path.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("json") => Format::Json,
        _ => Format::Toml,
    };
    let program =
        Program::from_str_as(&text, format, &path.display().to_string()).map_err(failed)?;
    let stored = ProgramText::of(&program, format, text);
    Ok((program, stored))
}

impl ProgramText {
    /// The text of a program as loaded, for the audit log.
    pub(crate) fn of(program: &Program, format: Format, text: String) -> ProgramText {
        ProgramText {
            hash: program.hash().to_string(),
            id: program.id().to_string(),
            version: program.spec().program.version.clone(),
            format: match format {
                Format::Json => "json",
                Format::Toml => "toml",
            },
            text,
        }
    }
}

/// A directory's warnings as the command prints them, each pointing at the program's time zone
/// (the setting that decides how the directory is read here).
fn directory_warnings(directory: &Directory) -> Vec<String> {
    let setting = |setting| match setting {
        LoadSetting::Timezone => "the program's `timezone`",
    };
    directory
        .warnings()
        .iter()
        .map(|w| w.render(setting))
        .collect()
}

/// A server running on its own threads, until [`Running::stop`] or until it is dropped.
#[derive(Debug)]
pub struct Running {
    address: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), ServeError>>>,
}

impl Running {
    /// Listens on the configuration's address and port (port 0: any free one) and serves on a
    /// thread of its own. Returns once the port is bound, so [`Running::address`] can be asked
    /// at once.
    pub fn start(service: Service, config: &Config) -> Result<Running, ServeError> {
        let listener = bind(config)?;
        let address = listener.local_addr().map_err(ServeError::Io)?;
        let runtime = runtime()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("offramp-serve".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).map_err(ServeError::Io)?;
                    serve(listener, Arc::new(service), async {
                        let _ = stopped.await;
                    })
                    .await
                })
            })
            .map_err(ServeError::Io)?;
        Ok(Running {
            address,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops taking connections, lets the requests under way finish, and waits for the server
    /// to end.
    pub fn stop(mut self) -> Result<(), ServeError> {
        self.finish()
    }

    fn finish(&mut self) -> Result<(), ServeError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(ServeError::Io(std::io::Error::other(
                "the server's thread panicked",
            ))),
            None => Ok(()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// Binds the configuration's address and port, as a non-blocking listener for tokio.
pub fn bind(config: &Config) -> Result<TcpListener, ServeError> {
    let address = SocketAddr::new(config.address, config.port);
    TcpListener::bind(address)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|source| ServeError::Listen { address, source })
}

/// The runtime the service runs on: tokio's multi-threaded one, one worker per core, since
/// routing is work for the processor.
pub fn runtime() -> Result<tokio::runtime::Runtime, ServeError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .enable_time()
        .thread_name("offramp-serve-worker")
        .build()
        .map_err(ServeError::Io)
}
