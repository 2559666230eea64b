//! The classroom in the page: the lesson panel beside the mixer, and the "Lessons" dialog with
//! the built-in lessons, the lesson link and the class view, and teach mode.

mod class_view;
mod compare;
mod goals;
mod hand_in;
mod live;
mod menu;
mod panel;
mod teach;

pub use compare::Comparing;
pub use menu::LessonsButton;
pub use panel::LessonPanel;
pub use teach::TeachButton;
