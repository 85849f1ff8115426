@testable import CyberneticEngine
import Foundation
import Testing
import TestSupport

/// Every input in Fuzz/Regressions/workload once crashed the parser (or was written to probe a
/// crash); each must now end in a configuration or a clear error.
@Suite(.watchdog) struct FuzzRegressionTests {
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

    @Test func aTableHeaderWithoutAKeyIsAnErrorNotAnAbort() throws {
        for text in ["[#", "[=", "[ #", "[[#", "[.", "[,", "[?]", "[é]", "[queue]\nmax_size = 1\n[ =\n"] {
            do {
                _ = try ConfigurationLoader.parse(text, source: "w.toml")
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.description.contains("table header needs a key"), "\(text): \(error.description)")
            }
        }
        // Brackets that are not headers stay valid: in strings, multi-line strings, comments and arrays.
        let valid = """
        [[task]]
        name = "t"
        run = \"\"\"
        [# not a header
        \"\"\"
        inputs = [
          "a", # [# comment
        ]
        env = ['X=[#']
        """
        #expect(try ConfigurationLoader.parse(valid).tasks.count == 1)
    }

    @Test func durationsBeyondInt64AreRefusedNotATrap() {
        #expect(DurationText.parse("99999999999999999999h") == nil)
        #expect(DurationText.parse("2562047788015215h") == nil)
        #expect(DurationText.parse("1000000000000h1000000000000h") == nil)
        #expect(DurationText.parse("24h") == .seconds(86_400))
        #expect(DurationText.parse("1m30s") == .seconds(90))
    }
}
