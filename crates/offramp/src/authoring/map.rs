//! The Sequential Intercept Model gap map, drawn from an [`Analysis`](super::analysis::Analysis).
