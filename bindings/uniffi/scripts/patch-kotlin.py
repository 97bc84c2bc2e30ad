#!/usr/bin/env python3
"""Makes the Kotlin that uniffi-bindgen 0.32 generates cheaper to call, without changing its API.

    patch-kotlin.py FILE.kt

uniffi's Kotlin makes every call into Rust with a fresh call status, a JNA `Structure`: JNA
allocates its native memory, registers it with a cleaner, writes every field before the call
and reads every field back after it, through reflection. A `route` makes four such calls (the
object's handle, the argument's buffer, the call, freeing the answer), and the statuses alone
cost more than routing. This patch gives each thread one status, reused, that JNA does not
copy field by field: the code is cleared and read as one byte, and only a failed call reads
the whole status (into a status of its own, so that the calls made while its error is lifted
may reuse the thread's).

The patch replaces one function of uniffi's template by its exact text; if uniffi changes it,
this script fails instead of guessing (uniffi is pinned in bindings/uniffi/Cargo.toml).
"""

import sys

ORIGINAL = """private inline fun <U, E: kotlin.Exception> uniffiRustCallWithError(errorHandler: UniffiRustCallStatusErrorHandler<E>, callback: (UniffiRustCallStatus) -> U): U {
    var status = UniffiRustCallStatus()
    val return_value = callback(status)
    uniffiCheckCallStatus(errorHandler, status)
    return return_value
}
"""

PATCHED = """// offramp: one call status per thread, reused and not copied by JNA field by field
// (bindings/uniffi/scripts/patch-kotlin.py says why).
private object UniffiThreadCallStatus : ThreadLocal<UniffiRustCallStatus>() {
    override fun initialValue(): UniffiRustCallStatus =
        UniffiRustCallStatus().also { it.setAutoSynch(false) }
}

private inline fun <U, E: kotlin.Exception> uniffiRustCallWithError(errorHandler: UniffiRustCallStatusErrorHandler<E>, callback: (UniffiRustCallStatus) -> U): U {
    val status = UniffiThreadCallStatus.get()
    status.pointer.setByte(0, UNIFFI_CALL_SUCCESS)
    val return_value = callback(status)
    if (status.pointer.getByte(0) == UNIFFI_CALL_SUCCESS) {
        return return_value
    }
    status.read()
    val failed = UniffiRustCallStatus()
    failed.code = status.code
    failed.error_buf = RustBuffer.create(
        status.error_buf.capacity.toULong(), status.error_buf.len.toULong(), status.error_buf.data
    )
    uniffiCheckCallStatus(errorHandler, failed)
    return return_value
}
"""


def main() -> None:
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if text.count(ORIGINAL) != 1:
        sys.exit(
            f"patch-kotlin: {path} does not hold uniffi 0.32's uniffiRustCallWithError exactly once; "
            "update bindings/uniffi/scripts/patch-kotlin.py for this uniffi version"
        )
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(ORIGINAL, PATCHED))


if __name__ == "__main__":
    main()
