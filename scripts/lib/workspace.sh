# Reading the workspace's shared package fields (Cargo.toml, [workspace.package]), for the
# scripts that stamp artefacts with them. Source it from the repository's root.

# Prints FIELD's string value from [workspace.package] (`version`, `repository`, `license`),
# or fails naming the field when there is none.
workspace_field() {
    local value
    value="$(sed -n "/^\[workspace.package\]/,/^\[/s/^$1 *= *\"\([^\"]*\)\".*/\1/p" Cargo.toml)"
    if [ -z "$value" ]; then
        echo "no $1 in Cargo.toml's [workspace.package]" >&2
        return 1
    fi
    printf '%s\n' "$value"
}
