# bash completion for chartscan: commands, their actions (db start, export
# fhir, ...) and options.  Installed by "make install" as
# PREFIX/share/bash-completion/completions/chartscan.
#
# The words come from the program's own --help texts, read when TAB is
# pressed (they need no database and take milliseconds), so the completion
# offers what the installed chartscan accepts and cannot fall behind it.

# The help text of "PROG ARGS... --help" (nothing when PROG cannot run).
_chartscan_help()
{
    local prog=$1
    shift
    "$prog" "$@" --help 2>/dev/null
}

# The commands: the two-space indented words of the overview.
_chartscan_commands()
{
    _chartscan_help "$1" | sed -n 's/^  \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\1/p' | sort -u
    echo help
}

# The actions of command $2 (db: start stop status): the first word after
# "chartscan CMD" in its usage lines and in the overview, split at "|", and
# any lowercase word after a lone "|" (users list | disable NAME | ...).
_chartscan_actions()
{
    local prog=$1 cmd=$2 words i
    {
        _chartscan_help "$prog" "$cmd" | sed -n "s/^.*chartscan $cmd \(.*\)$/\1/p"
        _chartscan_help "$prog" | sed -n "s/^  $cmd \(.*\)$/\1/p"
    } | sed 's/   .*//' | while read -r -a words; do
        case ${words[0]-} in
            [a-z]*) printf '%s\n' "${words[0]//|/ }" ;;
        esac
        for ((i = 1; i + 1 < ${#words[@]}; i++)); do
            if [ "${words[i]}" = "|" ]; then
                case ${words[i + 1]} in [a-z]*) printf '%s\n' "${words[i + 1]}" ;; esac
            fi
        done
    done | tr ' ' '\n' | grep -E '^[a-z][a-z0-9-]*$' | sort -u
}

# The options of "chartscan CMD [ACTION]" as its --help text names them.
_chartscan_options()
{
    _chartscan_help "$@" |
        grep -oE -- '(^|[^[:alnum:]_./-])--?[a-zA-Z][[:alnum:]-]*' |
        sed 's/^[^-]*//' | grep -E -- '^(--[a-z][[:alnum:]-]*[[:alnum:]]|-[a-zA-Z])$' | sort -u
}

_chartscan()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local prog=${COMP_WORDS[0]} cmd actions sub=
    COMPREPLY=()

    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$(_chartscan_commands "$prog") --help --version" -- "$cur"))
        return 0
    fi
    cmd=${COMP_WORDS[1]}
    if [ "$cmd" = help ]; then
        [ "$COMP_CWORD" -eq 2 ] &&
            COMPREPLY=($(compgen -W "$(_chartscan_commands "$prog")" -- "$cur"))
        return 0
    fi
    actions=$(_chartscan_actions "$prog" "$cmd")
    if [ -n "$actions" ] && [ "$COMP_CWORD" -eq 2 ] && [[ $cur != -* ]]; then
        COMPREPLY=($(compgen -W "$actions" -- "$cur"))
        return 0
    fi
    if [ -n "$actions" ] && [ "$COMP_CWORD" -gt 2 ]; then
        sub=${COMP_WORDS[2]}
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_chartscan_options "$prog" "$cmd" $sub)" -- "$cur"))
        return 0
    fi
    case $prev in
        --role) COMPREPLY=($(compgen -W "reviewer admin" -- "$cur")) ;;
        --out) COMPREPLY=($(compgen -f -- "$cur")) ;;
        # anything else: bash's default (file names) through -o default
    esac
    return 0
}

complete -o default -F _chartscan chartscan
