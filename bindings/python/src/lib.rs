//! Python bindings for offramp: placeholder, filled in by the Python issue.
