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
        suite("Execution"),
        suite("Queue", extra: [.product(name: "Collections", package: "swift-collections")]),
        suite("Memory"),
        suite("Cache"),
        suite("Outputs"),
        suite("Pool"),
        suite("Startup"),
        suite("Optimization"),
        suite("Frame", extra: [.product(name: "CyberneticTUI", package: root.lastPathComponent.lowercased())]),
    ],
    swiftLanguageModes: [.v6]
)

/// One package-benchmark suite: an executable target in Benchmarks/NAME using the engine.
func suite(_ name: String, extra: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            .product(name: "Benchmark", package: "benchmark"),
            .product(name: "CyberneticEngine", package: root.lastPathComponent.lowercased()),
        ] + extra,
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}
