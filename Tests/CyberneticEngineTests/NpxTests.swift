@testable import CyberneticEngine
import Foundation
import Testing
import TestSupport

@Suite("npx fast path", .watchdog)
struct NpxTests {
    private var demo: URL { PoolTesting.npxDemo }
    private var nested: String { demo.appendingPathComponent("src/nested").path }
    private func real(_ relative: String) -> String {
        demo.appendingPathComponent(relative).resolvingSymlinksInPath().path
    }

    @Test("npx NAME from a nested directory resolves node_modules/.bin/NAME up the tree to node + the real script",
          .enabled(if: PoolTesting.nodeInstalled, "node is not installed"))
    func resolvesFromNestedDirectory() throws {
        let node = try #require(ExecutableLookup.cached("node"))
        let hello = NpxResolver.resolve(argv: ["npx", "hello", "a b", "--flag"], workingDirectory: nested)
        #expect(hello == [node, real("node_modules/hello/bin/hello.js"), "a b", "--flag"])
        let esm = NpxResolver.resolve(argv: ["npx", "-y", "esm-hello", "x"], workingDirectory: nested)
        #expect(esm == [node, real("node_modules/esm-hello/bin/esm-hello.js"), "x"])
        let yes = NpxResolver.resolve(argv: ["/usr/bin/npx", "--yes", "hello"], workingDirectory: demo.path)
        #expect(yes == [node, real("node_modules/hello/bin/hello.js")])
        let resolution = try #require(NpxResolver.resolution(argv: ["npx", "hello"], workingDirectory: nested))
        #expect(resolution.binPath == demo.appendingPathComponent("node_modules/.bin/hello").path)
        #expect(resolution.isNodeScript)
    }

    @Test("nil for a name nothing resolves, package specs, other npx options and other programs")
    func unknownNamesAndOptionsAreLeftToNpx() {
        for argv in [
            ["npx", "no-such-tool-here"],
            ["npx", "hello@1.0.0"],
            ["npx", "@scope/hello"],
            ["npx", "-p", "hello", "hello"],
            ["npx", "--package=hello", "hello"],
            ["npx", "--no-install", "hello"],
            ["npx", "--", "hello"],
            ["npx"],
            ["npx", "-y"],
            ["node", "hello"],
        ] {
            #expect(NpxResolver.resolve(argv: argv, workingDirectory: nested) == nil, "\(argv)")
        }
    }

    @Test("a bin that is not a plain node script is run as it is")
    func otherBinsAreExecutedDirectly() throws {
        let directory = try PoolTesting.temporaryDirectory()
        let bin = directory + "/node_modules/.bin"
        let inner = directory + "/node_modules/tools"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: inner, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/deep/er", withIntermediateDirectories: true)
        let scripts = [
            "shtool": "#!/bin/sh\necho shell\n",
            "flagged": "#!/usr/bin/env -S node --no-warnings\nconsole.log(1)\n",
        ]
        for (name, text) in scripts {
            try text.write(toFile: "\(inner)/\(name)", atomically: true, encoding: .utf8)
            chmod("\(inner)/\(name)", 0o755)
            try FileManager.default.createSymbolicLink(atPath: "\(bin)/\(name)", withDestinationPath: "../tools/\(name)")
        }
        for name in scripts.keys {
            let resolved = NpxResolver.resolve(argv: ["npx", name, "arg"], workingDirectory: directory + "/deep/er")
            #expect(resolved == ["\(bin)/\(name)", "arg"], "\(name)")
        }
    }

    @Test("npx hello through the resolver and a warm node runner prints what real npx prints",
          .enabled(if: PoolTesting.nodeInstalled, "node is not installed"))
    func npxThroughTheWarmPool() async throws {
        let pool = ProcessPool(settings: PoolTesting.settings(min: 1, max: 3))
        let argv = try #require(NpxResolver.resolve(argv: ["npx", "hello", "one", "two words"], workingDirectory: nested))
        let request = CommandRequest(argv: argv, workingDirectory: nested, environment: ["HELLO_NAME": "n", "HELLO_EXIT": "5"]).scaled()
        let result = try #require(await pool.run(request))
        await pool.shutdown()
        #expect(result.outcome == .exited(5))
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.bytes)) as? [String: Any])
        #expect(decoded["argv"] as? [String] == ["one", "two words"])
        #expect(decoded["cwd"] as? String == nested)
        #expect(decoded["helloName"] as? String == "n")
        #expect(decoded["filename"] as? String == real("node_modules/hello/bin/hello.js"))

        if ExecutableLookup.find("npx") != nil {
            var real = CommandRequest(argv: ["npx", "hello", "one", "two words"], workingDirectory: nested,
                                      environment: ["HELLO_NAME": "n", "HELLO_EXIT": "5"]).scaled()
            real.timeout = Sanitized.scaled(.seconds(120))
            let npx = await CommandRunner.run(real)
            #expect(npx.outcome == .exited(5))
            let fromNpx = try #require(try JSONSerialization.jsonObject(with: Data(npx.stdout.bytes)) as? [String: Any])
            for field in ["argv", "cwd", "helloName", "filename", "module", "isMain"] {
                #expect(String(describing: fromNpx[field]) == String(describing: decoded[field]), "\(field)")
            }
        }
    }
}
