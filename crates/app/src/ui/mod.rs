//! The Leptos components of the page.

mod app;
mod canvas;
mod console;
mod curves;
mod detail;
mod display;
mod ear;
mod export;
mod import;
mod lesson;
mod master;
mod project;
mod recent;
mod status;
mod transport;
mod widgets;

pub use app::App;
#[cfg(feature = "e2e")]
pub use import::Importer;

/// Which section the detail panel shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    /// The EQ editor.
    Eq,
    /// Compressor and gate.
    Dynamics,
    /// Sends and output (the effect on returns, the limiter on the master).
    Routing,
}
