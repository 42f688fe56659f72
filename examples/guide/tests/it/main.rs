//! docs/guide.md, tested: its files are this crate's (`blocks`), its commands run against the
//! built app as a newcomer runs them (`walkthrough`), its PostgreSQL schema holds the same
//! models (`postgres`).

mod blocks;
mod postgres;
mod walkthrough;
