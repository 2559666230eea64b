//! The Leptos components of the page.

mod app;
mod channel_strip;
mod meter_board;
mod status;
mod transport_bar;

pub use app::App;
