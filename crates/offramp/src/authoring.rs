//! Tools for the people who write programs: running scenario files against a program
//! (`scenarios`), comparing two versions of a program (`diff`), and analysing a program, or
//! the programs of one jurisdiction, for gaps, overlaps and rules that can never admit
//! (`analysis`), with the Sequential Intercept Model map drawn from that analysis (`map`).
//!
//! Each tool works on loaded programs and routers; the command and the bindings only read
//! files and print what these return.

pub mod analysis;
pub mod diff;
pub mod encounters;
pub mod map;
pub mod scenarios;
