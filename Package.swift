// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Cybernetic",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cybernetic", targets: ["cybernetic"]),
        .library(name: "CyberneticEngine", targets: ["CyberneticEngine"]),
        .library(name: "CyberneticTUI", targets: ["CyberneticTUI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        // Tests only: property-based checks (no dependencies of its own).
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CNCurses",
            providers: [.apt(["libncursesw5-dev"])]
        ),
        // The memory pool's thread-local cache pointer and membarrier(2) (see the header).
        .target(name: "CMemoryShims"),
        .target(
            name: "CyberneticEngine",
            dependencies: [
                "CMemoryShims",
                .product(name: "Collections", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            resources: [.copy("Commands/Pool/Bootstraps")]
        ),
        .target(
            name: "CyberneticTUI",
            dependencies: ["CyberneticEngine", "CNCurses"]
        ),
        .executableTarget(
            name: "cybernetic",
            dependencies: [
                "CyberneticEngine",
                "CyberneticTUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // Shared by the test targets: the watchdog trait and a clean way to start helper processes.
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "CyberneticEngineTests",
            dependencies: [
                "CyberneticEngine",
                "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "CyberneticTUITests",
            dependencies: ["CyberneticTUI", "TestSupport"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["CyberneticEngine", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
