/// The optimizations that can be switched on and off live. Every flag defaults to on.
public enum FeatureFlag: String, Sendable, Codable, CaseIterable {
    case commandCache = "command_cache"
    case processPool = "process_pool"
    case npxFastPath = "npx_fast_path"
    case memoryPool = "memory_pool"
    case adaptiveConcurrency = "adaptive_concurrency"
    case selfOptimization = "self_optimization"
}

/// The state of every flag. Encodes as `{"command_cache": true, ...}` as the report contract wants.
public struct FeatureFlags: Sendable, Equatable, Codable {
    private var values: [FeatureFlag: Bool]

    public init() {
        values = Dictionary(uniqueKeysWithValues: FeatureFlag.allCases.map { ($0, true) })
    }

    public subscript(flag: FeatureFlag) -> Bool {
        get { values[flag] ?? true }
        set { values[flag] = newValue }
    }

    /// Flags in display order (the order of `FeatureFlag.allCases`), which the TUI numbers 1–9.
    public var ordered: [(flag: FeatureFlag, enabled: Bool)] {
        FeatureFlag.allCases.map { ($0, self[$0]) }
    }

    /// The flags whose value differs in `other`, as name → new value.
    public func changes(to other: FeatureFlags) -> [String: Bool] {
        var diff: [String: Bool] = [:]
        for flag in FeatureFlag.allCases where self[flag] != other[flag] {
            diff[flag.rawValue] = other[flag]
        }
        return diff
    }

    public init(from decoder: any Decoder) throws {
        let raw = try [String: Bool](from: decoder)
        self.init()
        for (key, value) in raw {
            if let flag = FeatureFlag(rawValue: key) { values[flag] = value }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var raw: [String: Bool] = [:]
        for (flag, value) in values { raw[flag.rawValue] = value }
        try raw.encode(to: encoder)
    }
}
