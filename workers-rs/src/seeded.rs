//! The seeded byte stream of the worker contract: block `i` of seed `s` is
//! `SHA-256(utf8(s) || u64be(i))`, and the stream is the blocks concatenated.

use sha2::{Digest, Sha256};

const BLOCK: u64 = 32;

/// A cursor over the stream of one seed, starting at any offset.
#[derive(Clone)]
pub struct SeededStream {
    // The hasher state after the seed: each block then costs one compression
    // of the counter instead of rehashing the seed, which keeps 64 MiB plans
    // well under a second in release builds.
    prefix: Sha256,
    pos: u64,
    cached: Option<(u64, [u8; 32])>,
}

impl SeededStream {
    pub fn new(seed: &str, offset: u64) -> Self {
        let mut prefix = Sha256::new();
        prefix.update(seed.as_bytes());
        Self {
            prefix,
            pos: offset,
            cached: None,
        }
    }

    /// The stream offset of the next byte `fill` produces.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Fills `out` with the next `out.len()` bytes and advances past them.
    pub fn fill(&mut self, out: &mut [u8]) {
        let mut done = 0;
        while done < out.len() {
            let index = self.pos / BLOCK;
            let skip = (self.pos % BLOCK) as usize;
            let block = self.block(index);
            let take = (32 - skip).min(out.len() - done);
            out[done..done + take].copy_from_slice(&block[skip..skip + take]);
            done += take;
            self.pos += take as u64;
        }
    }

    fn block(&mut self, index: u64) -> [u8; 32] {
        if let Some((cached, block)) = self.cached
            && cached == index
        {
            return block;
        }
        let mut hasher = self.prefix.clone();
        hasher.update(index.to_be_bytes());
        let block: [u8; 32] = hasher.finalize().into();
        self.cached = Some((index, block));
        block
    }
}

/// Bytes `[offset, offset + length)` of the stream of `seed`.
pub fn slice(seed: &str, offset: u64, length: usize) -> Vec<u8> {
    let mut out = vec![0; length];
    SeededStream::new(seed, offset).fill(&mut out);
    out
}

/// Bytes of a list of seeded slices laid end to end, from any position in
/// the concatenation (what a reader's `expect` describes).
#[derive(Clone)]
pub struct SliceChain {
    slices: Vec<(String, u64, u64)>,
    total: u64,
}

impl SliceChain {
    pub fn new(slices: impl IntoIterator<Item = (String, u64, u64)>) -> Self {
        let slices: Vec<_> = slices.into_iter().collect();
        let total = slices.iter().map(|(_, _, length)| length).sum();
        Self { slices, total }
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// Up to `max` bytes of the chain from `offset` (fewer near its end).
    pub fn bytes_at(&self, offset: u64, max: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(max);
        let mut start = 0;
        for (seed, slice_offset, length) in &self.slices {
            let end = start + length;
            if offset < end && out.len() < max {
                let from = offset.max(start) - start;
                let take = ((length - from) as usize).min(max - out.len());
                out.extend(slice(seed, slice_offset + from, take));
            }
            start = end;
        }
        out
    }
}
