//! Where a reader's bytes first depart from the stream the harness expects
//! (`ReadSpec.expect`). Evidence for the report only: nothing here decides
//! what the reader does next.

use serde::Serialize;

use crate::seeded::{SeededStream, SliceChain};

/// Bytes of context shown on each side of a mismatch.
const CONTEXT: usize = 8;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Mismatch {
    pub offset: u32,
    pub chunk: u32,
    pub chunk_offset: u32,
    pub expected_hex: String,
    pub actual_hex: String,
}

/// Compares chunks as the SDK surfaces them with the expected slices.
pub struct MismatchFinder {
    chain: SliceChain,
    slices: Vec<(String, u64, u64)>,
    next_slice: usize,
    current: Option<(SeededStream, u64)>,
    consumed: u64,
    chunks: u32,
    found: Option<Mismatch>,
    // Actual bytes still owed to `found.actual_hex` when the departure sat
    // near the end of a chunk: the next chunks complete the context.
    owed: usize,
    actual: Vec<u8>,
}

impl MismatchFinder {
    pub fn new(slices: Vec<(String, u64, u64)>) -> Self {
        Self {
            chain: SliceChain::new(slices.clone()),
            slices,
            next_slice: 0,
            current: None,
            consumed: 0,
            chunks: 0,
            found: None,
            owed: 0,
            actual: Vec::new(),
        }
    }

    pub fn observe(&mut self, chunk: &[u8]) {
        if self.found.is_some() {
            self.complete_actual(chunk);
        } else {
            self.compare(chunk);
        }
        self.consumed += chunk.len() as u64;
        self.chunks += 1;
    }

    /// The first departure, or `None` when the stream matched exactly.
    pub fn finish(mut self) -> Option<Mismatch> {
        if self.found.is_none() && self.consumed < self.chain.total() {
            // A short stream departs where it ended, in a chunk that never came.
            self.found = Some(Mismatch {
                offset: clamp(self.consumed),
                chunk: self.chunks,
                chunk_offset: 0,
                expected_hex: hex::encode(self.chain.bytes_at(self.consumed, CONTEXT)),
                actual_hex: String::new(),
            });
        }
        let mut found = self.found?;
        if !self.actual.is_empty() {
            found.actual_hex = hex::encode(&self.actual);
        }
        Some(found)
    }

    fn compare(&mut self, chunk: &[u8]) {
        let left = self.chain.total().saturating_sub(self.consumed);
        let comparable = (chunk.len() as u64).min(left) as usize;
        let mut expected = vec![0; comparable];
        self.expected_fill(&mut expected);

        let differs = expected
            .iter()
            .zip(chunk)
            .position(|(expected, actual)| expected != actual);
        let at = match differs {
            Some(at) => at,
            // An overlong stream departs where the expected one ends.
            None if chunk.len() > comparable => comparable,
            None => return,
        };
        let offset = self.consumed + at as u64;
        self.found = Some(Mismatch {
            offset: clamp(offset),
            chunk: self.chunks,
            chunk_offset: clamp(at as u64),
            expected_hex: hex::encode(self.chain.bytes_at(offset, CONTEXT)),
            actual_hex: String::new(),
        });
        self.owed = CONTEXT;
        self.complete_actual(&chunk[at..]);
    }

    fn complete_actual(&mut self, bytes: &[u8]) {
        let take = self.owed.min(bytes.len());
        self.actual.extend_from_slice(&bytes[..take]);
        self.owed -= take;
    }

    fn expected_fill(&mut self, out: &mut [u8]) {
        let mut done = 0;
        while done < out.len() {
            let (stream, left) = match self.current.as_mut() {
                Some(current) if current.1 > 0 => current,
                _ => {
                    let (seed, offset, length) = &self.slices[self.next_slice];
                    self.next_slice += 1;
                    self.current = Some((SeededStream::new(seed, *offset), *length));
                    continue;
                }
            };
            let take = (*left).min((out.len() - done) as u64) as usize;
            stream.fill(&mut out[done..done + take]);
            *left -= take as u64;
            done += take;
        }
    }
}

fn clamp(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}
