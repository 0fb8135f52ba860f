# shellcheck shell=bash
# Sourced by the bench scripts: the command line a script was run with, for its report.
# Usage: CMDLINE=$(cmdline scripts/NAME.sh "$@") — the script's path, then each
# argument, quoted when it holds a space.
cmdline() {
    local out=$1 a
    shift
    for a in "$@"; do
        case "$a" in *" "*) out+=" \"$a\"" ;; *) out+=" $a" ;; esac
    done
    printf '%s\n' "$out"
}
