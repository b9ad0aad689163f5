//! Showroom: a static site generator for multi-brand used-car marketplaces.

pub mod config;
pub mod diagnostics;
pub mod feeds;
