//! Processes for the end-to-end tests: an engine (the reference broker or a
//! real iii binary) on loopback, and this crate's worker binary connected to
//! it. Each is started once per test binary and shared by its tests; every
//! process holds a stdin pipe from this one, so none outlives the tests.

#![allow(dead_code)]

pub mod driver;
pub mod expect;

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
/// Where a real engine may have been built (override with III_BIN).
const III_BIN: &str = "/work/iii-src/target/release/iii";

pub struct Setup {
    pub label: &'static str,
    pub url: String,
    pub dir: PathBuf,
    engine: Child,
    worker: Child,
}

impl Setup {
    /// The last lines of the worker's stderr, for failure messages.
    pub fn worker_log(&self) -> String {
        tail(&self.dir.join("worker.log"))
    }

    pub fn engine_log(&self) -> String {
        tail(&self.dir.join("engine.log"))
    }
}

fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// `setup`, saying on stderr that the tests skip when the engine is absent.
pub fn or_skip(label: &str, setup: Option<&'static Setup>) -> Option<&'static Setup> {
    if setup.is_none() {
        eprintln!("skipped: no {label} engine here");
    }
    setup
}

/// The reference broker, or `None` when engines/reference is not there.
pub fn reference() -> Option<&'static Setup> {
    static SETUP: OnceLock<Option<Setup>> = OnceLock::new();
    SETUP
        .get_or_init(|| {
            let main = Path::new(ROOT).join("engines/reference/main.ts");
            main.exists().then(|| start("reference", start_reference))
        })
        .as_ref()
}

/// A real iii engine from III_BIN or the local build, or `None`.
pub fn iii() -> Option<&'static Setup> {
    static SETUP: OnceLock<Option<Setup>> = OnceLock::new();
    SETUP
        .get_or_init(|| {
            let bin = std::env::var("III_BIN").unwrap_or_else(|_| III_BIN.into());
            Path::new(&bin)
                .exists()
                .then(|| start("iii", |dir| start_iii(dir, &bin)))
        })
        .as_ref()
}

fn start(label: &'static str, engine: impl FnOnce(&Path) -> (Child, String)) -> Setup {
    sweep_stale_dirs();
    let dir =
        std::env::temp_dir().join(format!("iii-conformance-rs-{label}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (engine, url) = engine(&dir);
    let worker = start_worker(&dir, &url);
    Setup {
        label,
        url,
        dir,
        engine,
        worker,
    }
}

/// Shared setups live in statics, which are never dropped, so their folders
/// outlive the run; a later run removes those whose test process is gone.
fn sweep_stale_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix("iii-conformance-rs-") else {
            continue;
        };
        let pid = rest.rsplit('-').next().unwrap_or_default();
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn log_file(dir: &Path, name: &str) -> Stdio {
    Stdio::from(std::fs::File::create(dir.join(name)).unwrap())
}

fn start_reference(dir: &Path) -> (Child, String) {
    let mut child = Command::new(Path::new(ROOT).join("node_modules/.bin/node"))
        .args([
            "--import",
            "tsx",
            "engines/reference/main.ts",
            "--port",
            "0",
        ])
        // e.g. "--verbose" or "--profile strict" when chasing a difference.
        .args(
            std::env::var("REFERENCE_ARGS")
                .unwrap_or_default()
                .split_whitespace(),
        )
        .current_dir(ROOT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(log_file(dir, "engine.log"))
        .spawn()
        .expect("the reference broker starts (node_modules installed?)");
    let mut line = String::new();
    let stdout = child.stdout.take().unwrap();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let listening: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|_| {
        panic!(
            "reference broker printed {line:?}; log: {}",
            tail(&dir.join("engine.log"))
        )
    });
    (child, listening["wsUrl"].as_str().unwrap().to_string())
}

fn start_iii(dir: &Path, bin: &str) -> (Child, String) {
    let port = free_port();
    let config = format!(
        "registration_namespace_grace_ms: 1000\nworkers:\n  - name: iii-worker-manager\n    \
         config:\n      host: \"127.0.0.1\"\n      port: {port}\n"
    );
    std::fs::write(dir.join("config.yaml"), config).unwrap();
    // The engine does not watch stdin; a shell does it for it, so a killed
    // test run still takes the engine down.
    let watchdog = "\"$@\" </dev/null & pid=$!; cat >/dev/null; kill $pid 2>/dev/null; wait $pid";
    let child = Command::new("sh")
        .args([
            "-c",
            watchdog,
            "sh",
            bin,
            "--config",
            "config.yaml",
            "--no-update-check",
        ])
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("III_TELEMETRY_ENABLED", "false")
        .env("IIIWORKER_DISABLE_BUILTIN_DAEMONS", "1")
        .stdin(Stdio::piped())
        .stdout(log_file(dir, "engine.log"))
        .stderr(log_file(dir, "engine.err"))
        .spawn()
        .expect("the iii engine starts");
    let until = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < until,
            "iii did not listen on {port}: {}",
            tail(&dir.join("engine.log"))
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (child, format!("ws://127.0.0.1:{port}"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_worker(dir: &Path, url: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_iii-conformance-worker-rs"))
        .env("III_URL", url)
        .env("OTEL_ENABLED", "false")
        .env(
            "III_WORKER_NAME",
            format!("conformance-rs-e2e-{}", std::process::id()),
        )
        // The SDK keeps a marker file under $HOME/.iii/run; keep it in the
        // test's own folder.
        .env("HOME", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(log_file(dir, "worker.log"))
        .spawn()
        .expect("the worker binary starts")
}

/// Closes a process's stdin (its cue to exit) and waits for it.
pub fn stop(child: &mut Child, within: Duration) -> Option<std::process::ExitStatus> {
    drop(child.stdin.take());
    let until = Instant::now() + within;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if Instant::now() >= until {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Reads everything a child wrote to a pipe (for short-lived processes).
pub fn read_all(mut pipe: impl Read) -> String {
    let mut out = String::new();
    let _ = pipe.read_to_string(&mut out);
    out
}
