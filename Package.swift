// swift-tools-version:6.0
import PackageDescription

// One executable, kept thin, over one library module per capability.
// SwiftNIO is a dependency of the local runner's modules (LambdaAsyncEnvironment, LambdaAsyncService) only.
let package = Package(
    name: "lambda-async",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lambda-async", targets: ["lambda-async"]),
        .library(name: "LambdaAsyncCore", targets: ["LambdaAsyncCore"]),
        .library(name: "LambdaAsyncArchive", targets: ["LambdaAsyncArchive"]),
        .library(name: "LambdaAsyncProject", targets: ["LambdaAsyncProject"]),
        .library(name: "LambdaAsyncScaffold", targets: ["LambdaAsyncScaffold"]),
        .library(name: "LambdaAsyncEnvironment", targets: ["LambdaAsyncEnvironment"]),
        .library(name: "LambdaAsyncService", targets: ["LambdaAsyncService"]),
        .library(name: "LambdaAsyncAWS", targets: ["LambdaAsyncAWS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // SHA-256 of zips as they are written (CodeSha256), with the CPU's SHA instructions.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // deploy's HTTPS to AWS: event-driven (URLSession on Linux spins a core while it waits for an
        // answer), with connect and read timeouts of its own.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // libarchive from the system (Debian: libarchive-dev), found through pkg-config.
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"]), .brew(["libarchive"])]
        ),
        // The strategy catalog, Lambda's quotas, the recommender and the renderers of both.
        .target(name: "LambdaAsyncCore"),
        // A project as SAM describes it: functions, layers, their code and settings.
        .target(name: "LambdaAsyncProject", dependencies: ["LambdaAsyncCore", "Yams"]),
        // Project generation from the templates in Templates/, embedded as Swift source at build
        // time (EmbedFilesPlugin) so one copied binary still generates every project.
        .target(
            name: "LambdaAsyncScaffold",
            dependencies: ["LambdaAsyncCore", .product(name: "Mustache", package: "swift-mustache")],
            plugins: ["EmbedFilesPlugin"]
        ),
        // Build-time embedding of Templates/ and the runtime clients as Swift source.
        .executableTarget(name: "EmbedFiles", path: "Tools/EmbedFiles"),
        .plugin(name: "EmbedFilesPlugin", capability: .buildTool(), dependencies: ["EmbedFiles"]),
        // The Linux calls Swift's Glibc module does not show: a socket made inside an environment's
        // network namespace (setns), descriptors closed in a spawned child (addclosefrom_np).
        .target(name: "CSystemCalls"),
        // One execution environment, as Lambda runs it: its state machine, the Runtime, Extensions and
        // Telemetry APIs over SwiftNIO, the runtime and extension processes, freezing, timeouts, the
        // timeline of each invocation, and its confinement (namespaces, its own network, cgroups).
        .target(
            name: "LambdaAsyncEnvironment",
            dependencies: [
                "LambdaAsyncCore",
                "LambdaAsyncProject",
                // Zips: a function's code unpacked, and what `package` ships run at each cold start.
                "LambdaAsyncArchive",
                "CSystemCalls",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            // Embedded as Swift source by EmbedFilesPlugin at build time, not shipped as files.
            exclude: ["RuntimeClients"],
            plugins: ["EmbedFilesPlugin"]
        ),
        // The local Lambda service over the environments, its only public runner (LocalLambda): the
        // Invoke API, asynchronous invocation, function URLs, API Gateway routes, scaling, and the
        // mapping from a template's functions to runnable ones.
        .target(
            name: "LambdaAsyncService",
            dependencies: [
                "LambdaAsyncEnvironment",
                "LambdaAsyncCore",
                "LambdaAsyncProject",
                "LambdaAsyncArchive",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // `compare --measure`: each strategy's generated project timed in the local runner.
        .target(
            name: "LambdaAsyncMeasure",
            dependencies: ["LambdaAsyncCore", "LambdaAsyncProject", "LambdaAsyncScaffold", "LambdaAsyncEnvironment", "LambdaAsyncService", "LambdaAsyncArchive",
                           "LambdaAsyncResources", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]
        ),
        // Reproducible zips through libarchive, Lambda's packaging checks, and the packager.
        .target(name: "LambdaAsyncArchive", dependencies: [
            "CArchive", "LambdaAsyncCore", "LambdaAsyncProject", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // A small native AWS client for `deploy`: SigV4 (swift-crypto), the standard credential
        // chain, endpoints, retries; CloudFormation, S3, STS and Lambda calls.
        .target(name: "LambdaAsyncAWS", dependencies: [
            "LambdaAsyncCore", .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        // A project's queues, tables, topics and buckets in a local AWS (moto's server, started and
        // stopped here, or LocalStack): made, counted, shown, and the target of destination records.
        // And the durable executions' control plane (the Durable Execution SDK's testing runner), behind serve.
        .target(name: "LambdaAsyncResources", dependencies: ["LambdaAsyncAWS", "LambdaAsyncProject", "LambdaAsyncCore", "LambdaAsyncService"]),
        // `deploy`: the packaged project through a CloudFormation change set, verified.
        .target(name: "LambdaAsyncDeploy", dependencies: ["LambdaAsyncAWS", "LambdaAsyncArchive", "LambdaAsyncProject", "LambdaAsyncCore", "Yams"]),
        .executableTarget(
            name: "lambda-async",
            dependencies: [
                "LambdaAsyncCore",
                "LambdaAsyncArchive",
                "LambdaAsyncProject",
                "LambdaAsyncScaffold",
                "LambdaAsyncEnvironment",
                "LambdaAsyncService",
                "LambdaAsyncMeasure",
                "LambdaAsyncAWS",
                "LambdaAsyncDeploy",
                "LambdaAsyncResources",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Process running and independent zip readers shared by the test targets.
        .target(name: "TestSupport", dependencies: ["LambdaAsyncCore"], path: "Tests/TestSupport"),
        .testTarget(name: "LambdaAsyncCoreTests", dependencies: ["LambdaAsyncCore"]),
        .testTarget(name: "LambdaAsyncArchiveTests", dependencies: ["LambdaAsyncArchive", "TestSupport"]),
        .testTarget(name: "LambdaAsyncProjectTests", dependencies: ["LambdaAsyncProject"]),
        .testTarget(name: "LambdaAsyncEnvironmentTests", dependencies: [
            "LambdaAsyncEnvironment", "TestSupport",
            // The extension registry's rules answer promises: the tests make them on an embedded loop.
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "LambdaAsyncServiceTests", dependencies: [
            "LambdaAsyncService", "LambdaAsyncEnvironment", "TestSupport",
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "LambdaAsyncScaffoldTests", dependencies: ["LambdaAsyncScaffold", "TestSupport"]),
        .testTarget(name: "LambdaAsyncAWSTests", dependencies: ["LambdaAsyncAWS", "TestSupport"]),
        .testTarget(name: "LambdaAsyncDeployTests", dependencies: ["LambdaAsyncDeploy"]),
        // Runs the built binary the way a user does; depending on it makes `swift test` build it.
        .testTarget(name: "EndToEndTests", dependencies: ["lambda-async", "TestSupport"]),
    ]
)
