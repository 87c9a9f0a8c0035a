//! Harvesting: public community lists become catalog entries.
//!
//! A [`source::Source`] names a list, its format, its licence and how far it is
//! trusted. [`formats`] read each format into [`entry::RawEntry`]s (a name, a
//! link, a description, the headings it sat under). [`pipeline::harvest`] then
//! normalises each one (platform, language, cost), gives it fields from the
//! one [`fields::Taxonomy`], records its provenance, and merges it into a
//! [`dedup::Catalog`], where a community listed twice stays one entry.
//!
//! Nothing here reads the network or a store: callers bring the source's bytes
//! and take the resulting communities (the `copmatch harvest` command and the
//! scheduled harvest in `serve`).

pub mod dedup;
pub mod entry;
pub mod error;
pub mod fields;
pub mod formats;
pub mod normalize;
mod not_community;
pub mod pipeline;
pub mod source;
pub mod titles;

pub use error::HarvestError;
