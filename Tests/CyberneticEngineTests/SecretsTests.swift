@testable import CyberneticEngine
import Foundation
import Testing
import TestSupport

@Suite(.watchdog) struct SecretsTests {
    @Test func namesThatHoldSecretsAreRecognised() {
        for name in ["GITHUB_TOKEN", "npm_token", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD", "SSH_KEY", "API_KEY",
                     "MY_APIKEY", "PGPASSWD", "GPG_PASSPHRASE", "CREDENTIALS_JSON", "PRIVATE_PEM", "HTTP_AUTH"] {
            #expect(Secrets.isSecretName(name), "\(name)")
        }
        for name in ["PATH", "HOME", "LANG", "KEYBOARD_LAYOUT", "CI", "MONKEY_COUNT"] {
            #expect(!Secrets.isSecretName(name), "\(name)")
        }
    }

    @Test func aTasksSecretsAreHiddenInEverySafeTextResult() {
        let id = UUID().uuidString.prefix(8)
        var task = TaskSpec(name: "t", run: .shell("true"))
        task.env = [EnvironmentEntry(name: "DB_PASSWORD", value: "pw-\(id)"),
                    EnvironmentEntry(name: "PLAIN", value: "plain-\(id)"),
                    EnvironmentEntry(name: "MARKED", value: "marked-\(id)"),
                    EnvironmentEntry(name: "SHORT_TOKEN", value: "abc")]
        task.secretEnv = ["MARKED", "FROM_ENV"]
        Secrets.register(task: task, environment: ["FROM_ENV": "inherited-\(id)"])
        let text = "pw-\(id) plain-\(id) marked-\(id) inherited-\(id) abc"
        #expect(SafeText.clean(text) == "[redacted] plain-\(id) [redacted] [redacted] abc")
        #expect(SafeText.line("x\u{1B}[0mpw-\(id)\n") == "x[redacted] ")
        // A secret broken up by an escape sequence is still hidden once the sequence is gone.
        let split = "pw-\(id)".map(String.init).joined(separator: "\u{1B}[0m")
        #expect(SafeText.clean(split) == "[redacted]")
        #expect(SafeText.tail(Array("error: pw-\(id)\n".utf8)) == "error: [redacted]")
    }

    @Test func aLongerSecretContainingAShorterOneIsHiddenWhole() {
        let id = UUID().uuidString.prefix(8)
        Secrets.register(["inner-\(id)", "outer-inner-\(id)-x"])
        #expect(Secrets.redact("outer-inner-\(id)-x") == "[redacted]")
    }

    @Test func secretEnvMustNameVariables() throws {
        let text = "[[task]]\nname = \"t\"\nrun = \"true\"\nsecret_env = [\"OK_NAME\", \"not a name\"]\n"
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader.parse(text) }
        do {
            _ = try ConfigurationLoader.parse(text, source: "w.toml")
        } catch {
            #expect(error.description.contains("secret_env"))
            #expect(error.description.contains("not a name"))
        }
        let ok = try ConfigurationLoader.parse("[[task]]\nname = \"t\"\nrun = \"true\"\nsecret_env = [\"DSN\"]\n")
        #expect(ok.tasks[0].secretEnv == ["DSN"])
    }
}
