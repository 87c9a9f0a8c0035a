//! One file per API area, each exposing `configure(cfg)`. Handlers only
//! extract, call the domain ([`copmatch_core::CopMatch`]) and convert.

pub mod admin;
pub mod communities;
pub mod health;
pub mod openapi;
pub mod recommendations;
pub mod submissions;
pub mod users;
pub mod web;
