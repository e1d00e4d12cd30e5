//! What a worker reports of the stream it wrote or read (`Digest` in
//! fixtures/conformance.proto), and the recorder that builds it as the SDK
//! calls happen.

use std::time::Instant;

use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::mismatch::{Mismatch, MismatchFinder};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TextRecord {
    pub length: u32,
    pub sha256: String,
    pub at_byte: u32,
    pub preview: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ErrorInfo {
    pub code: String,
    pub message: String,
    pub stage: String,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Timing {
    pub start_ms: u32,
    pub first_byte_ms: u32,
    pub end_ms: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Digest {
    pub role: String,
    pub lang: String,
    pub bytes: u32,
    pub sha256: String,
    pub texts: Vec<TextRecord>,
    pub texts_sha256: String,
    pub chunks: u32,
    pub empty_chunks: u32,
    pub max_chunk: u32,
    pub end: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    pub timing: Timing,
    pub rss_peak_kib: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mismatch: Option<Mismatch>,
}

/// How one side of a stream ended (`Digest.end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Closed,
    Error,
    Stopped,
    Timeout,
    // The two below are not in the contract's list: a writer plan that
    // aborts, or stops without a close, has no contract word for its end.
    Aborted,
    Open,
}

impl End {
    pub fn as_str(self) -> &'static str {
        match self {
            End::Closed => "closed",
            End::Error => "error",
            End::Stopped => "stopped",
            End::Timeout => "timeout",
            End::Aborted => "aborted",
            End::Open => "open",
        }
    }
}

/// Builds a digest from the calls made on an SDK writer or reader.
pub struct Recorder {
    clock: Instant,
    role: &'static str,
    lang: String,
    bytes: u64,
    hash: Sha256,
    texts: Vec<TextRecord>,
    texts_hash: Sha256,
    chunks: u32,
    empty_chunks: u32,
    max_chunk: u32,
    end: Option<End>,
    error: Option<ErrorInfo>,
    timing: Timing,
    started: bool,
    first_byte: bool,
    mismatch: Option<MismatchFinder>,
}

impl Recorder {
    /// `clock` is the handler's entry: every timing counts from there.
    pub fn new(clock: Instant, role: &'static str, lang: &str) -> Self {
        Self {
            clock,
            role,
            lang: lang.to_string(),
            bytes: 0,
            hash: Sha256::new(),
            texts: Vec::new(),
            texts_hash: Sha256::new(),
            chunks: 0,
            empty_chunks: 0,
            max_chunk: 0,
            end: None,
            error: None,
            timing: Timing::default(),
            started: false,
            first_byte: false,
            mismatch: None,
        }
    }

    pub fn expect(&mut self, finder: MismatchFinder) {
        self.mismatch = Some(finder);
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Marks the first call into the SDK's channel API.
    pub fn sdk_call(&mut self) {
        if !self.started {
            self.started = true;
            self.timing.start_ms = self.elapsed_ms();
        }
    }

    /// One binary chunk handed to (or surfaced by) the SDK.
    pub fn chunk(&mut self, data: &[u8]) {
        self.hash.update(data);
        self.bytes += data.len() as u64;
        self.chunks += 1;
        if data.is_empty() {
            self.empty_chunks += 1;
        }
        self.max_chunk = self.max_chunk.max(clamp(data.len() as u64));
        if let Some(finder) = self.mismatch.as_mut() {
            finder.observe(data);
        }
    }

    /// The moment the first byte went out or came in.
    pub fn first_byte(&mut self) {
        if !self.first_byte {
            self.first_byte = true;
            self.timing.first_byte_ms = self.elapsed_ms();
        }
    }

    pub fn text_count(&self) -> usize {
        self.texts.len()
    }

    pub fn text(&mut self, text: &str) {
        self.texts_hash.update((text.len() as u32).to_be_bytes());
        self.texts_hash.update(text.as_bytes());
        self.texts.push(text_record(text, self.bytes));
    }

    /// `code message` of the recorded error, for a log line.
    pub fn error_summary(&self) -> Option<String> {
        let error = self.error.as_ref()?;
        Some(format!("{} {}", error.code, error.message))
    }

    pub fn ended(&self) -> bool {
        self.end.is_some()
    }

    /// The end as the digest will spell it.
    pub fn end_name(&self) -> &'static str {
        self.end.unwrap_or(End::Open).as_str()
    }

    /// Records the end once; later calls keep the first end.
    pub fn finish(&mut self, end: End) {
        if self.end.is_none() {
            self.end = Some(end);
            self.timing.end_ms = self.elapsed_ms();
        }
    }

    pub fn fail(&mut self, stage: &str, code: &str, message: &str) {
        if self.end.is_none() {
            self.error = Some(ErrorInfo {
                code: code.to_string(),
                message: message.to_string(),
                stage: stage.to_string(),
            });
        }
        self.finish(End::Error);
    }

    pub fn digest(self) -> Digest {
        Digest {
            role: self.role.to_string(),
            lang: self.lang,
            bytes: clamp(self.bytes),
            sha256: hex::encode(self.hash.finalize()),
            texts: self.texts,
            texts_sha256: hex::encode(self.texts_hash.finalize()),
            chunks: self.chunks,
            empty_chunks: self.empty_chunks,
            max_chunk: self.max_chunk,
            end: self.end.unwrap_or(End::Open).as_str().to_string(),
            error: self.error,
            timing: self.timing,
            rss_peak_kib: rss_peak_kib(),
            mismatch: self.mismatch.and_then(MismatchFinder::finish),
        }
    }

    fn elapsed_ms(&self) -> u32 {
        clamp(self.clock.elapsed().as_millis() as u64)
    }
}

/// The record of one text: UTF-8 length, its SHA-256 and the first 16
/// characters (Unicode scalar values, as the harness counts them).
pub fn text_record(text: &str, at_byte: u64) -> TextRecord {
    TextRecord {
        length: clamp(text.len() as u64),
        sha256: hex::encode(Sha256::digest(text.as_bytes())),
        at_byte: clamp(at_byte),
        preview: text.chars().take(16).collect(),
    }
}

/// `texts_sha256` of the contract: SHA-256 over `u32be(len) || utf8` per text.
pub fn texts_sha256<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut hash = Sha256::new();
    for text in texts {
        hash.update((text.len() as u32).to_be_bytes());
        hash.update(text.as_bytes());
    }
    hex::encode(hash.finalize())
}

/// Peak resident set of this process (Linux `VmHWM`), 0 where unknown.
pub fn rss_peak_kib() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn clamp(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}
