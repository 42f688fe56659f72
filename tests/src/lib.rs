//! End-to-end tests live in `tests/it`. This library holds what the examples' tests share:
//! [`html`] reads forms as a browser would, [`shell`] runs the shell blocks of the README and
//! the guide as a terminal would, [`net`] hands out ports, [`stub`] serves documents a server
//! under test fetches.

pub mod html;
pub mod net;
pub mod shell;
pub mod stub;
