//! mixroom-app: the Mixroom page (Leptos, client-side rendered) and its audio bridge.

mod analysis;
mod audio;
mod classroom;
mod ear;
mod export;
mod meters;
mod persist;
mod project;
mod state;
#[cfg(feature = "e2e")]
mod test_api;
mod text;
mod ui;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(ui::App);
}
