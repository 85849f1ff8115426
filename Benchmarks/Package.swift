// swift-tools-version: 6.1
import Foundation
import PackageDescription

// The root package is a path dependency; its identity is its folder's name, whatever the clone is called.
let root = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent()

let package = Package(
    name: "CyberneticBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "Execution",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CyberneticEngine", package: root.lastPathComponent.lowercased()),
            ],
            path: "Benchmarks/Execution",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Queue",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Collections", package: "swift-collections"),
                .product(name: "CyberneticEngine", package: root.lastPathComponent.lowercased()),
            ],
            path: "Benchmarks/Queue",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Memory",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CyberneticEngine", package: root.lastPathComponent.lowercased()),
            ],
            path: "Benchmarks/Memory",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Cache",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CyberneticEngine", package: root.lastPathComponent.lowercased()),
            ],
            path: "Benchmarks/Cache",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Pool",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CyberneticEngine", package: root.lastPathComponent.lowercased()),
            ],
            path: "Benchmarks/Pool",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Startup",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CyberneticEngine", package: root.lastPathComponent.lowercased()),
            ],
            path: "Benchmarks/Startup",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Frame",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CyberneticEngine", package: root.lastPathComponent.lowercased()),
                .product(name: "CyberneticTUI", package: root.lastPathComponent.lowercased()),
            ],
            path: "Benchmarks/Frame",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
