/// How the self-optimization loop and A/B tests pace themselves (`[optimizer]` and `[ab]`).
public struct OptimizerSettings: Sendable, Codable, Equatable {
    /// How often the loop measures a window, judges it and may act.
    public var interval: Duration = .seconds(5)
    /// How long a new revision must hold without degradation to become known-good.
    public var validationWindow: Duration = .seconds(10)
    /// Fewest finished runs a window needs before it is judged at all.
    public var minSamples = 8
    /// Where action success records are kept between runs; nil keeps them in memory only.
    /// Defaults to the folder above the cache directory (`.cybernetic/`).
    public var learningFile: String? = nil
    public init() {}
}

public struct ABSettings: Sendable, Codable, Equatable {
    /// Runs per arm after which a test stops and gives its verdict.
    public var minSamples = 40
    /// A test that has not reached `minSamples` per arm by then stops as "inconclusive".
    public var maxDuration: Duration = .seconds(120)
    /// Significance level of the two-sided Mann-Whitney U test.
    public var alpha = 0.05
    /// Seeds arm assignment and the bootstrap, so a test can be replayed; nil draws a random seed.
    public var seed: UInt64? = nil
    public init() {}
}
