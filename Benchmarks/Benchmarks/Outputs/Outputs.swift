import Benchmark
import CyberneticEngine
import Foundation

// A real compile against a hit that restores what it wrote, in the same run (Debian's
// node-typescript; the project is generated here, tsc is reached through the npx fast path):
//   Outputs/tsc hit restoring out/   vs   Outputs/tsc -p . cold
// The hit comes from the disk tier (the memory tier is off), as it does for `cybernetic exec`,
// and `out/` is deleted before every hit, so every iteration writes the 18 files back.

let project: URL = {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cybernetic-bench-tsc-\(getpid())")
    let fm = FileManager.default
    try? fm.createDirectory(at: dir.appendingPathComponent("node_modules/.bin"), withIntermediateDirectories: true)
    try? fm.createDirectory(at: dir.appendingPathComponent("src/lib"), withIntermediateDirectories: true)
    try? fm.createSymbolicLink(atPath: dir.appendingPathComponent("node_modules/.bin/tsc").path,
                               withDestinationPath: "/usr/share/nodejs/typescript/bin/tsc")
    try? """
    { "compilerOptions": { "outDir": "out", "target": "es2019", "module": "commonjs", "strict": true,
                           "declaration": true, "sourceMap": true }, "include": ["src"] }
    """.write(to: dir.appendingPathComponent("tsconfig.json"), atomically: true, encoding: .utf8)
    for index in 0..<5 {
        try? "export function f\(index)(x: number): number { return x * \(index + 1); }\n"
            .write(to: dir.appendingPathComponent("src/lib/f\(index).ts"), atomically: true, encoding: .utf8)
    }
    try? "import { f0 } from \"./lib/f0\";\nconsole.log(f0(2));\n"
        .write(to: dir.appendingPathComponent("src/index.ts"), atomically: true, encoding: .utf8)
    return dir
}()

let compiler: Executor = {
    var config = Configuration()
    config.cache.directory = project.appendingPathComponent(".cybernetic/cache").path
    config.cache.maxEntries = 0
    return Executor(configuration: config, baseDirectory: project.path)
}()

let compile = CommandRequest(argv: ["npx", "tsc", "-p", "."], workingDirectory: project.path, timeout: .seconds(300))
let outputsPolicy = Executor.CachePolicy(inputs: ["src/**", "tsconfig.json"], outputs: ["out/**"])

func removeOut() {
    try? FileManager.default.removeItem(at: project.appendingPathComponent("out"))
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(60), maxIterations: 20)

    Benchmark("Outputs/tsc -p . cold", configuration: .init(maxIterations: 5)) { benchmark in
        for _ in benchmark.scaledIterations {
            removeOut()
            let outcome = await compiler.run(compile, policy: nil, options: .init(processPool: false))
            precondition(outcome.result.outcome == .exited(0) && outcome.npxResolved, "tsc must really compile: \(outcome.result.outcome)")
            blackHole(outcome)
        }
    }

    Benchmark("Outputs/tsc hit restoring out/", configuration: .init(setup: {
        removeOut()
        _ = await compiler.run(compile, policy: outputsPolicy, options: .init(processPool: false))
        await compiler.cache.flush()
    })) { benchmark in
        for _ in benchmark.scaledIterations {
            removeOut()
            let outcome = await compiler.run(compile, policy: outputsPolicy, options: .init(processPool: false))
            precondition(outcome.path == .diskHit && (outcome.restored?.files ?? 0) == 18, "expected a disk hit restoring out/")
            blackHole(outcome)
        }
    }
}
