// swift-tools-version: 6.1
import Foundation
import PackageDescription

// libFuzzer targets for the two parsers of untrusted text: workload files and theme files.
// Built only by Fuzz/run.sh (with -sanitize=fuzzer, which links libFuzzer), never by the root build.
// The root package is a path dependency; its identity is its folder's name, whatever the clone is called.
let root = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "CyberneticFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(
            name: "FuzzWorkload",
            dependencies: ["FuzzDriver", .product(name: "CyberneticEngine", package: root)]
        ),
        .executableTarget(
            name: "FuzzTheme",
            dependencies: ["FuzzDriver", .product(name: "CyberneticTUI", package: root)]
        ),
    ],
    swiftLanguageModes: [.v6]
)
