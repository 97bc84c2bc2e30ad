//! Kotlin and Swift bindings for offramp: placeholder, filled in by the bindings issue.
