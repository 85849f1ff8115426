import Foundation

/// The `--junit` XML: one test case per phase and per task, so CI systems show each as a test.
public enum JUnitReport {
    public static func xml(for snapshot: EngineSnapshot) -> String {
        var phaseCases: [String] = []
        var phaseFailures = 0
        var phaseSkipped = 0
        for phase in snapshot.startup.phases {
            let time = seconds(phase.durationMs ?? 0)
            var body = ""
            switch phase.state {
            case .succeeded, .rolledBack, .rollingBack:
                break
            case .skipped, .pending:
                phaseSkipped += 1
                body = "<skipped message=\"\(escape(phase.error ?? "not started"))\"/>"
            default:
                phaseFailures += 1
                let message = phase.error ?? phase.state.rawValue
                body = "<failure message=\"\(escape(message))\" type=\"\(phase.state.rawValue)\">\(escape(message))</failure>"
            }
            phaseCases.append(testCase(classname: "startup", name: phase.name, time: time, body: body))
        }

        var taskCases: [String] = []
        var taskFailures = 0
        var totalTaskMs: Int64 = 0
        for task in snapshot.tasks {
            totalTaskMs += task.totalDurationMs
            var body = ""
            if task.failures > 0 {
                taskFailures += 1
                let first = task.lastFailure?.split(separator: "\n").first.map(String.init) ?? "failed"
                let message = "\(task.failures) of \(task.runs) runs failed: \(first)"
                body = "<failure message=\"\(escape(message))\" type=\"\(task.timeouts > 0 ? "timeout" : "failure")\">"
                    + escape(task.lastFailure ?? "") + "</failure>"
            } else if task.runs == 0 {
                body = "<skipped message=\"never ran\"/>"
            }
            body += "<system-out>\(escape("\(task.command)\nruns: \(task.runs), last exit: \(task.lastExitCode.map(String.init) ?? "-")"))</system-out>"
            taskCases.append(testCase(classname: "task", name: task.name, time: seconds(task.totalDurationMs), body: body))
        }

        let phaseTime = seconds(snapshot.startup.totalMs)
        let skippedTasks = snapshot.tasks.filter { $0.runs == 0 && $0.failures == 0 }.count
        let tests = phaseCases.count + taskCases.count
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="cybernetic" tests="\(tests)" failures="\(phaseFailures + taskFailures)" time="\(seconds(snapshot.uptimeMs))">
          <testsuite name="startup" tests="\(phaseCases.count)" failures="\(phaseFailures)" skipped="\(phaseSkipped)" errors="0" time="\(phaseTime)">
        \(phaseCases.joined(separator: "\n"))
          </testsuite>
          <testsuite name="tasks" tests="\(taskCases.count)" failures="\(taskFailures)" skipped="\(skippedTasks)" errors="0" time="\(seconds(totalTaskMs))">
        \(taskCases.joined(separator: "\n"))
          </testsuite>
        </testsuites>

        """
    }

    private static func testCase(classname: String, name: String, time: String, body: String) -> String {
        "    <testcase classname=\"\(classname)\" name=\"\(escape(name))\" time=\"\(time)\">\(body)</testcase>"
    }

    private static func seconds(_ ms: Int64) -> String {
        String(format: "%.3f", Double(ms) / 1000)
    }

    /// Escapes XML specials and drops characters XML 1.0 cannot carry at all.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v >= 0x20 && v != 0xFFFE && v != 0xFFFF { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
