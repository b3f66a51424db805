#!/bin/bash

__lambda-async_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__lambda-async_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__lambda-async_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__lambda-async_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_lambda-async() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __lambda-async_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    compare|recommend|new|package|inspect|invoke|serve|resources|event|deploy|help)
        # Offer subcommand argument completions
        "_lambda-async_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'compare recommend new package inspect invoke serve resources event deploy help' -- "${cur}"))
        ;;
    esac
}

_lambda-async_compare() {
    repeating_flags=()
    non_repeating_flags=(--sources --measure --version -h --help)
    repeating_options=(--strategy --dimension)
    non_repeating_options=(--platform --format --width --language --sync-ms --task-ms --memory --arch --invocations --region)
    __lambda-async_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--strategy')
        __lambda-async_add_completions -W 'async-invoke'$'\n''streaming'$'\n''extension'$'\n''custom-runtime'$'\n''durable'
        return
        ;;
    '--dimension')
        __lambda-async_add_completions -W 'how-it-works'$'\n''complexity'$'\n''artifacts'$'\n''cost'$'\n''task-start'$'\n''limits'$'\n''benefits'$'\n''retries'
        return
        ;;
    '--platform')
        __lambda-async_add_completions -W 'lambda'$'\n''managed-instances'
        return
        ;;
    '--format')
        __lambda-async_add_completions -W 'table'$'\n''markdown'$'\n''json'
        return
        ;;
    '--width')
        return
        ;;
    '--language')
        return
        ;;
    '--sync-ms')
        return
        ;;
    '--task-ms')
        return
        ;;
    '--memory')
        return
        ;;
    '--arch')
        __lambda-async_add_completions -W 'x86_64'$'\n''arm64'
        return
        ;;
    '--invocations')
        return
        ;;
    '--region')
        return
        ;;
    esac
}

_lambda-async_recommend() {
    repeating_flags=()
    non_repeating_flags=(--must-complete --waits-for-callback --version -h --help)
    repeating_options=()
    non_repeating_options=(--language --front-door --response-size --task-payload-size --task-duration --platform --format --width)
    __lambda-async_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--language')
        __lambda-async_add_completions -W 'python'$'\n''node'$'\n''java'$'\n''dotnet'$'\n''ruby'
        return
        ;;
    '--front-door')
        __lambda-async_add_completions -W 'function-url'$'\n''api-gateway-rest'$'\n''api-gateway-http'$'\n''sdk'$'\n''event-source'
        return
        ;;
    '--response-size')
        return
        ;;
    '--task-payload-size')
        return
        ;;
    '--task-duration')
        return
        ;;
    '--platform')
        __lambda-async_add_completions -W 'lambda'$'\n''managed-instances'
        return
        ;;
    '--format')
        __lambda-async_add_completions -W 'table'$'\n''markdown'$'\n''json'
        return
        ;;
    '--width')
        return
        ;;
    esac
}

_lambda-async_new() {
    repeating_flags=()
    non_repeating_flags=(--public --powertools --idempotency --list --dry-run --force --version -h --help)
    repeating_options=()
    non_repeating_options=(--strategy --language --variant --name --runtime --arch --memory --timeout --platform --format)
    __lambda-async_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--strategy')
        __lambda-async_add_completions -W 'async-invoke'$'\n''streaming'$'\n''extension'$'\n''custom-runtime'$'\n''durable'
        return
        ;;
    '--language')
        __lambda-async_add_completions -W 'python'$'\n''node'
        return
        ;;
    '--variant')
        __lambda-async_add_completions -W 'internal'$'\n''external'
        return
        ;;
    '--name')
        return
        ;;
    '--runtime')
        __lambda-async_add_completions -W 'python3.14'$'\n''python3.13'$'\n''python3.12'$'\n''python3.11'$'\n''python3.10'$'\n''python3.9'$'\n''nodejs24.x'$'\n''nodejs22.x'$'\n''nodejs20.x'$'\n''nodejs18.x'$'\n''provided.al2023'$'\n''provided.al2'$'\n''java25'$'\n''java21'$'\n''java17'$'\n''java11'$'\n''java8.al2'$'\n''dotnet10'$'\n''dotnet8'$'\n''ruby3.4'$'\n''ruby3.3'$'\n''ruby3.2'
        return
        ;;
    '--arch')
        __lambda-async_add_completions -W 'x86_64'$'\n''arm64'
        return
        ;;
    '--memory')
        return
        ;;
    '--timeout')
        return
        ;;
    '--platform')
        __lambda-async_add_completions -W 'lambda'$'\n''managed-instances'
        return
        ;;
    '--format')
        __lambda-async_add_completions -W 'table'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __lambda-async_add_completions -d
        return
        ;;
    esac
}

