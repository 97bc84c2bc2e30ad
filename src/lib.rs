//! Shared helpers for the offramp scenario tests, examples and benchmarks.
