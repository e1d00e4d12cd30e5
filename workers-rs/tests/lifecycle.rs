//! The worker process's own lifecycle: it refuses to start without III_URL,
//! and it exits on stdin EOF and on SIGTERM, cleaning up after the SDK.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_iii-conformance-worker-rs");

fn home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "iii-conformance-rs-life-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every test here spawns its worker under its own language tag: a second
/// worker registering `conformance::rs::*` would replace the shared e2e
/// worker's functions, and its exit would unregister them for everyone.
fn spawn_as(lang: &str, url: &str, home: &Path) -> Child {
    Command::new(BIN)
        .env("III_CONFORMANCE_LANG", lang)
        .env("III_URL", url)
        .env("OTEL_ENABLED", "false")
        .env(
            "III_WORKER_NAME",
            format!("conformance-rs-life-{}", home.display()),
        )
        .env("HOME", home)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until the worker has told stderr it registered, so the exit below
/// is measured from a running worker.
fn wait_registered(child: &mut Child) -> std::io::BufReader<std::process::ChildStderr> {
    use std::io::BufRead;
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(line.contains("registered conformance::"), "{line}");
    stderr
}

#[test]
fn without_iii_url_the_worker_refuses_to_start() {
    let output = Command::new(BIN)
        .env_remove("III_URL")
        .env("HOME", home("nourl"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("III_URL is not set"), "{stderr}");
    let _ = std::fs::remove_dir_all(home("nourl"));
}

#[test]
fn stdin_eof_stops_the_worker_and_the_sdk() {
    let Some(setup) = common::reference() else {
        return eprintln!("skipped: no reference engine here");
    };
    let dir = home("eof");
    let mut child = spawn_as("rseof", &setup.url, &dir);
    let stderr = wait_registered(&mut child);
    let status = common::stop(&mut child, Duration::from_secs(5));
    let rest = common::read_all(stderr.into_inner());
    assert_eq!(status.and_then(|s| s.code()), Some(0), "{rest}");
    assert!(rest.contains("stdin closed"), "{rest}");
    // shutdown() joined the SDK thread, which removes its `iii ps` marker.
    let markers = std::fs::read_dir(dir.join(".iii/run"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(markers, 0, "the SDK's marker file was left behind");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn sigterm_stops_the_worker() {
    let Some(setup) = common::reference() else {
        return eprintln!("skipped: no reference engine here");
    };
    let dir = home("term");
    let mut child = spawn_as("rsterm", &setup.url, &dir);
    let stderr = wait_registered(&mut child);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    assert!(killed.unwrap().success());
    // stdin stays open here: the signal alone must end the process.
    let until = std::time::Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < until,
            "the worker ignored SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let rest = common::read_all(stderr.into_inner());
    assert_eq!(status.code(), Some(0), "{rest}");
    assert!(rest.contains("SIGTERM"), "{rest}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The plan's `exit` op ends the process at once with its code. Its own
/// language tag keeps it apart from the shared worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_exit_op_ends_the_process_with_its_code() {
    let Some(setup) = common::reference() else {
        return eprintln!("skipped: no reference engine here");
    };
    let dir = home("exit");
    let mut child = spawn_as("rsexit", &setup.url, &dir);
    let stderr = wait_registered(&mut child);
    let driver = common::driver::Driver::connect(setup).await;
    // "registered" is printed once the functions are handed to the SDK; the
    // engine knows them a moment later. A write sent before that would fail
    // with function_not_found and never reach the exit op.
    let until = std::time::Instant::now() + Duration::from_secs(20);
    while driver
        .call_as("rsexit", "describe", serde_json::json!({}), 2_000)
        .await
        .is_err()
    {
        assert!(
            std::time::Instant::now() < until,
            "rsexit never answered describe"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (writer, _reader, _channel) = driver.channel(None).await;
    let ops =
        serde_json::json!([{ "bytes": { "seed": "x", "length": 10 } }, { "exit": { "code": 3 } }]);
    let write = serde_json::json!({ "cell": "exit", "plan": { "ops": ops }, "writer": writer });
    // Generous: a worker that exits answers at once (invocation_stopped); only a
    // loaded machine makes the write itself slow.
    let answer = driver.call_as("rsexit", "write", write, 15_000).await;
    driver.close().await;
    let status = common::stop(&mut child, Duration::from_secs(5));
    let rest = common::read_all(stderr.into_inner());
    assert!(
        answer.is_err(),
        "a worker that exited cannot answer: {answer:?}"
    );
    assert_eq!(status.and_then(|s| s.code()), Some(3), "{rest}");
    assert!(rest.contains("exit 3 (plan)"), "{rest}");
    let _ = std::fs::remove_dir_all(dir);
}