_lambda-async_package() {
    repeating_flags=()
    non_repeating_flags=(--force --version -h --help)
    repeating_options=(--exclude)
    non_repeating_options=(--function --layer --layer-kind --bootstrap --swift-product --swift-sdk --runtime --handler --arch -o --output --format)
    __lambda-async_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--function')
        __lambda-async_add_completions -d
        return
        ;;
    '--layer')
        __lambda-async_add_completions -d
        return
        ;;
    '--layer-kind')
        __lambda-async_add_completions -W 'extension'$'\n''python'$'\n''node'
        return
        ;;
    '--bootstrap')
        __lambda-async_add_completions -f
        return
        ;;
    '--swift-product')
        return
        ;;
    '--swift-sdk')
        return
        ;;
    '--runtime')
        __lambda-async_add_completions -W 'python3.14'$'\n''python3.13'$'\n''python3.12'$'\n''python3.11'$'\n''python3.10'$'\n''python3.9'$'\n''nodejs24.x'$'\n''nodejs22.x'$'\n''nodejs20.x'$'\n''nodejs18.x'$'\n''provided.al2023'$'\n''provided.al2'$'\n''java25'$'\n''java21'$'\n''java17'$'\n''java11'$'\n''java8.al2'$'\n''dotnet10'$'\n''dotnet8'$'\n''ruby3.4'$'\n''ruby3.3'$'\n''ruby3.2'
        return
        ;;
    '--handler')
        return
        ;;
    '--arch')
        __lambda-async_add_completions -W 'x86_64'$'\n''arm64'
        return
        ;;
    '-o'|'--output')
        __lambda-async_add_completions -o plusdirs -fX '!*.@(zip)'
        return
        ;;
    '--exclude')
        return
        ;;
    '--format')
        __lambda-async_add_completions -W 'table'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __lambda-async_add_completions -d
        return
        ;;
    esac
}

_lambda-async_inspect() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--as --runtime --handler --arch --format)
    __lambda-async_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--as')
        __lambda-async_add_completions -W 'function'$'\n''layer'$'\n''bootstrap'
        return
        ;;
    '--runtime')
        __lambda-async_add_completions -W 'python3.14'$'\n''python3.13'$'\n''python3.12'$'\n''python3.11'$'\n''python3.10'$'\n''python3.9'$'\n''nodejs24.x'$'\n''nodejs22.x'$'\n''nodejs20.x'$'\n''nodejs18.x'$'\n''provided.al2023'$'\n''provided.al2'$'\n''java25'$'\n''java21'$'\n''java17'$'\n''java11'$'\n''java8.al2'$'\n''dotnet10'$'\n''dotnet8'$'\n''ruby3.4'$'\n''ruby3.3'$'\n''ruby3.2'
        return
        ;;
    '--handler')
        return
        ;;
    '--arch')
        __lambda-async_add_completions -W 'x86_64'$'\n''arm64'
        return
        ;;
    '--format')
        __lambda-async_add_completions -W 'table'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __lambda-async_add_completions -o plusdirs -fX '!*.@(zip)'
        return
        ;;
    esac
}

