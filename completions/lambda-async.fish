function __lambda-async_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __lambda-async_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __lambda-async_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __lambda-async_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __lambda-async_parse_tokens -S
    set -l unparsed_tokens (__lambda-async_tokens -pc)
    switch $unparsed_tokens[1]
    case 'lambda-async'
        __lambda-async_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'compare'
            __lambda-async_parse_subcommand 0 'strategy=+' 'dimension=+' 'platform=' 'sources' 'format=' 'width=' 'measure' 'language=' 'sync-ms=' 'task-ms=' 'memory=' 'arch=' 'invocations=' 'region=' 'version' 'h/help'
        case 'recommend'
            __lambda-async_parse_subcommand 0 'language=' 'front-door=' 'must-complete' 'response-size=' 'task-payload-size=' 'task-duration=' 'waits-for-callback' 'platform=' 'format=' 'width=' 'version' 'h/help'
        case 'new'
            __lambda-async_parse_subcommand 1 'strategy=' 'language=' 'variant=' 'name=' 'runtime=' 'arch=' 'memory=' 'timeout=' 'public' 'powertools' 'idempotency' 'platform=' 'list' 'dry-run' 'force' 'format=' 'version' 'h/help'
        case 'package'
            __lambda-async_parse_subcommand 1 'function=' 'layer=' 'layer-kind=' 'bootstrap=' 'swift-product=' 'swift-sdk=' 'runtime=' 'handler=' 'arch=' 'o/output=' 'exclude=+' 'force' 'format=' 'version' 'h/help'
        case 'inspect'
            __lambda-async_parse_subcommand 1 'as=' 'runtime=' 'handler=' 'arch=' 'format=' 'version' 'h/help'
        case 'invoke'
            __lambda-async_parse_subcommand 1 'function=' 'event=' 'code=' 'runtime=' 'handler=' 'layer=+' 'timeout=' 'memory=' 'env=+' 'env-vars=' 'parameter=+' 'isolation=' 'no-cpu-limit' 'aws-credentials' 'aws-endpoint-url=' 'platform=' 'tenant-id=' 'repeat=' 'idle=' 'no-freeze' 'output=' 'listen' 'port=' 'report=' 'version' 'h/help'
        case 'serve'
            __lambda-async_parse_subcommand 1 'port=' 'host=' 'concurrency=' 'idle-timeout=' 'retry-delay=' 'env=+' 'env-vars=' 'parameter=+' 'isolation=' 'no-cpu-limit' 'aws-credentials' 'aws-endpoint-url=' 'platform=' 'no-freeze' 'no-reload' 'version' 'h/help'
        case 'resources'
            __lambda-async_parse_subcommand 1 'format=' 'version' 'h/help'
        case 'event'
            __lambda-async_parse_subcommand 1 'list' 'body=' 'method=' 'path=' 'bucket=' 'key=' 'event-source=' 'detail-type=' 'detail=' 'region=' 'version' 'h/help'
        case 'deploy'
            __lambda-async_parse_subcommand 1 'stage=' 'stack-name=' 'region=' 'profile=' 'parameter=+' 'tag=+' 'bucket=' 'yes' 'no-execute' 'on-failure=' 'replace-failed' 'via=' 'delete' 'format=' 'version' 'h/help'
        case 'help'
            __lambda-async_parse_subcommand -r 1 'version'
        end
    end
end

