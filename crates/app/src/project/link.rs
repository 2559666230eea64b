//! Share links: the whole mix in the address's fragment (`#mix=…`, see
//! `mixroom_protocol::link`). Nothing is uploaded anywhere.

use mixroom_protocol::link;
use mixroom_protocol::session::Source;

use super::Project;

/// A share link and what its recipient needs besides it.
#[derive(Clone, Debug, PartialEq)]
pub struct ShareLink {
    /// The address to send.
    pub url: String,
    /// Names of the local files the recipient will be asked to drop.
    pub local_files: Vec<String>,
}

/// The link to the mix as it is now.
pub fn share_link(project: Project) -> Result<ShareLink, String> {
    let session = project.mixer().snapshot().session;
    let location = web_sys::window().ok_or("there is no window")?.location();
    let origin = location.origin().map_err(|_| "the page has no address")?;
    let path = location.pathname().unwrap_or_default();
    let local_files = session
        .tracks
        .iter()
        .filter_map(|t| match &t.source {
            Source::File(file) => Some(file.name().to_owned()),
            _ => None,
        })
        .collect();
    Ok(ShareLink {
        url: format!(
            "{origin}{path}#{}{}",
            link::FRAGMENT_KEY,
            link::encode(&session)
        ),
        local_files,
    })
}
