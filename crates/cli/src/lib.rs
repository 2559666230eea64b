//! The parts of mixroom-cli that other crates use: the audio file decoder (`cargo xtask fuzz`
//! feeds it hostile files). The command itself is `src/main.rs`.

pub mod decode;
