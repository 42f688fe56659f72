//! End-to-end tests live in `tests/it`. This library holds what the examples' tests share:
//! [`shell`], which runs the shell blocks of the README and the guide as a terminal would.

pub mod shell;
