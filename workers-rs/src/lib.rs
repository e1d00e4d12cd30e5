//! The iii channel conformance worker on the crates.io `iii-sdk`
//! (docs/worker-contract.md). The binary is src/main.rs; the library exists
//! so the tests can reach the generator, digests and validation directly.

pub mod describe;
pub mod digest;
pub mod fanout;
pub mod mismatch;
pub mod plan;
pub mod read;
pub mod recall;
pub mod refs;
pub mod reject;
pub mod relay;
pub mod request;
pub mod seeded;
pub mod worker;
pub mod write;
