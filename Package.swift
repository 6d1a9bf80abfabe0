// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "aula",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "aula", targets: ["aula"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Security (issue 4): bcrypt for passwords
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        // The shared catalogue of several nodes (issue 17)
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // The one seeded random generator (pure): reproducible scenes, demo data and tests.
        .target(name: "Randomness", swiftSettings: swiftSettings),
        // QR codes for printed checkpoints (pure; docs/guards.md, "Printed checkpoint codes").
        .target(name: "QRCode", swiftSettings: swiftSettings),
        .testTarget(name: "QRCodeTests", dependencies: ["QRCode"], swiftSettings: swiftSettings),

        // MARK: Media (pure: SDP, RTP, depacketisers, parameter sets, MP4 boxes)
        .target(name: "Media", swiftSettings: swiftSettings),
        .testTarget(
            name: "MediaTests",
            dependencies: ["Media", "Randomness", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: swiftSettings
        ),

        // BEGIN City targets (owned by the city/coverage work; edit only inside this block)
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "City", dependencies: ["CZlib", "Randomness"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CityTests",
            dependencies: ["City", "Randomness", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "CityBench",
            dependencies: ["City"],
            path: "Benchmarks/CityBench",
            swiftSettings: swiftSettings
        ),
        // Planning (pure: offence register, hotspots, placement planner, pilot evaluation)
        .target(name: "Planning", dependencies: ["City", "Randomness"], swiftSettings: swiftSettings),
        .testTarget(name: "PlanningTests", dependencies: ["Planning", "City", "Randomness"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "PlanBench",
            dependencies: ["Planning", "City", "Randomness"],
            path: "Benchmarks/PlanBench",
            swiftSettings: swiftSettings
        ),
        // END City targets

        // MARK: FFmpeg through a C shim (encode for the simulator, decode for analytics)
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavcodec",
            providers: [.apt(["libavcodec-dev", "libavutil-dev", "libswscale-dev"])]
        ),

        // The one owner of libavcodec contexts (with their packet and frame), confined to one task.
        .target(name: "Codec", dependencies: ["Media", "CFFmpeg"], swiftSettings: swiftSettings),

        // BEGIN UI targets (issue 5: snapshots of a camera's latest key frame; docs/ui.md)
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG", providers: [.apt(["libturbojpeg0-dev"])]),
        .target(name: "Snapshot", dependencies: ["Media", "CFFmpeg", "Codec", "CTurboJPEG"], swiftSettings: swiftSettings),
        // END UI targets

        // BEGIN Motion targets (motion detection, zones, events; see docs/motion.md)
        .target(
            name: "Motion",
            dependencies: ["Media", "CFFmpeg", "Codec"],
            // Per-pixel loops: optimise even in debug builds so the tests' evaluation stays fast.
            swiftSettings: swiftSettings + [.unsafeFlags(["-O"])]
        ),
        .testTarget(
            name: "MotionTests",
            dependencies: ["Motion", "Media", "Simulator", "RTSP", "Catalog"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "MotionBench",
            dependencies: ["Motion", "Media", "Simulator", "RTSP", "Catalog"],
            path: "Benchmarks/MotionBench",
            swiftSettings: swiftSettings
        ),
        // END Motion targets

        // MARK: RTSP client and server over SwiftNIO
        .target(
            name: "RTSP",
            dependencies: [
                "Media",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Simulator",
            dependencies: ["Media", "RTSP", "CFFmpeg", "Codec", "Randomness", .product(name: "Logging", package: "swift-log")],
            // Scenes are drawn pixel by pixel at start-up; optimise even in debug builds so that the
            // demo (a debug build shared with the tests) starts in seconds.
            swiftSettings: swiftSettings + [.unsafeFlags(["-O"])]
        ),
        .target(
            name: "Catalog",
            dependencies: ["Media", "AulaSecurity"],
            swiftSettings: swiftSettings
        ),
        // Request input (pure): every id, number, time and range from a request, checked before use.
        .target(name: "APIInput", dependencies: ["Catalog"], swiftSettings: swiftSettings),
        .testTarget(
            name: "APIInputTests",
            dependencies: ["APIInput", "Catalog", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CatalogSQLite",
            dependencies: ["Catalog", "AulaSecurity", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        // The shared catalogue of several nodes (issue 17): every store in one PostgreSQL database.
        .target(
            name: "CatalogPostgres",
            dependencies: [
                "Catalog", "AulaSecurity", "Media",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Real peers that several test targets start: a throwaway PostgreSQL server.
        .target(name: "TestPeers", path: "Tests/TestPeers", swiftSettings: swiftSettings),
        // What every catalogue backend must do (issue 16), run against SQLite and a real
        // PostgreSQL server (scripts/postgres_test_server.sh).
        .testTarget(
            name: "CatalogConformanceTests",
            dependencies: ["Catalog", "CatalogSQLite", "CatalogPostgres", "AulaSecurity", "Media", "TestPeers"],
            swiftSettings: swiftSettings
        ),
        // Recorded video's one home: the sample-file layout, the per-frame index, the export
        // planner and the one non-blocking reader (SwiftNIO's file system) of sample files.
        .target(
            name: "Footage",
            dependencies: ["Media", "Catalog", .product(name: "_NIOFileSystem", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Recorder",
            dependencies: [
                "Media", "RTSP", "Catalog", "Footage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The recorder without a server: the writer, the per-camera stream recorder.
        .testTarget(
            name: "RecorderTests",
            dependencies: ["Recorder", "Footage", "Catalog", "CatalogSQLite", "Media", "Simulator", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // Alerts to operators and guards: raised, stored, audited, delivered, escalated; the monitor
        // of cameras, recording and the disk (docs/motion.md, "Alerts").
        .target(
            name: "Alerts",
            dependencies: [
                "Catalog", "Recorder",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The city's services outside HTTP: the stored city and offences, imports, planning runs.
        .target(name: "CityServices", dependencies: ["City", "Planning", "Catalog"], swiftSettings: swiftSettings),
        // Guards: posts, shifts, duty, the equipment ledger, incidents and their dispatch by
        // walking route (docs/guards.md); records in the catalogue, alerts to operators.
        .target(
            name: "Guards",
            dependencies: [
                "Catalog", "City", "CityServices", "Alerts", "Planning",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Analytics beside recording: frame sinks that decode (motion analysis, masked live view)
        // and masked exports; each decoder confined to its own task (docs/motion.md).
        .target(
            name: "Analytics",
            dependencies: [
                "Media", "Catalog", "Recorder", "Alerts", "Motion",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // BEGIN AulaSecurity targets (issue 4: accounts, audit trail, signed evidence, secrets at rest)
        .target(
            name: "AulaSecurity",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "AulaSecurityTests", dependencies: ["AulaSecurity", "Randomness"], swiftSettings: swiftSettings),
        .testTarget(name: "GuardsTests", dependencies: ["Guards", "City"], swiftSettings: swiftSettings),
        // END AulaSecurity targets
        .target(
            name: "Server",
            dependencies: [
                "Media", "Catalog", "Recorder", "Footage", "Alerts", "Analytics", "City", "CityServices", "Planning", "AulaSecurity", "Motion",
                "RTSP", "Snapshot", "APIInput", "Guards", "QRCode",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // The composition root: builds a node's parts and runs them as one ServiceGroup (docs/architecture.md).
        .target(
            name: "App",
            dependencies: [
                "Server", "Catalog", "CityServices", "Recorder", "Footage", "Alerts", "Analytics", "Motion", "AulaSecurity", "Guards",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "aula",
            dependencies: [
                "App", "Server", "Simulator", "Recorder", "Footage", "CatalogSQLite", "CatalogPostgres", "City", "CityServices", "Planning", "AulaSecurity", "Motion",
                "Guards", "Randomness", "Analytics",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RTSPTests",
            dependencies: ["RTSP", "Media", "Simulator", "Randomness", "TestPeers", .product(name: "PropertyBased", package: "swift-property-based"),
                           .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "App", "Server", "Simulator", "Recorder", "Alerts", "Analytics", "Catalog", "CatalogSQLite", "City", "CityServices", "Planning", "AulaSecurity", "Motion",
                "Snapshot", "APIInput", "TestPeers", "CatalogPostgres",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
