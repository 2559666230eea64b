//! The few browser APIs web-sys does not bind the way we need them.

use js_sys::{Float32Array, Promise};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// An `AudioBuffer` seen through the binding below.
    type ChannelDataSource;
    #[wasm_bindgen(method, js_name = getChannelData)]
    fn get_channel_data(this: &ChannelDataSource, channel: u32) -> Float32Array;

    /// An `OfflineAudioContext` seen through the binding below.
    type SuspendableContext;
    #[wasm_bindgen(method, catch)]
    fn suspend(this: &SuspendableContext, time_s: f64) -> Result<Promise, JsValue>;

    /// `crypto.subtle.digest`: a hash computed by the browser, off the page's wasm.
    #[wasm_bindgen(catch, js_namespace = ["crypto", "subtle"], js_name = digest)]
    fn subtle_digest(algorithm: &str, data: &js_sys::ArrayBuffer) -> Result<Promise, JsValue>;

    /// The global `crossOriginIsolated`: whether SharedArrayBuffer may be shared with the worklet.
    #[wasm_bindgen(thread_local_v2, js_name = crossOriginIsolated)]
    static CROSS_ORIGIN_ISOLATED: Option<bool>;
}

/// `AudioBuffer.getChannelData`, as a view instead of web-sys's copy into wasm memory.
pub fn channel_view(buffer: &web_sys::AudioBuffer, channel: u32) -> Float32Array {
    buffer
        .unchecked_ref::<ChannelDataSource>()
        .get_channel_data(channel)
}

/// `OfflineAudioContext.suspend(suspendTime)` (web-sys lacks it): resolves when rendering has
/// stopped at `time_s`, rounded down to a render quantum boundary.
pub fn suspend_at(context: &web_sys::OfflineAudioContext, time_s: f64) -> Result<Promise, JsValue> {
    context
        .unchecked_ref::<SuspendableContext>()
        .suspend(time_s)
}

/// Whether the page is cross-origin isolated (so the blocks can be SharedArrayBuffers).
pub fn cross_origin_isolated() -> bool {
    CROSS_ORIGIN_ISOLATED.with(|v| v.unwrap_or(false))
}

/// Resolves after `ms` milliseconds (a timer task: queued messages are handled first).
pub async fn sleep_ms(ms: i32) -> Result<(), JsValue> {
    let promise = Promise::new(&mut |resolve, _reject| {
        let scheduled = web_sys::window().is_some_and(|window| {
            window
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
                .is_ok()
        });
        if !scheduled {
            // No timer: resolve at once rather than never.
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    wasm_bindgen_futures::JsFuture::from(promise).await?;
    Ok(())
}

/// Gives the page's event loop one turn: resolves in a new task (a message on a
/// `MessageChannel`, which browsers do not throttle the way they clamp nested `setTimeout(0)`
/// to 4 ms), so rendering and input can run in between.
pub async fn yield_now() -> Result<(), JsValue> {
    let channel = web_sys::MessageChannel::new()?;
    let promise = Promise::new(&mut |resolve, _reject| {
        channel.port1().set_onmessage(Some(&resolve));
    });
    channel.port2().post_message(&JsValue::UNDEFINED)?;
    wasm_bindgen_futures::JsFuture::from(promise).await?;
    channel.port1().set_onmessage(None);
    Ok(())
}

/// Reads property `key` of `object`.
pub fn get(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Builds a plain object from key/value pairs.
pub fn object(entries: &[(&str, &JsValue)]) -> js_sys::Object {
    let object = js_sys::Object::new();
    for (key, value) in entries {
        js_sys::Reflect::set(&object, &JsValue::from_str(key), value)
            .expect("setting a property of a new plain object cannot fail");
    }
    object
}

/// A JS error value with `message`.
pub fn error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

/// The SHA-256 of `bytes` as 64 lower-case hex digits (`crypto.subtle`; the page is a secure
/// context on localhost and https).
pub async fn sha256_hex(bytes: &js_sys::ArrayBuffer) -> Result<String, JsValue> {
    let digest = wasm_bindgen_futures::JsFuture::from(subtle_digest("SHA-256", bytes)?).await?;
    let digest = js_sys::Uint8Array::new(&digest).to_vec();
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// A readable message from a JS error value.
pub fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}