function __lambda-async_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __lambda-async_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __lambda-async_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __lambda-async_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__lambda-async_tokens -p)
    if test -z "$(__lambda-async_tokens -t)"
        set -l index (count (__lambda-async_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'lambda-async' -f
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async" version' -l 'version' -d 'Show the version.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async" -eq 1' -fa 'compare' -d 'Print the comparison of the strategies: the four classic ones and durable functions.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async" -eq 1' -fa 'recommend' -d 'Pick a strategy for your situation, with the reasons.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async" -eq 1' -fa 'new' -d 'Generate a complete, deployable project for a strategy.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async" -eq 1' -fa 'package' -d 'Build reproducible function, layer and bootstrap zips.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async" -eq 1' -fa 'inspect' -d 'List a zip\'s entries and run Lambda\'s checks on it, whatever tool built it.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async" -eq 1' -fa 'invoke' -d 'Run a function locally the way Lambda does: freeze included, timed.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async" -eq 1' -fa 'serve' -d 'Serve every function of a project locally: Lambda\'s Invoke API, asynchronous invocation, function URLs.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async" -eq 1' -fa 'resources' -d 'Show what a project\'s queues, tables, topics and buckets hold in the local AWS of invoke and serve.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async" -eq 1' -fa 'event' -d 'Print a sample event of a common event source, as Lambda delivers it.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async" -eq 1' -fa 'deploy' -d 'Deploy the project to AWS through a CloudFormation change set, and verify the code it runs.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async compare"' -l 'strategy' -d 'Show only this strategy (repeatable).' -rfka 'async-invoke streaming extension custom-runtime durable'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async compare"' -l 'dimension' -d 'Show only this dimension (repeatable).' -rfka 'how-it-works complexity artifacts cost task-start limits benefits retries'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async compare" platform' -l 'platform' -d 'Where the functions run: lambda (Lambda\'s default) or managed-instances (Lambda Managed Instances: what becomes of each strategy there).' -rfka 'lambda managed-instances'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async compare" sources' -l 'sources' -d 'List the pages every fact shown rests on, and when the facts were checked against them.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async compare" format' -l 'format' -d 'Output format: table (for people), markdown (for documents) or json (for scripts).' -rfka 'table markdown json'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async compare" width' -l 'width' -d 'Wrap table output to this many columns (default: the terminal\'s width, or 100 when not a terminal).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async compare" measure' -l 'measure' -d 'Measure each strategy in the local runner with a workload (see the options below).'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async compare" language' -l 'language' -d 'With --measure: python or node (a strategy the language cannot run locally uses the other).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async compare" sync-ms' -l 'sync-ms' -d 'With --measure: work before the response, in ms.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async compare" task-ms' -l 'task-ms' -d 'With --measure: the task after the response, in ms.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async compare" memory' -l 'memory' -d 'With --measure: memory in MB, for the cost.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async compare" arch' -l 'arch' -d 'With --measure: the architecture, for the cost.' -rfka 'x86_64 arm64'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async compare" invocations' -l 'invocations' -d 'With --measure: calls per strategy.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async compare" region' -l 'region' -d 'With --measure: the region whose prices apply.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async compare" version' -l 'version' -d 'Show the version.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async compare" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async recommend" language' -l 'language' -d 'The function\'s language: python, node, java, dotnet, ruby, or any other name.' -rfka 'python node java dotnet ruby'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async recommend" front-door' -l 'front-door' -d 'How callers reach the function.' -rfka 'function-url api-gateway-rest api-gateway-http sdk event-source'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async recommend" must-complete' -l 'must-complete' -d 'The task must finish even when it fails (for example, a database may be unreachable).'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async recommend" response-size' -l 'response-size' -d 'Largest response the caller receives (e.g. 8MB).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async recommend" task-payload-size' -l 'task-payload-size' -d 'Largest input the background task needs (e.g. 300KB).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async recommend" task-duration' -l 'task-duration' -d 'How long the task may run: seconds, or with s, m, h (e.g. 20m); past 15 minutes only a durable execution fits.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async recommend" waits-for-callback' -l 'waits-for-callback' -d 'The task waits for a person or another system (an approval, a webhook): a durable callback waits without paying for compute.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async recommend" platform' -l 'platform' -d 'Where the function runs: lambda (Lambda\'s default) or managed-instances (Lambda Managed Instances, where nothing is frozen).' -rfka 'lambda managed-instances'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async recommend" format' -l 'format' -d 'Output format: table (for people), markdown (for documents) or json (for scripts).' -rfka 'table markdown json'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async recommend" width' -l 'width' -d 'Wrap table output to this many columns (default: the terminal\'s width, or 100 when not a terminal).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async recommend" version' -l 'version' -d 'Show the version.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async recommend" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async new" -eq 1' -fa '(__lambda-async_complete_directories)'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async new" strategy' -l 'strategy' -d 'The strategy to generate.' -rfka 'async-invoke streaming extension custom-runtime durable'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async new" language' -l 'language' -d 'The language of the functions.' -rfka 'python node'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async new" variant' -l 'variant' -d 'With --strategy extension: internal (a thread; Python\'s default) or external (a process in a layer).' -rfka 'internal external'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async new" name' -l 'name' -d 'The project\'s name (default: the folder\'s name).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async new" runtime' -l 'runtime' -d 'The Lambda runtime (default: python3.14 or nodejs24.x).' -rfka 'python3.14 python3.13 python3.12 python3.11 python3.10 python3.9 nodejs24.x nodejs22.x nodejs20.x nodejs18.x provided.al2023 provided.al2 java25 java21 java17 java11 java8.al2 dotnet10 dotnet8 ruby3.4 ruby3.3 ruby3.2'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async new" arch' -l 'arch' -d 'The instruction set written into the template; arm64 costs about 20% less per GB-second than x86_64, Lambda\'s own default for a function that names none.' -rfka 'x86_64 arm64'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async new" memory' -l 'memory' -d 'Memory in MB (128-10240).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async new" timeout' -l 'timeout' -d 'Timeout in seconds (1-900); it covers the task too.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async new" public' -l 'public' -d 'Make function URLs public (AuthType NONE) instead of requiring signed requests (AWS_IAM).'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async new" powertools' -l 'powertools' -d 'Log through Powertools for AWS Lambda, added from its public layer (the version current as of 2025-11); the standard library\'s logger writes where the layer is absent: its tests, the local runner.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async new" idempotency' -l 'idempotency' -d 'Add a DynamoDB table that keeps a task from running twice for one task id, across every execution environment (without it, each environment remembers only its own tasks).'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async new" platform' -l 'platform' -d 'Where the functions will run: lambda (Lambda\'s default) or managed-instances (Lambda Managed Instances); a strategy the platform cannot run is refused.' -rfka 'lambda managed-instances'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async new" list' -l 'list' -d 'Print the matrix of languages and strategies, with what each generates.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async new" dry-run' -l 'dry-run' -d 'Print the files that would be written, and write nothing.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async new" force' -l 'force' -d 'Write into a folder that is not empty (files of the same name are replaced).'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async new" format' -l 'format' -d 'Output format of --list and --dry-run: table (for people) or json (for scripts).' -rfka 'table json'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async new" version' -l 'version' -d 'Show the version.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async new" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async package" -eq 1' -fa '(__lambda-async_complete_directories)'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async package" function' -l 'function' -d 'Zip a function\'s code folder.' -rfa '(__lambda-async_complete_directories)'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async package" layer' -l 'layer' -d 'Zip a layer\'s folder.' -rfa '(__lambda-async_complete_directories)'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async package" layer-kind' -l 'layer-kind' -d 'With --layer: place the files under extensions/, python/ or nodejs/node_modules/.' -rfka 'extension python node'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async package" bootstrap' -l 'bootstrap' -d 'Zip one executable as bootstrap, for a provided.* runtime.' -rF
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async package" swift-product' -l 'swift-product' -d 'Build this executable of the Swift package here and zip it as bootstrap.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async package" swift-sdk' -l 'swift-sdk' -d 'With --swift-product: the Swift SDK to cross-compile with.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async package" runtime' -l 'runtime' -d 'With --function: the runtime, for its checks and dependencies (python3.14, python3.13, python3.12, ...).' -rfka 'python3.14 python3.13 python3.12 python3.11 python3.10 python3.9 nodejs24.x nodejs22.x nodejs20.x nodejs18.x provided.al2023 provided.al2 java25 java21 java17 java11 java8.al2 dotnet10 dotnet8 ruby3.4 ruby3.3 ruby3.2'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async package" handler' -l 'handler' -d 'With --function: the handler to check (app.handler, index.handler).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async package" arch' -l 'arch' -d 'With --function: the architecture dependencies are installed for; x86_64, as Lambda defaults to for a function that names none (a project uses the Architectures its template sets; `new` writes arm64).' -rfka 'x86_64 arm64'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async package" o output' -s 'o' -l 'output' -d 'The zip to write (direct modes), or the build folder (project mode).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'zip\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async package"' -l 'exclude' -d 'Leave out paths matching this glob (repeatable), besides .git, __pycache__, *.pyc, .DS_Store and .lambda-async.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async package" force' -l 'force' -d 'Rebuild even when no input changed.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async package" format' -l 'format' -d 'Output format: table (for people) or json (for scripts).' -rfka 'table json'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async package" version' -l 'version' -d 'Show the version.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async package" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async inspect" -eq 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'zip\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async inspect" as' -l 'as' -d 'What the zip is for.' -rfka 'function layer bootstrap'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async inspect" runtime' -l 'runtime' -d 'The function\'s runtime, to check its entry point.' -rfka 'python3.14 python3.13 python3.12 python3.11 python3.10 python3.9 nodejs24.x nodejs22.x nodejs20.x nodejs18.x provided.al2023 provided.al2 java25 java21 java17 java11 java8.al2 dotnet10 dotnet8 ruby3.4 ruby3.3 ruby3.2'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async inspect" handler' -l 'handler' -d 'The function\'s handler, to check it exists.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async inspect" arch' -l 'arch' -d 'The function\'s architecture, which native code (ELF files) must be built for; without it, the files must at least agree.' -rfka 'x86_64 arm64'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async inspect" format' -l 'format' -d 'Output format: table (for people) or json (for scripts).' -rfka 'table json'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async inspect" version' -l 'version' -d 'Show the version.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async inspect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async invoke" -eq 1' -fa '(__lambda-async_complete_directories)'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" function' -l 'function' -d 'The function of the project to run (its logical ID).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" event' -l 'event' -d 'The event: a JSON file, or - for standard input (default: events/event.json of the project, or {}).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" code' -l 'code' -d 'Run this code (a folder or a zip) instead of a project\'s function.' -rF
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" runtime' -l 'runtime' -d 'With --code: the runtime (provided.al2023, python3.13, nodejs22.x, ...).' -rfka 'python3.14 python3.13 python3.12 python3.11 python3.10 python3.9 nodejs24.x nodejs22.x nodejs20.x nodejs18.x provided.al2023 provided.al2 java25 java21 java17 java11 java8.al2 dotnet10 dotnet8 ruby3.4 ruby3.3 ruby3.2'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" handler' -l 'handler' -d 'With --code: the handler (app.handler; ignored by provided.* runtimes).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke"' -l 'layer' -d 'With --code: a layer (folder or zip), unpacked into the sandbox\'s /opt (repeatable).' -rF
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" timeout' -l 'timeout' -d 'The function timeout in seconds (default: the template\'s, or 3).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" memory' -l 'memory' -d 'The memory size in MB (default: the template\'s, or 128).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke"' -l 'env' -d 'An environment variable for the function (repeatable); wins over --env-vars and the template.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" env-vars' -l 'env-vars' -d 'A JSON file of environment variables, as SAM CLI\'s --env-vars: {"Parameters": {...}} for every function, {"LogicalId": {...}} for one.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke"' -l 'parameter' -d 'A value for one of the template\'s Parameters, over its Default (repeatable), as sam\'s --parameter-overrides.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" isolation' -l 'isolation' -d 'auto: each sandbox is Lambda\'s environment (read-only /var/task, /opt, private /tmp, memory and CPU limits, cgroup freezer, non-root user) as far as this machine allows, and says once what is missing; strict: refuse to run without it; none: run on the host as is.' -rfka 'auto strict none'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" no-cpu-limit' -l 'no-cpu-limit' -d 'Give every function all the CPU it can use, instead of CPU in proportion to its memory (1,769 MB = one vCPU).'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" aws-credentials' -l 'aws-credentials' -d 'Hand the functions this shell\'s AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so their calls to other services reach your real account; without it they get placeholders and such calls fail.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" aws-endpoint-url' -l 'aws-endpoint-url' -d 'Send the functions\' calls to other AWS services to this endpoint (AWS_ENDPOINT_URL), for example moto\'s server or LocalStack; calls to Lambda still come to lambda-async.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" platform' -l 'platform' -d 'lambda (the template\'s own platform) or managed-instances: run every function as on Lambda Managed Instances (never frozen, up to its concurrency at once per environment), as a CapacityProviderConfig would.' -rfka 'lambda managed-instances'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" tenant-id' -l 'tenant-id' -d 'The tenant of a function with tenant isolation (TenancyConfig PER_TENANT), as the SDKs\' TenantId.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" repeat' -l 'repeat' -d 'Invoke this many times in one sandbox.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" idle' -l 'idle' -d 'Wait this long, frozen, between invocations.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" no-freeze' -l 'no-freeze' -d 'Never freeze the sandbox, to see what happens without Lambda\'s freeze.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" output' -l 'output' -d 'Write the function\'s response here instead of stdout.' -rF
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" listen' -l 'listen' -d 'Keep the sandbox and serve Lambda\'s Invoke API for it until interrupted (Ctrl-C), for SDKs, the AWS CLI and load tests.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" port' -l 'port' -d 'With --listen: the loopback port (default: a free one).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" report' -l 'report' -d 'Append one JSON object per invocation to this file.' -rF
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" version' -l 'version' -d 'Show the version.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async invoke" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async serve" -eq 1' -fa '(__lambda-async_complete_directories)'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async serve" port' -l 'port' -d 'The port to listen on.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async serve" host' -l 'host' -d 'The address to listen on; loopback unless you mean otherwise.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async serve" concurrency' -l 'concurrency' -d 'Execution environments per function at most (beyond, synchronous calls are throttled with 429 and events wait); default: Lambda\'s account quota of 1,000, capped by what half of this machine\'s memory holds.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async serve" idle-timeout' -l 'idle-timeout' -d 'Shut an environment down after it has been free this long, as Lambda reclaims idle ones (0 keeps them).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async serve" retry-delay' -l 'retry-delay' -d 'Scale of Lambda\'s retry delays for failed asynchronous events (1 and 2 minutes × this).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async serve"' -l 'env' -d 'An environment variable for the function (repeatable); wins over --env-vars and the template.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async serve" env-vars' -l 'env-vars' -d 'A JSON file of environment variables, as SAM CLI\'s --env-vars: {"Parameters": {...}} for every function, {"LogicalId": {...}} for one.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async serve"' -l 'parameter' -d 'A value for one of the template\'s Parameters, over its Default (repeatable), as sam\'s --parameter-overrides.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async serve" isolation' -l 'isolation' -d 'auto: each sandbox is Lambda\'s environment (read-only /var/task, /opt, private /tmp, memory and CPU limits, cgroup freezer, non-root user) as far as this machine allows, and says once what is missing; strict: refuse to run without it; none: run on the host as is.' -rfka 'auto strict none'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async serve" no-cpu-limit' -l 'no-cpu-limit' -d 'Give every function all the CPU it can use, instead of CPU in proportion to its memory (1,769 MB = one vCPU).'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async serve" aws-credentials' -l 'aws-credentials' -d 'Hand the functions this shell\'s AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so their calls to other services reach your real account; without it they get placeholders and such calls fail.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async serve" aws-endpoint-url' -l 'aws-endpoint-url' -d 'Send the functions\' calls to other AWS services to this endpoint (AWS_ENDPOINT_URL), for example moto\'s server or LocalStack; calls to Lambda still come to lambda-async.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async serve" platform' -l 'platform' -d 'lambda (the template\'s own platform) or managed-instances: run every function as on Lambda Managed Instances (never frozen, up to its concurrency at once per environment), as a CapacityProviderConfig would.' -rfka 'lambda managed-instances'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async serve" no-freeze' -l 'no-freeze' -d 'Never freeze the sandboxes.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async serve" no-reload' -l 'no-reload' -d 'Keep running the code the sandboxes started with; by default an edit makes the function\'s next invocation start cold with the new code.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async serve" version' -l 'version' -d 'Show the version.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async resources" -eq 1' -fa '(__lambda-async_complete_directories)'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async resources" format' -l 'format' -d 'Output format: table (for people) or json (for scripts).' -rfka 'table json'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async resources" version' -l 'version' -d 'Show the version.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async resources" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async event" -eq 1' -fka 'api-gateway-rest api-gateway-http function-url sqs sns s3 eventbridge scheduled dynamodb-streams kinesis'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async event" list' -l 'list' -d 'List the sources and the flags each takes.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async event" body' -l 'body' -d 'The payload: an HTTP body, an SQS message body, an SNS message, Kinesis data (encoded for you).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async event" method' -l 'method' -d 'The HTTP method (API Gateway, function URL).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async event" path' -l 'path' -d 'The request path (API Gateway, function URL).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async event" bucket' -l 'bucket' -d 'The bucket (S3).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async event" key' -l 'key' -d 'The object key (S3).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async event" event-source' -l 'event-source' -d 'The event\'s source (EventBridge), for example com.example.orders.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async event" detail-type' -l 'detail-type' -d 'The event\'s detail-type (EventBridge).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async event" detail' -l 'detail' -d 'The event\'s detail, a JSON object (EventBridge).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async event" region' -l 'region' -d 'The region in the event (SQS, SNS, S3, EventBridge, DynamoDB, Kinesis).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async event" version' -l 'version' -d 'Show the version.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async event" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_positional "lambda-async deploy" -eq 1' -fa '(__lambda-async_complete_directories)'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async deploy" stage' -l 'stage' -d 'A stage of the project\'s lambda-async.yaml: its stack (default PROJECT-STAGE), region, profile, bucket, parameters and tags; the options given here win.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async deploy" stack-name' -l 'stack-name' -d 'The stack\'s name (default: the project folder\'s name, or PROJECT-STAGE with --stage).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async deploy" region' -l 'region' -d 'The AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile\'s region).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async deploy" profile' -l 'profile' -d 'A profile of ~/.aws/config and ~/.aws/credentials.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async deploy"' -l 'parameter' -d 'A template parameter\'s value, KEY=VALUE (repeatable).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async deploy"' -l 'tag' -d 'A tag for the stack and its resources, KEY=VALUE (repeatable).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async deploy" bucket' -l 'bucket' -d 'The S3 bucket for the zips (default: lambda-async-artifacts-ACCOUNT-REGION, created once, private).' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async deploy" yes' -l 'yes' -d 'Execute without asking, even when resources are removed or replaced or IAM changes.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async deploy" no-execute' -l 'no-execute' -d 'Create the change set and leave it for review (exit 2).'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async deploy" on-failure' -l 'on-failure' -d 'When a new stack fails: rollback (CloudFormation\'s default), delete, or keep what was made.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async deploy" replace-failed' -l 'replace-failed' -d 'A stack in ROLLBACK_COMPLETE (its creation failed) is deleted, then created again.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async deploy" via' -l 'via' -d 'Hand the same packaged, uploaded template to `sam deploy` or `aws cloudformation deploy`; lambda-async still checks the live code afterwards.' -rfka ''
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async deploy" delete' -l 'delete' -d 'Delete the stack instead, wait, and name what CloudFormation kept.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async deploy" format' -l 'format' -d 'Output format: table (for people) or json (for scripts).' -rfka 'table json'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async deploy" version' -l 'version' -d 'Show the version.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async deploy" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'lambda-async' -n '__lambda-async_should_offer_completions_for_flags_or_options "lambda-async help" version' -l 'version' -d 'Show the version.'
