//! The test's own iii worker: it plays the harness's orchestrator, creating
//! channels and triggering the worker under test through the engine.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use conformance_worker::digest::texts_sha256;
use iii_helpers::observability::OtelConfig;
use iii_sdk::channel::{Channel, ChannelReader};
use iii_sdk::helpers::create_channel;
use iii_sdk::protocol::TriggerRequest;
use iii_sdk::runtime::WorkerMetadata;
use iii_sdk::{Error, IIIClient, InitOptions, register_worker};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Setup;

pub struct Driver {
    pub iii: IIIClient,
}

impl Driver {
    /// Connects and waits until the worker under test answers `describe`.
    pub async fn connect(setup: &Setup) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        // Every client needs its own name: the real engine refuses a second
        // live worker with the same one.
        let metadata = WorkerMetadata {
            name: format!("conformance-rs-e2e-driver-{}-{n}", std::process::id()),
            ..WorkerMetadata::default()
        };
        let options = InitOptions {
            metadata: Some(metadata),
            otel: Some(OtelConfig {
                enabled: Some(false),
                ..OtelConfig::default()
            }),
            ..InitOptions::default()
        };
        let driver = Self {
            iii: register_worker(&setup.url, options),
        };

        let until = Instant::now() + Duration::from_secs(20);
        loop {
            match driver.call("describe", json!({}), 2_000).await {
                Ok(_) => return driver,
                Err(error) if Instant::now() < until => {
                    let _ = error;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => panic!(
                    "worker never answered describe on {}: {error}\n{}",
                    setup.label,
                    setup.worker_log()
                ),
            }
        }
    }

    pub async fn call(
        &self,
        function: &str,
        payload: Value,
        timeout_ms: u64,
    ) -> Result<Value, Error> {
        self.call_as("rs", function, payload, timeout_ms).await
    }

    /// Calls a worker registered under another language tag.
    pub async fn call_as(
        &self,
        lang: &str,
        function: &str,
        payload: Value,
        timeout_ms: u64,
    ) -> Result<Value, Error> {
        let request = TriggerRequest {
            function_id: format!("conformance::{lang}::{function}"),
            payload,
            action: None,
            timeout_ms: Some(timeout_ms),
        };
        self.iii.trigger(request).await
    }

    pub async fn channel(&self, buffer_size: Option<usize>) -> (Value, Value, Channel) {
        let channel = create_channel(&self.iii, buffer_size)
            .await
            .expect("create_channel");
        let writer = serde_json::to_value(&channel.writer_ref).unwrap();
        let reader = serde_json::to_value(&channel.reader_ref).unwrap();
        (writer, reader, channel)
    }

    /// Reads a channel to its end with the test's own SDK reader (texts via
    /// the callback), so a worker's writes are judged by a client that is
    /// not the worker. Answers the digest fields `expect::check` compares.
    pub async fn drain(&self, reader: &Value) -> Value {
        let reader_ref = serde_json::from_value(reader.clone()).unwrap();
        let reader = ChannelReader::new(self.iii.address(), &reader_ref);
        let texts = Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = Arc::clone(&texts);
        reader
            .on_message(move |text| sink.lock().unwrap().push(text))
            .await;
        let mut stream = Vec::new();
        let end = loop {
            match reader.next_binary().await {
                Ok(Some(chunk)) => stream.extend(chunk),
                Ok(None) => break "closed".to_string(),
                Err(error) => break format!("error: {error}"),
            }
        };
        let texts = texts.lock().unwrap().clone();
        json!({
            "end": end,
            "bytes": stream.len(),
            "sha256": hex::encode(Sha256::digest(&stream)),
            "texts_sha256": texts_sha256(texts.iter().map(String::as_str)),
        })
    }

    pub async fn close(self) {
        let iii = self.iii;
        let _ = tokio::task::spawn_blocking(move || iii.shutdown()).await;
    }
}
