//! `offramp serve --config FILE`: routing as a local HTTP service, every decision written to
//! the audit log before it is answered; `offramp serve --hash-token`: the hash of a token's
//! secret for the configuration.
//!
//! The service itself is the `offramp-serve` crate; this module reads the flags, prints the
//! address and the directory's warnings, and stops the service on Ctrl-C or SIGTERM (requests
//! under way are finished first, for at most [`GRACE`]).

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use offramp_serve::{Config, Service};

use crate::error::{CliError, Exit};
use crate::playground::{GRACE, stop_signal};

/// What `offramp serve --help` adds after the flags.
pub const AFTER_HELP: &str = "The configuration (docs/serve.md; a complete example is \
examples/serve/offramp-serve.toml) names the programs, the provider directory, the audit log, \
the tokens and the limits. The address is printed on standard output as one line, `offramp \
serve: listening on http://ADDRESS:PORT/`, once requests are taken. Ctrl-C or SIGTERM stops the \
service after the requests under way are answered.\n\nExit codes: 0 stopped by Ctrl-C or \
SIGTERM; 2 an invalid configuration, program or provider directory; 3 a file that cannot be \
read, an audit log that cannot be opened, or an address that cannot be listened on.";

/// Arguments of `offramp serve`.
#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// The service's configuration file (TOML).
    #[arg(long, value_name = "FILE", required_unless_present = "hash_token")]
    pub config: Option<PathBuf>,
    /// Read a token's secret from standard input and print its SHA-256, the `sha256` the
    /// configuration's `[[tokens]]` hold; start nothing.
    #[arg(long, conflicts_with = "config")]
    pub hash_token: bool,
}

/// Runs the service until Ctrl-C or SIGTERM, or prints a secret's hash.
pub fn run(args: ServeArgs) -> Result<ExitCode, CliError> {
    let Some(path) = args.config.filter(|_| !args.hash_token) else {
        return hash_token();
    };
    let config = Config::from_file(&path).map_err(CliError::ServeConfig)?;
    let service = Service::load(&config)?;
    {
        let mut err = io::stderr().lock();
        for w in service.warnings().iter().take(20) {
            let _ = writeln!(err, "warning: {w}");
        }
    }
    if !config.address.is_loopback() && config.tls.is_none() {
        let _ = writeln!(
            io::stderr().lock(),
            "warning: listening on {} without TLS: tokens and encounters cross the network in clear text unless a TLS proxy stands in front; or configure `[tls]` (docs/serve.md)",
            config.address
        );
    }
    let listener = offramp_serve::bind(&config)?;
    let address = listener.local_addr().map_err(CliError::ServeFailed)?;
    let scheme = service.scheme();
    let runtime = offramp_serve::runtime()?;
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::from_std(listener).map_err(CliError::ServeFailed)?;
        {
            let mut out = io::stdout().lock();
            writeln!(out, "offramp serve: listening on {scheme}://{address}/")
                .and_then(|()| out.flush())
                .map_err(CliError::Stdout)?;
        }
        let stopping = Arc::new(tokio::sync::Notify::new());
        let server = offramp_serve::serve(listener, Arc::new(service), {
            let stopping = Arc::clone(&stopping);
            async move {
                stop_signal().await;
                stopping.notify_one();
            }
        });
        tokio::select! {
            result = server => result.map_err(CliError::from),
            () = async {
                stopping.notified().await;
                tokio::time::sleep(GRACE).await;
            } => Ok(()),
        }
    })?;
    Ok(Exit::Success.into())
}

/// Prints the SHA-256 of the secret on standard input (one line ending, if any, is not part of
/// the secret).
fn hash_token() -> Result<ExitCode, CliError> {
    let mut secret = String::new();
    io::stdin()
        .read_to_string(&mut secret)
        .map_err(CliError::Stdin)?;
    let secret = secret
        .strip_suffix("\r\n")
        .or_else(|| secret.strip_suffix('\n'))
        .unwrap_or(&secret);
    if secret.is_empty() {
        return Err(CliError::NoSecret);
    }
    writeln!(
        io::stdout().lock(),
        "{}",
        offramp_serve::hash_secret(secret)
    )
    .map_err(CliError::Stdout)?;
    Ok(Exit::Success.into())
}
