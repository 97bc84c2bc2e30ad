# Sourced by scripts/test-kotlin and scripts/release: finds or installs what compiling and
# running the Kotlin bindings needs, and sets
#   jna         Debian's JNA jar (libjna-java)
#   kotlinc     the Kotlin compiler (npm's kotlin-compiler, in bindings/uniffi/.tools/, git-ignored)
#   kotlin_lib  the compiler's lib/ folder (kotlin-stdlib.jar)
#   kotlin_stdlib_version, jna_version
# It also defines `skip` (loud; a failure under CI=true) and `apt_install`. The caller sets
# `tool_part` (the name printed in messages) and `root` (the repository).

skip() {
    echo "!!" >&2
    echo "!! ${tool_part:-kotlin}: SKIPPED: $*" >&2
    echo "!!" >&2
    if [ "${CI:-}" = "true" ]; then
        echo "${tool_part:-kotlin}: CI=true, so a skip is a failure" >&2
        exit 1
    fi
    exit 0
}

apt_install() {
    local what="$1"
    shift
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        skip "$what is missing and cannot be installed here (needs root and apt-get: apt-get install $*)"
    fi
    if [ -z "${apt_updated:-}" ]; then
        apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

kotlin_version="${OFFRAMP_KOTLIN_VERSION:-2.4}"
command -v java >/dev/null && command -v jar >/dev/null && command -v javac >/dev/null ||
    apt_install "a JDK (java, javac, jar)" openjdk-17-jdk-headless
command -v npm >/dev/null || apt_install npm npm
jna=/usr/share/java/jna.jar
[ -f "$jna" ] || apt_install JNA libjna-java
jna_version="$(readlink -f "$jna" | sed 's/.*jna-\(.*\)\.jar/\1/')"

kotlin_tools="$root/bindings/uniffi/.tools/kotlin"
kotlinc="$kotlin_tools/node_modules/kotlin-compiler/bin/kotlinc"
if [ ! -x "$kotlinc" ]; then
    mkdir -p "$kotlin_tools"
    (cd "$kotlin_tools" && npm install --silent --no-audit --no-fund --no-save "kotlin-compiler@$kotlin_version")
    # The npm package may nest the distribution under package/.
    for k in "$kotlin_tools"/node_modules/kotlin-compiler/bin/kotlinc "$kotlin_tools"/node_modules/kotlin-compiler/package/bin/kotlinc; do
        [ -f "$k" ] && kotlinc="$k"
    done
    chmod +x "$(dirname "$kotlinc")"/* 2>/dev/null || true
fi
[ -x "$kotlinc" ] || { echo "${tool_part:-kotlin}: kotlinc was not found after npm install" >&2; exit 1; }
kotlin_lib="$(dirname "$(dirname "$kotlinc")")/lib"
kotlin_stdlib_version="$(python3 -c '
import sys, zipfile
manifest = zipfile.ZipFile(sys.argv[1]).read("META-INF/MANIFEST.MF").decode()
print(next((l.split(":", 1)[1].strip() for l in manifest.splitlines() if l.startswith("Implementation-Version:")), ""))
' "$kotlin_lib/kotlin-stdlib.jar")"
[ -n "$kotlin_stdlib_version" ] || { echo "${tool_part:-kotlin}: no version in kotlin-stdlib.jar" >&2; exit 1; }
