@testable import CyberneticEngine
import Foundation
import Testing

/// Every input in Fuzz/Regressions/workload once crashed the parser (or was written to probe a
/// crash); each must now end in a configuration or a clear error.
@Suite struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/Regressions/workload")

    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    @Test func theRegressionFolderIsThere() {
        #expect(Self.inputs.count >= 2)
    }

    @Test(arguments: inputs)
    func aFormerCrashIsAnErrorOrAConfiguration(_ name: String) throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent(name))
        guard let text = String(data: data, encoding: .utf8) else { return }
        do {
            _ = try ConfigurationLoader.parse(text, source: name)
        } catch {
            #expect(!error.description.isEmpty)
        }
    }

    @Test func durationsBeyondInt64AreRefusedNotATrap() {
        #expect(DurationText.parse("99999999999999999999h") == nil)
        #expect(DurationText.parse("2562047788015215h") == nil)
        #expect(DurationText.parse("1000000000000h1000000000000h") == nil)
        #expect(DurationText.parse("24h") == .seconds(86_400))
        #expect(DurationText.parse("1m30s") == .seconds(90))
    }
}
