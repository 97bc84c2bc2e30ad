# Finding a CPython of a given version on this machine, for the scripts that check the abi3
# wheel under several interpreters. Source it from the repository's root.

# Prints the path of a CPython VERSION (`3.9`) on PATH or installed by pyenv, or nothing when
# this machine has none (they cannot be installed from the registries it reaches).
find_python() {
    local v="$1" p
    if "python$v" -c 'pass' >/dev/null 2>&1; then
        command -v "python$v"
        return
    fi
    for p in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$v".*/bin/"python$v"; do
        [ -x "$p" ] && { echo "$p"; return; }
    done
    return 0
}
