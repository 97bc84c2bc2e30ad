//! The service's configuration file (`offramp-serve.toml`): what to load, where the audit log
//! is, who may call, and the limits of a request.
//!
//! Every key is checked: an unknown one is refused with its name and place, so a misspelt
//! limit is never silently left at its default. Paths are read relative to the folder of the
//! configuration file.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::tls::TlsFiles;

/// The port used when the file gives none.
pub const DEFAULT_PORT: u16 = 8750;
/// The largest request body accepted when the file sets no limit: 4 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 << 20;
/// The longest a request may take when the file sets no limit: 30 seconds.
pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 30_000;
/// How many requests are worked on at once when the file sets no limit; more wait their turn.
pub const DEFAULT_CONCURRENCY: usize = 64;
/// The most encounters in one JSON-lines batch when the file sets no limit.
pub const DEFAULT_MAX_BATCH_LINES: usize = 10_000;

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Route, explain, trace and ask what information is needed; list the programs.
    Route,
    /// Administer the service (program loading and capacity updates, as they come).
    Admin,
}

impl Scope {
    /// The scope's word, as the configuration file and problem details spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Route => "route",
            Scope::Admin => "admin",
        }
    }
}

/// One caller's token: its id (written into the audit log with each decision), the SHA-256 of
/// its secret (the secret itself is never stored), and its scopes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The token's id, as the audit log records it.
    pub id: String,
    /// The SHA-256 of the secret the caller sends as `Authorization: Bearer SECRET`.
    pub sha256: [u8; 32],
    /// What the token may do.
    pub scopes: Vec<Scope>,
}

/// The limits of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest request body, in bytes (`max_body_bytes`).
    pub max_body_bytes: usize,
    /// The longest a request may take, queueing included (`request_timeout_ms`).
    pub request_timeout: Duration,
    /// How many requests are worked on at once (`concurrency`); more wait their turn.
    pub concurrency: usize,
    /// The most encounters in one JSON-lines batch (`max_batch_lines`).
    pub max_batch_lines: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            request_timeout: Duration::from_millis(DEFAULT_REQUEST_TIMEOUT_MS),
            concurrency: DEFAULT_CONCURRENCY,
            max_batch_lines: DEFAULT_MAX_BATCH_LINES,
        }
    }
}

/// The service's configuration, checked, with every path made absolute or relative to the
/// current folder (as the file's own folder requires).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The address to listen on; 127.0.0.1 unless the file says otherwise.
    pub address: IpAddr,
    /// The port; 0 takes any free one.
    pub port: u16,
    /// The program files to load.
    pub programs: Vec<PathBuf>,
    /// A provider directory, read in each program's time zone.
    pub providers: Option<PathBuf>,
    /// Where the audit log is: a SQLite file (`[audit] path`) or a PostgreSQL database
    /// (`[audit] postgres`, its password from `password_file` or `PGPASSWORD`).
    pub audit_log: crate::audit::Location,
    /// Whether the audit log also keeps each encounter as it was sent (off unless asked).
    pub store_encounters: bool,
    /// How long the audit log keeps a decision (`[audit] retain_days`); kept for ever when
    /// absent. Older rows are deleted with the chain kept verifiable (see `audit`).
    pub retain: Option<Duration>,
    /// The tokens that may call.
    pub tokens: Vec<Token>,
    /// The limits of a request.
    pub limits: Limits,
    /// The certificate and key to serve TLS with (`[tls]`); plain HTTP when absent.
    pub tls: Option<TlsFiles>,
}

