import Foundation
import Testing
import TestSupport

/// A real compiler: Debian's `tsc` (node-typescript, which `.ci/run` installs), run as
/// `npx tsc -p .` through the npx fast path. A hit must leave the `out/` a compile leaves.
@Suite(.watchdog) struct TypeScriptOutputsTests {
    /// Where Debian's node-typescript puts the compiler. Missing is a failure, never a silent
    /// pass: the outputs would go untested against a real build tool.
    static func compiler() throws -> String {
        let path = "/usr/share/nodejs/typescript/bin/tsc"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Spawned.Failure(description: "tsc is not installed: apt-get install -y node-typescript (.ci/run does this)")
        }
        return path
    }

    static func project() throws -> URL {
        let dir = try temporaryDirectory()
        let bin = dir.appendingPathComponent("node_modules/.bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent("tsc").path, withDestinationPath: try compiler())
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("src/lib"), withIntermediateDirectories: true)
        try """
        { "compilerOptions": { "outDir": "out", "target": "es2019", "module": "commonjs", "strict": true,
                               "declaration": true, "sourceMap": true }, "include": ["src"] }
        """.write(to: dir.appendingPathComponent("tsconfig.json"), atomically: true, encoding: .utf8)
        try "import { greet } from \"./lib/greet\";\nconsole.log(greet(\"cybernetic\"));\n"
            .write(to: dir.appendingPathComponent("src/index.ts"), atomically: true, encoding: .utf8)
        try "export function greet(name: string): string { return `hello, ${name}`; }\n"
            .write(to: dir.appendingPathComponent("src/lib/greet.ts"), atomically: true, encoding: .utf8)
        return dir
    }

    static func compile(_ dir: URL) async throws -> Binary.Result {
        try await Binary.run(["exec", "--stats", "--inputs", "src/**", "--inputs", "tsconfig.json", "--outputs", "out/**",
                        "--", "npx", "tsc", "-p", "."], in: dir)
    }

    @Test func aHitRestoresWhatTheCompilerWroteAndAnEditIsAMiss() async throws {
        let dir = try Self.project()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        let cold = try await Self.compile(dir)
        #expect(cold.code == 0, "\(cold.stdout)\(cold.stderr)")
        #expect(cold.stderr.contains("via spawned (npx fast path"), "\(cold.stderr)")
        let compiled = OutputTree.read(out)
        #expect(compiled.keys.sorted() == ["index.d.ts", "index.js", "index.js.map", "lib", "lib/greet.d.ts", "lib/greet.js", "lib/greet.js.map"])

        try FileManager.default.removeItem(at: out)
        let hit = try await Self.compile(dir)
        #expect(hit.stderr.contains("via cache hit (disk)"), "\(hit.stderr)")
        #expect(hit.stderr.contains("outputs: 6 files restored"), "\(hit.stderr)")
        #expect(OutputTree.read(out) == compiled)
        let node = try await Binary.run(["exec", "--no-cache", "--", "node", "out/index.js"], in: dir)
        #expect(node.stdout == "hello, cybernetic\n")

        try "export function greet(name: string): string { return `hi, ${name}`; }\n"
            .write(to: dir.appendingPathComponent("src/lib/greet.ts"), atomically: true, encoding: .utf8)
        let edited = try await Self.compile(dir)
        #expect(edited.stderr.contains("via spawned"), "an edited source is a miss: \(edited.stderr)")
        let rerun = try await Binary.run(["exec", "--no-cache", "--", "node", "out/index.js"], in: dir)
        #expect(rerun.stdout == "hi, cybernetic\n")
    }
}