_lambda-async_invoke() {
    repeating_flags=()
    non_repeating_flags=(--no-cpu-limit --aws-credentials --no-freeze --listen --version -h --help)
    repeating_options=(--layer --env --parameter)
    non_repeating_options=(--function --event --code --runtime --handler --timeout --memory --env-vars --isolation --aws-endpoint-url --platform --tenant-id --repeat --idle --output --port --report)
    __lambda-async_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--function')
        return
        ;;
    '--event')
        __lambda-async_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    '--code')
        __lambda-async_add_completions -f
        return
        ;;
    '--runtime')
        __lambda-async_add_completions -W 'python3.14'$'\n''python3.13'$'\n''python3.12'$'\n''python3.11'$'\n''python3.10'$'\n''python3.9'$'\n''nodejs24.x'$'\n''nodejs22.x'$'\n''nodejs20.x'$'\n''nodejs18.x'$'\n''provided.al2023'$'\n''provided.al2'$'\n''java25'$'\n''java21'$'\n''java17'$'\n''java11'$'\n''java8.al2'$'\n''dotnet10'$'\n''dotnet8'$'\n''ruby3.4'$'\n''ruby3.3'$'\n''ruby3.2'
        return
        ;;
    '--handler')
        return
        ;;
    '--layer')
        __lambda-async_add_completions -f
        return
        ;;
    '--timeout')
        return
        ;;
    '--memory')
        return
        ;;
    '--env')
        return
        ;;
    '--env-vars')
        __lambda-async_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    '--parameter')
        return
        ;;
    '--isolation')
        __lambda-async_add_completions -W 'auto'$'\n''strict'$'\n''none'
        return
        ;;
    '--aws-endpoint-url')
        return
        ;;
    '--platform')
        __lambda-async_add_completions -W 'lambda'$'\n''managed-instances'
        return
        ;;
    '--tenant-id')
        return
        ;;
    '--repeat')
        return
        ;;
    '--idle')
        return
        ;;
    '--output')
        __lambda-async_add_completions -f
        return
        ;;
    '--port')
        return
        ;;
    '--report')
        __lambda-async_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __lambda-async_add_completions -d
        return
        ;;
    esac
}

_lambda-async_serve() {
    repeating_flags=()
    non_repeating_flags=(--no-cpu-limit --aws-credentials --no-freeze --no-reload --version -h --help)
    repeating_options=(--env --parameter)
    non_repeating_options=(--port --host --concurrency --idle-timeout --retry-delay --env-vars --isolation --aws-endpoint-url --platform)
    __lambda-async_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--port')
        return
        ;;
    '--host')
        return
        ;;
    '--concurrency')
        return
        ;;
    '--idle-timeout')
        return
        ;;
    '--retry-delay')
        return
        ;;
    '--env')
        return
        ;;
    '--env-vars')
        __lambda-async_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    '--parameter')
        return
        ;;
    '--isolation')
        __lambda-async_add_completions -W 'auto'$'\n''strict'$'\n''none'
        return
        ;;
    '--aws-endpoint-url')
        return
        ;;
    '--platform')
        __lambda-async_add_completions -W 'lambda'$'\n''managed-instances'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __lambda-async_add_completions -d
        return
        ;;
    esac
}

_lambda-async_resources() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--format)
    __lambda-async_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--format')
        __lambda-async_add_completions -W 'table'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __lambda-async_add_completions -d
        return
        ;;
    esac
}

_lambda-async_event() {
    repeating_flags=()
    non_repeating_flags=(--list --version -h --help)
    repeating_options=()
    non_repeating_options=(--body --method --path --bucket --key --event-source --detail-type --detail --region)
    __lambda-async_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--body')
        return
        ;;
    '--method')
        return
        ;;
    '--path')
        return
        ;;
    '--bucket')
        return
        ;;
    '--key')
        return
        ;;
    '--event-source')
        return
        ;;
    '--detail-type')
        return
        ;;
    '--detail')
        return
        ;;
    '--region')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __lambda-async_add_completions -W 'api-gateway-rest'$'\n''api-gateway-http'$'\n''function-url'$'\n''sqs'$'\n''sns'$'\n''s3'$'\n''eventbridge'$'\n''scheduled'$'\n''dynamodb-streams'$'\n''kinesis'
        return
        ;;
    esac
}

_lambda-async_deploy() {
    repeating_flags=()
    non_repeating_flags=(--yes --no-execute --replace-failed --delete --version -h --help)
    repeating_options=(--parameter --tag)
    non_repeating_options=(--stage --stack-name --region --profile --bucket --on-failure --via --format)
    __lambda-async_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--stage')
        return
        ;;
    '--stack-name')
        return
        ;;
    '--region')
        return
        ;;
    '--profile')
        return
        ;;
    '--parameter')
        return
        ;;
    '--tag')
        return
        ;;
    '--bucket')
        return
        ;;
    '--on-failure')
        return
        ;;
    '--via')
        return
        ;;
    '--format')
        __lambda-async_add_completions -W 'table'$'\n''json'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __lambda-async_add_completions -d
        return
        ;;
    esac
}

_lambda-async_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __lambda-async_offer_flags_options -1
}

complete -o filenames -F _lambda-async lambda-async
