# Profile-guided optimisation (PGO) of the Python extension, shared by scripts/test-python and
# scripts/release. Source it from the repository's root, then:
#
#   pgo_python_train         builds the extension instrumented (-Cprofile-generate) as a wheel
#                            for this machine's own target, installs it into a scratch virtual
#                            environment, runs bindings/python/pgo/train.py (the simulation on
#                            the example scenarios, the router on the example encounters),
#                            merges the counts with the toolchain's llvm-profdata and checks the
#                            profile covers the core. It then sets, for the final build:
#                              pgo_rustflags  RUSTFLAGS with -Cprofile-use=PROFILE added
#                              pgo_target     the target triple the profile is good for
#                            Both are empty when PGO cannot be had here.
#   pgo_python_check_used    after the final build: fails unless cargo compiled the extension
#                            with -Cprofile-use of this profile (read from cargo's fingerprint).
#
# The final build must be for $pgo_target and pass it as --target (or CARGO_BUILD_TARGET): a
# profile matches only the code it was trained on, for one target, and with a target given,
# RUSTFLAGS reaches neither build scripts nor proc-macros, which then are compiled once for
# both builds. Wheels for other targets (the aarch64 release wheel) are built without PGO.
#
# llvm-profdata must be the toolchain's (the llvm-tools component: rustup adds it when missing);
# a system llvm-profdata reads a different profile format. When it cannot be had (no rustup,
# offline), one line says so and the build goes on without PGO, unless OFFRAMP_REQUIRE_PGO=1
# (the test command sets it), under which that is a failure.
#
# Work files go under ${CARGO_TARGET_DIR:-target}/pgo-python/: the instrumented wheel, the
# scratch virtual environment, the raw counts, merged.profdata and train.log.

pgo_python_train() {
    pgo_rustflags=""
    pgo_target=""
    local target_dir host sysroot profdata
    target_dir="$(realpath -m "${CARGO_TARGET_DIR:-target}")"
    pgo_dir="$target_dir/pgo-python"
    host="$(rustc -vV | sed -n 's/^host: //p')"
    sysroot="$(rustc --print sysroot)"
    profdata="$sysroot/lib/rustlib/$host/bin/llvm-profdata"
    if [ ! -x "$profdata" ] && command -v rustup >/dev/null; then
        echo "== pgo: adding the llvm-tools component (llvm-profdata)"
        rustup component add llvm-tools >/dev/null 2>&1 || true
    fi
    if [ ! -x "$profdata" ]; then
        if [ "${OFFRAMP_REQUIRE_PGO:-}" = 1 ]; then
            echo "pgo: llvm-profdata of the Rust toolchain is missing ($profdata) and OFFRAMP_REQUIRE_PGO=1" >&2
            exit 1
        fi
        echo "== pgo: NO PGO: the toolchain's llvm-profdata is missing (rustup component add llvm-tools); building the extension without a profile"
        return 0
    fi
    case "$pgo_dir" in *[[:space:]]*)
        echo "pgo: the target folder's path ($pgo_dir) has a space, which RUSTFLAGS cannot carry" >&2
        exit 1
        ;;
    esac

    local began=$SECONDS root="$PWD"
    local python="${PYTHON:-python3}" venv="$pgo_dir/venv"
    mkdir -p "$pgo_dir"
    if [ ! -x "$venv/bin/python" ]; then
        "$python" -m venv "$venv"
    fi
    echo "== pgo: the instrumented extension (-Cprofile-generate, --target $host)"
    rm -rf "$pgo_dir/raw" "$pgo_dir/instrumented"
    CARGO_BUILD_TARGET="$host" \
        RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }-Cprofile-generate=$pgo_dir/raw" \
        "$venv/bin/python" -m pip wheel --quiet --no-deps -w "$pgo_dir/instrumented" ./bindings/python
    local wheel
    wheel="$(ls "$pgo_dir"/instrumented/offramp-*.whl)"
    "$venv/bin/python" -m pip install --quiet "$wheel"
    "$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps "$wheel"
    # Counts written while building (none are expected: build scripts are not instrumented
    # when a target is given) would not be the workload's.
    rm -rf "$pgo_dir/raw"
    echo "== pgo: training (bindings/python/pgo/train.py)"
    # From outside the source tree, so that `import offramp` is the instrumented wheel's.
    (cd "$pgo_dir" && "$venv/bin/python" "$root/bindings/python/pgo/train.py") 2>&1 |
        tee "$pgo_dir/train.log" | sed 's/^/   /'
    local raw
    raw="$(find "$pgo_dir/raw" -name '*.profraw' -size +0 2>/dev/null | wc -l)"
    if [ "$raw" -eq 0 ]; then
        echo "pgo: the training wrote no counts under $pgo_dir/raw" >&2
        exit 1
    fi
    rm -f "$pgo_dir/merged.profdata"
    "$profdata" merge -o "$pgo_dir/merged.profdata" "$pgo_dir/raw"
    # The profile must cover the simulation engine and the router of the core, with counts.
    local top
    top="$("$profdata" show --topn=200 "$pgo_dir/merged.profdata")"
    local functions
    functions="$(echo "$top" | sed -n 's/^Total functions: //p')"
    if ! echo "$top" | grep -q 'offramp.*sim' || ! echo "$top" | grep -q 'offramp.*route'; then
        echo "$top" | head -40 >&2
        echo "pgo: the profile's hottest functions include none of the core's simulation or router" >&2
        exit 1
    fi
    pgo_rustflags="${RUSTFLAGS:+$RUSTFLAGS }-Cprofile-use=$pgo_dir/merged.profdata"
    pgo_target="$host"
    echo "   profile: $pgo_dir/merged.profdata ($raw raw files, $functions functions, $(du -k "$pgo_dir/merged.profdata" | cut -f1) KB; $((SECONDS - began)) s)"
}

# Fails unless the newest build of the extension for $pgo_target (profile release-bindings)
# was compiled with -Cprofile-use of the profile: cargo records each unit's RUSTFLAGS in its
# fingerprint. Does nothing when pgo_python_train found no PGO.
pgo_python_check_used() {
    [ -n "$pgo_rustflags" ] || return 0
    local target_dir fingerprint
    target_dir="$(realpath -m "${CARGO_TARGET_DIR:-target}")"
    fingerprint="$(ls -t "$target_dir/$pgo_target"/release-bindings/.fingerprint/offramp-python-*/lib-_offramp.json 2>/dev/null | head -1)"
    if [ -z "$fingerprint" ]; then
        echo "pgo: no build of the extension for $pgo_target under $target_dir" >&2
        exit 1
    fi
    if ! grep -q -- "-Cprofile-use=$pgo_dir/merged.profdata" "$fingerprint"; then
        echo "pgo: the extension's last build ($fingerprint) did not use the profile" >&2
        exit 1
    fi
    echo "   the extension was built with -Cprofile-use=$pgo_dir/merged.profdata"
}
