//! mixroom-fuzz: a seeded mutation fuzzer for everything in Mixroom that reads outside input:
//! the share-link decoder, the session parser and its migrations, the bundle reader,
//! mixroom-cli's audio decoders, and the lesson and hand-in readers (JSON and links). Native,
//! stable Rust; `cargo xtask fuzz` runs it.
//!
//! - [`mutate`]: the random number generator and the byte-level mutator.
//! - [`targets`]: each target's seeds, structure-aware mutations and contract.
//! - [`runner`]: cases run under `catch_unwind` in worker processes watched for crashes and
//!   hangs.

pub mod mutate;
pub mod runner;
pub mod targets;