/// Why a configuration cannot be used. Messages name the file, the line and column or the key,
/// never a secret.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("{path}: cannot read: {message}")]
    Io {
        /// The file as given.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// The file is not valid TOML, has an unknown key, or a value of the wrong kind.
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        /// The file as given.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What is wrong (toml's words; an unknown key is named with the keys allowed).
        message: String,
    },
    /// A value reads but cannot be used.
    #[error("{path}: {key}: {message}")]
    Invalid {
        /// The file as given.
        path: String,
        /// The dotted key at fault (`tokens[1].sha256`).
        key: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default = "localhost")]
    address: IpAddr,
    #[serde(default = "default_port")]
    port: u16,
    programs: Vec<PathBuf>,
    #[serde(default)]
    providers: Option<PathBuf>,
    audit: AuditFile,
    #[serde(default)]
    tokens: Vec<TokenFile>,
    #[serde(default)]
    limits: LimitsFile,
    #[serde(default)]
    tls: Option<TlsFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TlsFile {
    certificate: PathBuf,
    private_key: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditFile {
    path: Option<PathBuf>,
    postgres: Option<String>,
    password_file: Option<PathBuf>,
    postgres_ca: Option<PathBuf>,
    #[serde(default)]
    store_encounters: bool,
    retain_days: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenFile {
    id: String,
    sha256: String,
    scopes: Vec<Scope>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct LimitsFile {
    max_body_bytes: Option<usize>,
    request_timeout_ms: Option<u64>,
    concurrency: Option<usize>,
    max_batch_lines: Option<usize>,
}

fn localhost() -> IpAddr {
    IpAddr::V4(Ipv4Addr::LOCALHOST)
}

fn default_port() -> u16 {
    DEFAULT_PORT
}

impl Config {
    /// Reads and checks a configuration file. Relative paths in it are taken from the file's
    /// folder.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
            path: shown.clone(),
            message: io_reason(&e),
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        Config::from_toml(&text, &shown, base)
    }

    /// Reads and checks a configuration from TOML text; `name` names it in errors and relative
    /// paths are taken from `base`.
    pub fn from_toml(text: &str, name: &str, base: &Path) -> Result<Config, ConfigError> {
        let file: File = toml::from_str(text).map_err(|e| {
            let (line, column) = line_col(text, e.span().map_or(0, |s| s.start));
            ConfigError::Syntax {
                path: name.to_string(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })?;
        let invalid = |key: String, message: &str| ConfigError::Invalid {
            path: name.to_string(),
            key,
            message: message.to_string(),
        };
        if file.programs.is_empty() {
            return Err(invalid(
                "programs".into(),
                "give at least one program file to load",
            ));
        }
        if file.tokens.is_empty() {
            return Err(invalid(
                "tokens".into(),
                "give at least one token: every request but /healthz needs one",
            ));
        }
        let mut tokens: Vec<Token> = Vec::with_capacity(file.tokens.len());
        for (i, t) in file.tokens.into_iter().enumerate() {
            if !valid_token_id(&t.id) {
                return Err(invalid(
                    format!("tokens[{i}].id"),
                    "a token id is 1 to 64 letters, digits, `-`, `_` or `.`",
                ));
            }
            if tokens.iter().any(|o| o.id == t.id) {
                return Err(invalid(
                    format!("tokens[{i}].id"),
                    "another token has this id; each id must be unique",
                ));
            }
            let Some(sha256) = parse_hex32(&t.sha256) else {
                return Err(invalid(
                    format!("tokens[{i}].sha256"),
                    "expected the SHA-256 of the secret as 64 hexadecimal digits (`offramp serve --hash-token` prints it)",
                ));
            };
            if t.scopes.is_empty() {
                return Err(invalid(
                    format!("tokens[{i}].scopes"),
                    "give at least one scope: `route` or `admin`",
                ));
            }
            let mut scopes = t.scopes;
            scopes.sort();
            scopes.dedup();
            tokens.push(Token {
                id: t.id,
                sha256,
                scopes,
            });
        }
        let defaults = Limits::default();
        let l = file.limits;
        let limits = Limits {
            max_body_bytes: l.max_body_bytes.unwrap_or(defaults.max_body_bytes),
            request_timeout: l
                .request_timeout_ms
                .map_or(defaults.request_timeout, Duration::from_millis),
            concurrency: l.concurrency.unwrap_or(defaults.concurrency),
            max_batch_lines: l.max_batch_lines.unwrap_or(defaults.max_batch_lines),
        };
        for (key, zero) in [
            ("limits.max_body_bytes", limits.max_body_bytes == 0),
            (
                "limits.request_timeout_ms",
                limits.request_timeout.is_zero(),
            ),
            ("limits.concurrency", limits.concurrency == 0),
            ("limits.max_batch_lines", limits.max_batch_lines == 0),
        ] {
            if zero {
                return Err(invalid(key.into(), "must be 1 or more"));
            }
        }
        Ok(Config {
            address: file.address,
            port: file.port,
            programs: file.programs.iter().map(|p| base.join(p)).collect(),
            providers: file.providers.map(|p| base.join(p)),
            audit_log: audit_location(&file.audit, name, base)?,
            store_encounters: file.audit.store_encounters,
            retain: match file.audit.retain_days {
                None => None,
                Some(0) => {
                    return Err(invalid(
                        "audit.retain_days".into(),
                        "must be 1 or more (leave it out to keep every decision)",
                    ));
                }
                Some(days) => Some(Duration::from_secs(u64::from(days).saturating_mul(86_400))),
            },
            tokens,
            limits,
            tls: file.tls.map(|t| TlsFiles {
                certificate: base.join(t.certificate),
                private_key: base.join(t.private_key),
            }),
        })
    }
}

/// Where `[audit]` puts the log: exactly one of `path` and `postgres`; the database's password
/// from `password_file` (relative to the configuration's folder, its last line ending left
/// out) or else the `PGPASSWORD` environment variable, never from the file itself.
fn audit_location(
    audit: &AuditFile,
    name: &str,
    base: &Path,
) -> Result<crate::audit::Location, ConfigError> {
    use crate::audit::{ConninfoError, Location, Postgres};
    let invalid = |key: &str, message: String| ConfigError::Invalid {
        path: name.to_string(),
        key: key.to_string(),
        message,
    };
    match (&audit.path, &audit.postgres) {
        (Some(_), Some(_)) => Err(invalid(
            "audit.postgres",
            "give either `path` (a SQLite file) or `postgres` (a PostgreSQL database), not both"
                .into(),
        )),
        (None, None) => Err(invalid(
            "audit.path",
            "give the audit log's SQLite file as `path`, or a PostgreSQL database as `postgres`"
                .into(),
        )),
        (Some(path), None) => match (&audit.password_file, &audit.postgres_ca) {
            (Some(_), _) => Err(invalid(
                "audit.password_file",
                "a password file is for `postgres`; a SQLite file needs none".into(),
            )),
            (None, Some(_)) => Err(invalid(
                "audit.postgres_ca",
                "a certificate authority is for `postgres`; a SQLite file needs none".into(),
            )),
            (None, None) => Ok(Location::Sqlite(base.join(path))),
        },
        (None, Some(conninfo)) => {
            let password = match &audit.password_file {
                Some(file) => {
                    let file = base.join(file);
                    let text = std::fs::read_to_string(&file).map_err(|e| {
                        invalid(
                            "audit.password_file",
                            format!("cannot read {}: {}", file.display(), io_reason(&e)),
                        )
                    })?;
                    let password = text.strip_suffix('\n').unwrap_or(&text);
                    let password = password.strip_suffix('\r').unwrap_or(password);
                    if password.is_empty() {
                        return Err(invalid(
                            "audit.password_file",
                            format!("{} is empty", file.display()),
                        ));
                    }
                    Some(password.to_string())
                }
                None => Postgres::password_from_env(),
            };
            let db = Postgres::new(conninfo, password)
                .map_err(|e| invalid("audit.postgres", e.to_string()))?;
            let ca = audit.postgres_ca.as_ref().map(|ca| base.join(ca));
            db.with_ca_from(ca.as_deref(), "`postgres_ca`")
                .map(Location::Postgres)
                .map_err(|e| match e {
                    ConninfoError::NeedsCa(_) => invalid("audit.postgres", e.to_string()),
                    _ => invalid("audit.postgres_ca", e.to_string()),
                })
        }
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "it is a folder".into(),
        _ => e.to_string(),
    }
}

/// The SHA-256 of a token's secret, as 64 lower-case hexadecimal digits: what the
/// configuration's `sha256` holds.
///
/// ```
/// assert_eq!(
///     offramp_serve::hash_secret("password"),
///     "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
/// );
/// ```
pub fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Bytes as lower-case hexadecimal digits.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// 64 hexadecimal digits (either case) as 32 bytes.
fn parse_hex32(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(text.as_bytes().chunks(2)) {
        let pair = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(out)
}

fn valid_token_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut line = 1usize;
    let mut column = 1usize;
    for (i, c) in text.char_indices() {
        if i >= offset {
            break;
        }
        if c == '\n' {
            line = line.saturating_add(1);
            column = 1;
        } else {
            column = column.saturating_add(1);
        }
    }
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";

    fn minimal(extra: &str) -> String {
        format!(
            "programs = [\"p.toml\"]\n[audit]\npath = \"audit.sqlite\"\n[[tokens]]\nid = \"cad\"\nsha256 = \"{HASH}\"\nscopes = [\"route\"]\n{extra}"
        )
    }

    #[test]
    fn defaults_are_loopback_and_the_documented_limits() {
        let c = Config::from_toml(&minimal(""), "s.toml", Path::new("/etc/offramp")).unwrap();
        assert_eq!(c.address, IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(c.port, DEFAULT_PORT);
        assert_eq!(c.limits, Limits::default());
        assert_eq!(c.programs, vec![PathBuf::from("/etc/offramp/p.toml")]);
        assert_eq!(
            c.audit_log,
            crate::audit::Location::Sqlite(PathBuf::from("/etc/offramp/audit.sqlite"))
        );
        assert!(!c.store_encounters);
        assert_eq!(c.tokens[0].scopes, vec![Scope::Route]);
        assert_eq!(hash_secret("password"), HASH);
    }

    #[test]
    fn a_retention_period_is_whole_days_and_at_least_one() {
        let c = Config::from_toml(&minimal(""), "s.toml", Path::new("")).unwrap();
        assert_eq!(c.retain, None);
        let text = minimal("").replace(
            "path = \"audit.sqlite\"",
            "path = \"audit.sqlite\"\nretain_days = 2555",
        );
        let c = Config::from_toml(&text, "s.toml", Path::new("")).unwrap();
        assert_eq!(c.retain, Some(Duration::from_secs(2555 * 86_400)));
        let text = minimal("").replace(
            "path = \"audit.sqlite\"",
            "path = \"audit.sqlite\"\nretain_days = 0",
        );
        let e = Config::from_toml(&text, "s.toml", Path::new("")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("s.toml: audit.retain_days: must be 1 or more"),
            "{e}"
        );
    }

    #[test]
    fn the_log_is_a_sqlite_file_or_a_postgres_database_never_both() {
        let pg = |audit: &str| minimal("").replace("path = \"audit.sqlite\"", audit);
        let c = Config::from_toml(
            &pg("postgres = \"host=127.0.0.1 port=5432 dbname=offramp user=offramp\""),
            "s.toml",
            Path::new(""),
        )
        .unwrap();
        match &c.audit_log {
            crate::audit::Location::Postgres(db) => assert_eq!(
                db.shown(),
                "postgresql host=127.0.0.1 port=5432 dbname=offramp user=offramp"
            ),
            other => panic!("expected PostgreSQL, got {other:?}"),
        }
        let url = Config::from_toml(
            &pg("postgres = \"postgresql://offramp@db.example/audit\""),
            "s.toml",
            Path::new(""),
        )
        .unwrap();
        assert!(matches!(url.audit_log, crate::audit::Location::Postgres(_)));

        let e = Config::from_toml(
            &pg("path = \"a.sqlite\"\npostgres = \"host=db\""),
            "s.toml",
            Path::new(""),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("s.toml: audit.postgres: give either"),
            "{e}"
        );
        let e =
            Config::from_toml(&pg("store_encounters = true"), "s.toml", Path::new("")).unwrap_err();
        assert!(e.to_string().starts_with("s.toml: audit.path: "), "{e}");
        let e = Config::from_toml(
            &pg("path = \"a.sqlite\"\npassword_file = \"pw\""),
            "s.toml",
            Path::new(""),
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("s.toml: audit.password_file: "),
            "{e}"
        );
    }

    #[test]
    fn a_certificate_authority_for_postgres_is_checked_with_the_configuration() {
        let with = |audit: &str| {
            Config::from_toml(
                &minimal("").replace("path = \"audit.sqlite\"", audit),
                "s.toml",
                Path::new("/nowhere"),
            )
        };
        let e = with("postgres = \"host=db sslmode=require\"").unwrap_err();
        assert_eq!(
            e.to_string(),
            "s.toml: audit.postgres: sslmode=require: give `postgres_ca`, the certificate authority that signed the server's certificate, so that the server can be checked"
        );
        let e = with("postgres = \"host=db\"\npostgres_ca = \"ca.pem\"").unwrap_err();
        assert_eq!(
            e.to_string(),
            "s.toml: audit.postgres_ca: /nowhere/ca.pem: no such file"
        );
        let e = with("path = \"a.sqlite\"\npostgres_ca = \"ca.pem\"").unwrap_err();
        assert!(
            e.to_string().starts_with(
                "s.toml: audit.postgres_ca: a certificate authority is for `postgres`"
            ),
            "{e}"
        );
    }

    #[test]
    fn a_password_is_never_taken_from_the_file_or_shown() {
        for conninfo in [
            "host=db user=offramp password=hunter2-secret",
            "postgresql://offramp:hunter2-secret@db/audit",
        ] {
            let text = minimal("").replace(
                "path = \"audit.sqlite\"",
                &format!("postgres = \"{conninfo}\""),
            );
            let e = Config::from_toml(&text, "s.toml", Path::new("")).unwrap_err();
            let shown = e.to_string();
            assert!(shown.starts_with("s.toml: audit.postgres: "), "{shown}");
            assert!(shown.contains("PGPASSWORD"), "{shown}");
            assert!(!shown.contains("hunter2"), "{shown}");
        }
        // From a file beside the configuration, its line ending left out; never in Debug.
        let dir = std::env::temp_dir().join(format!("offramp-config-pw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("pw"), "hunter2-secret\n").unwrap();
        let text = minimal("").replace(
            "path = \"audit.sqlite\"",
            "postgres = \"host=db user=offramp\"\npassword_file = \"pw\"",
        );
        let c = Config::from_toml(&text, "s.toml", &dir).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
        let missing = text.replace("\"pw\"", "\"nope\"");
        let e = Config::from_toml(&missing, "s.toml", &dir).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("s.toml: audit.password_file: cannot read"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
        let e = Config::from_toml(
            &minimal("").replace("path = \"audit.sqlite\"", "postgres = \"port=notaport\""),
            "s.toml",
            Path::new(""),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("s.toml: audit.postgres: not a PostgreSQL"),
            "{e}"
        );
        assert!(!e.to_string().contains("notaport"), "{e}");
    }

    #[test]
    fn an_unknown_key_is_named_with_its_place() {
        let text = minimal("[limits]\nconcurency = 4\n");
        let e = Config::from_toml(&text, "s.toml", Path::new("")).unwrap_err();
        let shown = e.to_string();
        assert!(
            shown.starts_with("s.toml:9:1: unknown field `concurency`"),
            "{shown}"
        );
        let e = Config::from_toml(
            &format!("colour = 1\n{}", minimal("")),
            "s.toml",
            Path::new(""),
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown field `colour`"), "{e}");
    }

    #[test]
    fn bad_values_name_their_key() {
        let e = Config::from_toml(&minimal("").replace(HASH, "abc"), "s.toml", Path::new(""))
            .unwrap_err();
        assert!(
            e.to_string().starts_with("s.toml: tokens[0].sha256: "),
            "{e}"
        );
        let e = Config::from_toml(
            &minimal("[limits]\nconcurrency = 0\n"),
            "s.toml",
            Path::new(""),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "s.toml: limits.concurrency: must be 1 or more"
        );
        let two = format!(
            "{}[[tokens]]\nid = \"cad\"\nsha256 = \"{HASH}\"\nscopes = [\"admin\"]\n",
            minimal("")
        );
        let e = Config::from_toml(&two, "s.toml", Path::new("")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("s.toml: tokens[1].id: another token"),
            "{e}"
        );
        let e = Config::from_toml(
            &minimal("").replace("[\"route\"]", "[\"root\"]"),
            "s.toml",
            Path::new(""),
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown variant `root`"), "{e}");
    }
}
