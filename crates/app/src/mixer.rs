//! The UI's model of the mix: a reactive value per parameter of every strip on screen, written
//! through to the engine's parameter block.

use std::rc::Rc;

use leptos::prelude::*;
use mixroom_protocol::params::{ParamId, PARAMS};
use mixroom_protocol::session::{Session, Strip};
use mixroom_protocol::strips::StripIndex;

use crate::audio::AudioBridge;

/// One strip on screen.
#[derive(Clone, Debug)]
pub struct StripModel {
    /// Which strip.
    pub strip: StripIndex,
    /// Name shown on the strip.
    pub name: String,
    values: [RwSignal<f32>; PARAMS.len()],
}

impl StripModel {
    /// A strip showing the values of `settings`.
    pub fn new(strip: StripIndex, name: String, settings: &Strip) -> StripModel {
        StripModel {
            strip,
            name,
            values: PARAMS.map(|p| RwSignal::new(settings.value(p.id))),
        }
    }

    /// The reactive value of `param`.
    pub fn value(&self, param: ParamId) -> RwSignal<f32> {
        self.values[param as usize]
    }
}

/// Every strip of a session: its tracks, then the master.
pub fn strip_models(session: &Session) -> (Vec<StripModel>, StripModel) {
    let tracks = session
        .tracks
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            Some(StripModel::new(
                StripIndex::track(i)?,
                t.name.clone(),
                &t.strip,
            ))
        })
        .collect();
    let master = StripModel::new(StripIndex::MASTER, "Master".to_owned(), &session.master);
    (tracks, master)
}

/// The handle components use to change the mix and drive the transport.
#[derive(Clone, Copy)]
pub struct Mixer {
    bridge: StoredValue<Option<Rc<AudioBridge>>, LocalStorage>,
}

impl Mixer {
    /// A mixer driving `bridge` (or nothing, when the engine could not be created).
    pub fn new(bridge: Option<Rc<AudioBridge>>) -> Mixer {
        Mixer {
            bridge: StoredValue::new_local(bridge),
        }
    }

    /// Runs `f` with the bridge, if there is one.
    pub fn with_bridge<R>(&self, f: impl FnOnce(&Rc<AudioBridge>) -> R) -> Option<R> {
        self.bridge.with_value(|b| b.as_ref().map(f))
    }

    /// Sets `param` of `strip` (made valid first), on screen and in the engine.
    pub fn set(&self, strip: &StripModel, param: ParamId, value: f32) {
        let value = param.spec().sanitize(value);
        strip.value(param).set(value);
        self.with_bridge(|b| b.set_param(param.slot(strip.strip), value));
    }
}
