//! Input handling: numeric column views, validation, and the encoding of sensitive and control
//! features into cell indices. Validation happens here, once.

pub mod column;
pub mod encode;
pub mod groups;
pub mod validate;

pub use column::Column;
pub use groups::{Feature, GroupLayout};
