#![allow(missing_docs)]
//! Sustained load on `offramp serve` with the audit log on (SQLite, WAL, synchronous=FULL):
//! for each number of clients, that many threads, each on one keep-alive connection, route one
//! example encounter after another for a fixed time. Prints the logged decisions per second
//! and the median and 99th-percentile latency, then checks that the log holds exactly one row
//! per decision answered with 200 and that its chain verifies.
//!
//!     cargo bench -p offramp-serve --bench load -- [--clients 1,8,32] [--seconds 10] \
//!         [--store sqlite|postgres]
//!
//! With `--store postgres` the log is in PostgreSQL: the server named by the connection string
//! in `OFFRAMP_BENCH_POSTGRES` (or `OFFRAMP_TEST_POSTGRES`), its password in `PGPASSWORD`; each
//! run writes into a schema of its own, dropped afterwards.
//!
//! Under `cargo test --all-targets` (which runs benches without `--bench`) it makes one short
//! run with two clients: the same checks, in about a second.
//!
//! The service runs in this process, so clients and service share the machine's cores, as a
//! records system on the same host would. Figures are in benches/README.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use offramp_serve::audit::{Location, Postgres};
use offramp_serve::{Config, Running, Service, hash_secret, verify};

const SECRET: &str = "load-bench-secret";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Store {
    Sqlite,
    Postgres,
}

struct Options {
    clients: Vec<usize>,
    seconds: u64,
    store: Store,
}

fn options() -> Options {
    if !std::env::args().any(|a| a == "--bench") {
        return Options {
            clients: vec![2],
            seconds: 1,
            store: Store::Sqlite,
        };
    }
    let mut clients = vec![1, 8, 32];
    let mut seconds = 10;
    let mut store = Store::Sqlite;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--clients" => {
                let list = args.next().expect("--clients needs a list such as 1,8,32");
                clients = list
                    .split(',')
                    .map(|n| {
                        n.trim()
                            .parse()
                            .expect("--clients: whole numbers, comma-separated")
                    })
                    .collect();
            }
            "--seconds" => {
                seconds = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--seconds needs a whole number");
            }
            "--store" => {
                store = match args.next().as_deref() {
                    Some("sqlite") => Store::Sqlite,
                    Some("postgres") => Store::Postgres,
                    _ => panic!("--store needs `sqlite` or `postgres`"),
                };
            }
            // `--bench`, which cargo passes, and anything else cargo adds.
            _ => {}
        }
    }
    Options {
        clients,
        seconds,
        store,
    }
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// A PostgreSQL connection with its password from `PGPASSWORD`.
fn pg_admin(conninfo: &str) -> postgres::Client {
    let mut config: postgres::Config = conninfo.parse().unwrap();
    if let Ok(p) = std::env::var("PGPASSWORD") {
        config.password(p);
    }
    config.connect(postgres::NoTls).unwrap()
}

/// One run: the service on a fresh log, `clients` threads for `seconds`.
fn run(clients: usize, seconds: u64, encounter: &str, store: Store) {
    let dir = std::env::temp_dir().join(format!("offramp-load-{}-{clients}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (audit, log, schema) = match store {
        Store::Sqlite => {
            let log = dir.join("audit.sqlite");
            (
                format!("path = {:?}", log.display().to_string()),
                Location::Sqlite(log),
                None,
            )
        }
        Store::Postgres => {
            let server = std::env::var("OFFRAMP_BENCH_POSTGRES")
                .or_else(|_| std::env::var("OFFRAMP_TEST_POSTGRES"))
                .expect("--store postgres needs OFFRAMP_BENCH_POSTGRES (a connection string)");
            let schema = format!("load_{}_{clients}", std::process::id());
            let mut admin = pg_admin(&server);
            admin
                .batch_execute(&format!(
                    "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
                ))
                .unwrap();
            let conninfo = format!("{server} options='-c search_path={schema}'");
            let db = Postgres::new(&conninfo, Postgres::password_from_env()).unwrap();
            (
                format!("postgres = {conninfo:?}"),
                Location::Postgres(db),
                Some((admin, schema)),
            )
        }
    };
    let program = examples().join("programs/lead-king-county.toml");
    let text = format!(
        "port = 0\nprograms = [{:?}]\n[audit]\n{audit}\n\
         [limits]\nconcurrency = {}\n\
         [[tokens]]\nid = \"load\"\nsha256 = \"{}\"\nscopes = [\"route\"]\n",
        program.display().to_string(),
        clients.max(64),
        hash_secret(SECRET),
    );
    let path = dir.join("offramp-serve.toml");
    std::fs::write(&path, text).unwrap();
    let config = Config::from_file(&path).unwrap();
    let running = Running::start(Service::load(&config).unwrap(), &config).unwrap();
    let url = format!("http://{}/v1/route", running.address());

    let stop = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(clients + 1));
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (url, stop, start) = (url.clone(), stop.clone(), start.clone());
            let body = encounter.to_string();
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .timeout_global(Some(Duration::from_secs(30)))
                    .http_status_as_error(false)
                    .build()
                    .into();
                let auth = format!("Bearer {SECRET}");
                let mut latencies = Vec::with_capacity(100_000);
                let mut failed = 0u64;
                start.wait();
                while !stop.load(Ordering::Relaxed) {
                    let t0 = Instant::now();
                    let answer = agent
                        .post(&url)
                        .header("Authorization", &auth)
                        .header("Content-Type", "application/json")
                        .send(body.as_bytes());
                    match answer {
                        Ok(mut a) if a.status() == 200 => {
                            let _ = a.body_mut().read_to_vec();
                            latencies.push(t0.elapsed());
                        }
                        _ => failed += 1,
                    }
                }
                (latencies, failed)
            })
        })
        .collect();
    start.wait();
    let began = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    let mut failed = 0;
    for t in threads {
        let (l, f) = t.join().unwrap();
        latencies.extend(l);
        failed += f;
    }
    let elapsed = began.elapsed().as_secs_f64();
    running.stop().unwrap();

    latencies.sort();
    let at = |q: f64| {
        let i = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies[i].as_secs_f64() * 1e3
    };
    let verified = verify(&log).unwrap();
    println!(
        "clients {clients:>3}: {:>8.0} logged decisions/s, p50 {:.2} ms, p99 {:.2} ms ({} answered 200, {failed} failed, {} rows in the log, chain verified)",
        latencies.len() as f64 / elapsed,
        at(0.5),
        at(0.99),
        latencies.len(),
        verified.rows,
    );
    assert_eq!(
        verified.rows as usize,
        latencies.len(),
        "every decision answered 200, and only those, is in the log"
    );
    let _ = std::fs::remove_dir_all(&dir);
    if let Some((mut admin, schema)) = schema {
        admin
            .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .unwrap();
    }
}

fn main() {
    let options = options();
    let encounter = std::fs::read_to_string(examples().join("encounters/lead-king-county.jsonl"))
        .unwrap()
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap()
        .to_string();
    println!(
        "offramp serve under load: LEAD program, one encounter a request, audit log on ({}), {} s per run",
        match options.store {
            Store::Sqlite => "SQLite",
            Store::Postgres => "PostgreSQL",
        },
        options.seconds
    );
    for clients in options.clients {
        run(clients, options.seconds, &encounter, options.store);
    }
}
